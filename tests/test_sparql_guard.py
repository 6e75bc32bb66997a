"""The SPARQL guard: updates and SERVICE refused, ordinary queries let through, checked against Oxigraph itself."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reformkg.errors import QueryError
from reformkg.sparql_guard import check_query, classify_query


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX select: <http://x/> ask { ?s select:p ?o }", "ASK"),
    ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("BASE <http://x/> DESCRIBE <a>", "DESCRIBE"),
    ("SELECT*WHERE{?s ?p ?o}", "SELECT"),
])
def test_sparql_guard_finds_the_query_form(query: str, form: str) -> None:
    assert check_query(query).form == form


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://a/> <http://b/> <http://c/> }",
    "PREFIX ex: <http://x/> DELETE WHERE { ?s ex:p ?o }",
    "DROP ALL", "CLEAR DEFAULT", "LOAD <http://example.org/data.ttl>",
    "WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_sparql_guard_refuses_updates(update: str) -> None:
    with pytest.raises(QueryError, match=r"update .* refused: this endpoint is read-only"):
        check_query(update)


def test_sparql_guard_refuses_text_that_is_no_query() -> None:
    with pytest.raises(QueryError, match="not a SPARQL query"):
        check_query("hello { }")


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "Civil Service" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
    'SELECT * WHERE { ?s ?p """a SERVICE\nb""" }',
    "SELECT * WHERE { ?s <http://x/service> ?o }",
    "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o }",
    'SELECT * WHERE { ?s ?p "x"@service }',
])
def test_sparql_guard_lets_service_in_strings_iris_and_comments_through(query: str) -> None:
    assert not classify_query(query).uses_service


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * where { service silent <http://x/> { ?s ?p ?o } }",
    r"SELECT * WHERE { \u0053ERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p 1SERVICE SILENT <http://x/> {} }",
    "PREFIX : <http://x/> SELECT * WHERE { SERVICESILENT:{} }",
    "SELECT * WHERE { ?s <http://a#b> ?o FILTER(?o<'>') SERVICE <http://x/> {} FILTER(?o != '') }",
])
def test_sparql_guard_refuses_service_however_it_is_written(query: str) -> None:
    with pytest.raises(QueryError, match="SERVICE refused"):
        check_query(query)
    assert check_query(query, allow_service=True).uses_service


# Fragments from which hypothesis builds queries; some make Oxigraph call the listener, some do not.
_KEYWORDS = ["SERVICE", "service", "SeRvIcE", r"\u0053ERVICE", "1SERVICE", "SERVICESILENT:", "SERVICE:",
             "SERVICE SILENT", "# SERVICE\n", '"SERVICE"', "<http://x/SERVICE>", "ex:SERVICE", "?SERVICE"]
_NOISE = ["", " ", "\n", "# c\n", "?s ?p ?o .", "FILTER(?o<'>')", "FILTER(?o<'#')", "BIND('x' AS ?q)",
          "?s <http://a#b> ?o .", "'''", "\"", "'", "FILTER(?o != '')", "1"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.sampled_from(_NOISE), max_size=3), keyword=st.sampled_from(_KEYWORDS),
       target=st.sampled_from(["<{url}>", ":", "?svc", "ex:x"]),
       after=st.lists(st.sampled_from(_NOISE), max_size=3))
def test_sparql_guard_never_passes_a_query_that_makes_oxigraph_fetch(url_listener, before, keyword, target, after) -> None:
    # the listener must not be reached by any query the guard lets through
    prefixes = f"PREFIX : <{url_listener.url}> PREFIX ex: <http://x/>\n"
    body = " ".join([*before, keyword, target.format(url=url_listener.url), "{ }", *after])
    query = f"{prefixes}SELECT * WHERE {{ VALUES ?svc {{ <{url_listener.url}> }} {body} }}"
    seen = len(url_listener.requests)
    try:
        list(ox.Store().query(query))  # type: ignore[arg-type]
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass  # refused or failed at evaluation ("service name is unbound"): what counts is whether it fetched
    fetched = len(url_listener.requests) > seen
    if fetched:
        assert classify_query(query).uses_service, query


def test_sparql_guard_listener_is_reached_by_oxigraph_without_the_guard(url_listener) -> None:
    # the control for the test above: Oxigraph really fetches, so a guard that missed one would be caught
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url_listener.url}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
    assert url_listener.requests and url_listener.requests[0].startswith("POST /sparql")
