"""The docs promise what the code does: every command has help and a README entry; Quick start holds two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from reformkg.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        names += [f"{name} {sub}" for sub in subs] if subs else [name]
    return sorted(names)


@pytest.mark.parametrize("command", _commands())
def test_docs_every_command_has_help_and_a_readme_entry(runner, command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout, f"{command}: its docstring should end with an example"
    assert f"reformkg {command}" in README, f"README does not document 'reformkg {command}'"


def test_docs_quick_start_holds_exactly_two_commands() -> None:
    block = re.search(r"^## Quick start.*?```[a-z]*\n(.*?)```", README, re.S | re.M)
    assert block, "README has no Quick start code block"
    lines = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert len(lines) == 2
    assert "reformkg ingest sources/" in lines[0] and "pytest" in lines[1]


def test_docs_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "Quick start" in ci and "lines[1]" in ci
