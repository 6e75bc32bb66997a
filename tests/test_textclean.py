"""Text cleaning: boilerplate is masked by spaces of the same length, and dates are found."""

from __future__ import annotations

from reformkg.textclean import classify_lines, clean_plain_text, find_date_in_text, parse_date

BODY = "The council has agreed a new plan to support carers across the county this winter."


def test_textclean_masking_keeps_offsets() -> None:
    raw = f"Skip to main content\n{BODY}\nRelated posts:\n- Something else entirely happened\n"
    cleaned = clean_plain_text(raw)
    assert len(cleaned) == len(raw)
    start = raw.index(BODY)
    assert cleaned[start : start + len(BODY)] == BODY
    assert "Skip to main content" not in cleaned and "Something else" not in cleaned


def test_textclean_masks_short_menu_bullets() -> None:
    raw = f"• Home\n• Social benefit\n{BODY}\n"
    assert classify_lines(raw) == [False, False, True, False]


def test_textclean_keeps_a_list_a_body_line_introduces() -> None:
    raw = f"{BODY}\nProjects receiving funding from the scheme include:\n- Clean and Green projects\n- A feasibility study\n"
    keep = classify_lines(raw)
    assert keep[2] and keep[3]


def test_textclean_keeps_a_long_standfirst_without_full_stop() -> None:
    line = "Fifty local projects awarded a share of nearly one billion pounds from the third round of a national fund"
    assert classify_lines(f"{line}\n{BODY}\n")[0]


def test_textclean_masks_bylines_and_comment_rules() -> None:
    raw = f"By Jane Smith\n{BODY}\nPlease report any comments that break our rules.\n"
    assert classify_lines(raw) == [False, True, False, False]


def test_textclean_parse_date_reads_common_forms() -> None:
    assert parse_date("Published May 22, 2022 by staff") == "2022-05-22"
    assert parse_date("28 July 2023") == "2023-07-28"
    assert parse_date("on 2024-02-02 at noon") == "2024-02-02"
    assert parse_date("31 February 2023") is None
    assert parse_date("no date here") is None


def test_textclean_find_date_in_text_takes_the_first() -> None:
    assert find_date_in_text("Friday 02 February 2024\nUpdated 12 April 2024\n") == "2024-02-02"


def test_textclean_keeps_a_sentence_case_headline_but_not_a_title_case_one() -> None:
    headline = "Kent to receive £2m from the Coastal Towns Fund"
    raw = f"Skip to main content\n{headline}\nJane Smith | 19 April 2022 | News\n{BODY}\n"
    assert classify_lines(raw) == [False, True, False, True, False]
    title_case = "Fixing Coastal Towns: New Long-Term Strategy Launched"
    assert classify_lines(f"{title_case}\n{BODY}\n") == [False, True, False]


def test_textclean_windows_and_old_mac_line_ends_keep_offsets() -> None:
    raw = f"Skip to main content\r\n{BODY}\r\rMenu\r"
    cleaned = clean_plain_text(raw)
    assert len(cleaned) == len(raw)
    start = raw.index(BODY)
    assert cleaned[start : start + len(BODY)] == BODY
