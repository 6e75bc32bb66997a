"""The ``reformkg`` command: a thin Typer layer over the library (the only module importing typer/rich)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from .config import Settings
from .errors import QueryError, ReformKGError

if TYPE_CHECKING:
    from .store import Store

err = Console(stderr=True)


class _Group(TyperGroup):
    """Map every ReformKGError to ``error: ...`` on stderr and its exit code: the one handler."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ReformKGError as exc:
            err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)


app = typer.Typer(cls=_Group, no_args_is_help=True, add_completion=False,
                  help="Turn news articles about policy reform into a queryable knowledge graph.")

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", envvar="REFORMKG_STORE",
                 help="Store: a directory (embedded Oxigraph) or a SPARQL endpoint URL."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: table or json.")]


def _settings(store: str | None) -> Settings:
    return Settings(store=store) if store else Settings()


@contextmanager
def _reading(store: str | None) -> Iterator[Store]:
    """Give the configured store opened read-only, closed when the block ends."""
    from .store import open_store

    st = open_store(_settings(store).store, read_only=True)
    try:
        yield st
    finally:
        st.close()


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _table(columns: list[str], rows: list[list[str]], title: str | None = None) -> None:
    t = Table(title=title)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*r)
    out = Console()
    if not out.is_terminal:
        # piped or captured: don't wrap cells at 80 columns, a reader greps whole names
        out = Console(width=max(100, 40 * len(columns)))
    out.print(t)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Article files, folders or JSONL manifests.")],
    store: StoreOpt = None,
    processes: Annotated[int, typer.Option("--processes", "-j", help="Extraction processes.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress messages.")] = False,
    format: FormatOpt = "table",
) -> None:
    """Ingest articles into the store, one named graph per article.

    Example: reformkg ingest sources/ --store ./store
    """
    from .pipeline import ingest_sources

    settings = Settings(store=store or Settings().store, n_process=processes)

    def on_article(article: Any, n: int) -> None:
        if not quiet:
            note = f" ({'; '.join(article.notes)})" if article.notes else ""
            err.print(f"stored {article.source or article.id}: {n} triples{note}", highlight=False,
                      soft_wrap=True)

    def on_error(e: ReformKGError) -> None:
        err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)

    report = ingest_sources(paths, settings, on_article=on_article, on_error=on_error)
    if format == "json":
        _out(json.dumps({"stored": report.stored, "triples": report.triples,
                         "failures": [str(f) for f in report.failures],
                         "seconds": {"store": round(report.store_seconds, 2), "link": round(report.link_seconds, 2)}}))
    elif not quiet:
        err.print(f"{len(report.stored)} article(s) stored in {settings.store}, "
                  f"{len(report.failures)} failed", highlight=False)
    if report.failures:
        raise typer.Exit(report.failures[0].exit_code)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="An article file (.txt or .html).")],
    format: FormatOpt = "json",
) -> None:
    """Print one article's entities and relations without storing them.

    Example: reformkg extract sources/seed-000.txt --format json
    """
    from .pipeline import extract_file

    result = extract_file(file).to_json()
    if format == "json":
        _out(json.dumps(result, ensure_ascii=False))
        return
    _table(["id", "type", "name", "aliases", "amount_gbp", "roles"],
           [[e["id"], e["type"], e["name"], "; ".join(e["aliases"]),
             "" if e["amount_gbp"] is None else f"{e['amount_gbp']:,.0f}", "; ".join(e["roles"])]
            for e in result["entities"]], title="entities")
    _table(["subject", "predicate", "object", "evidence"],
           [[r["subject"], r["predicate"], r["object"], r["evidence"]] for r in result["relations"]],
           title="relations")


@app.command()
def query(
    sparql: Annotated[str | None, typer.Argument(help="SPARQL text, a .rq file, or a saved query's name.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="Saved-query parameter NAME=VALUE.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the saved queries.")] = False,
    store: StoreOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, tsv or xml.")] = "table",
) -> None:
    """Run a SPARQL query: inline, from a file, or a saved query by name.

    Example: reformkg query funds-by-region --format csv
    """
    from .query import get_saved_query, list_saved_queries, run_query, run_saved_query, serialize_result

    if list_:
        saved = list_saved_queries()
        if format == "json":
            _out(json.dumps([q.to_json() for q in saved], ensure_ascii=False))
        else:
            _table(["name", "title", "parameters"],
                   [[q.name, q.title, ", ".join(p.name for p in q.parameters)] for q in saved])
        return
    if not sparql:
        raise QueryError("give a query (text, file or saved-query name), or --list")
    values = {}
    for item in param or []:
        if "=" not in item:
            raise QueryError(f"--param {item!r}: use NAME=VALUE")
        k, v = item.split("=", 1)
        values[k] = v
    with _reading(store) as st:
        if Path(sparql).suffix == ".rq" and Path(sparql).is_file():
            result = run_query(st, Path(sparql).read_text(encoding="utf-8"))
        elif " " not in sparql.strip() and "{" not in sparql:
            get_saved_query(sparql)
            result = run_saved_query(st, sparql, values)
        else:
            result = run_query(st, sparql)
    if format != "table":
        _out(serialize_result(result, format))
    elif result.kind == "ask":
        _out(str(result.boolean).lower())
    elif result.kind == "graph":
        _out(serialize_result(result, "nt"))
    else:
        _table(list(result.variables), [[("" if t is None else t.value) for t in row] for row in result.rows])


@app.command()
def render(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    focus: Annotated[str | None, typer.Option("--focus", help="Entity name to centre on.")] = None,
    depth: Annotated[int, typer.Option("--depth", help="Hops around --focus.")] = 2,
    type_: Annotated[list[str] | None, typer.Option("--type", "-t", help="Keep only this entity type (repeatable).")] = None,
    predicate: Annotated[list[str] | None, typer.Option("--predicate", "-p",
                                                        help="Keep only this relation (repeatable).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only articles dated on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only articles dated on or before YYYY-MM-DD.")] = None,
    layout: Annotated[str, typer.Option("--layout", help="auto, physics or precomputed.")] = "auto",
    store: StoreOpt = None,
) -> None:
    """Write an interactive network view of the graph (one offline HTML file).

    Example: reformkg render --out graph.html --focus "Dean Russell" --depth 2 --type Person --type Fund
    """
    from .explore import network_view
    from .render import render_network_html

    if layout not in ("auto", "physics", "precomputed"):
        raise QueryError(f"--layout {layout!r}: use auto, physics or precomputed")
    with _reading(store) as st:
        g = network_view(st, types=type_, predicates=predicate, since=since, until=until, focus=focus, depth=depth)
    out.write_text(render_network_html(g, title=f"ReformKG: {focus}" if focus else "ReformKG network",
                                       layout=layout), encoding="utf-8")
    err.print(f"wrote {out} ({g.number_of_nodes()} nodes, {g.number_of_edges()} edges)", highlight=False)


@app.command()
def stats(store: StoreOpt = None, format: FormatOpt = "table") -> None:
    """Count articles, entities by type and relations by predicate.

    Example: reformkg stats --format json
    """
    from .query import collect_stats

    with _reading(store) as st:
        figures = collect_stats(st)
    if format == "json":
        _out(json.dumps(figures))
        return
    rows = [["articles", "", str(figures["articles"])]]
    rows += [["entity", k, str(v)] for k, v in figures["entities"].items()]
    rows += [["relation", k, str(v)] for k, v in figures["relations"].items()]
    _table(["what", "kind", "count"], rows)


@app.command()
def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a query may run.")] = 10.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Rows (or triples) a query returns at most.")] = 10_000,
    allow_service: Annotated[bool, typer.Option("--allow-service",
                                                help="Let SERVICE clauses query other endpoints.")] = False,
    get: Annotated[str | None, typer.Option("--get", help="Print the response to GET PATH and exit.")] = None,
) -> None:
    """Serve the web app and a read-only SPARQL endpoint at /sparql.

    Example: reformkg serve --store ./store --port 8000
    """
    from .server import ServeOptions, fetch_path
    from .server import serve as serve_app

    options = ServeOptions(timeout=timeout, max_rows=max_rows, allow_service=allow_service)
    if get is not None:
        status, _, body = fetch_path(_settings(store), options, get)
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        if status >= 400:
            err.print(f"GET {get}: HTTP {status}", highlight=False)
            raise typer.Exit(1)
        return
    err.print(f"serving {_settings(store).store} on http://{host}:{port}/ (SPARQL endpoint /sparql); "
              "Ctrl-C stops", highlight=False)
    serve_app(_settings(store), options, host=host, port=port)


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Entity name, alias or IRI.")],
    articles: Annotated[int, typer.Option("--articles", min=0,
                                          help="How many of its most recent articles to list.")] = 20,
    relations: Annotated[int, typer.Option("--relations", min=0,
                                           help="How many of its most recent relations to list.")] = 20,
    store: StoreOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Print an entity's card: names, IDs, posts, the most recent relations (with evidence) and articles, and totals.

    Example: reformkg show "Jeremy Hunt" --articles 50 --format json
    """
    from .explore import entity_card

    with _reading(store) as st:
        card = entity_card(st, name, articles, relations)
    if format == "json":
        _out(json.dumps(card.to_json(), ensure_ascii=False))
        return
    c = card.to_json()
    amount = f"£{c['amount_gbp']:,.0f}" if c["amount_gbp"] is not None else ""
    ids = "; ".join(f"{i['scheme']}: {i['value']}" for i in c["identifiers"])
    _table(["field", "value"], [["name", c["name"]], ["type", c["type"]], ["iri", c["iri"]],
                                ["names", "; ".join(c["names"])], ["identifiers", ids], ["amount", amount]],
           title=c["name"])
    if c["posts"]:
        _table(["role", "as of", "source"], [[p["role"], p["as_of"] or "", p["article"]["title"] or p["article"]["iri"]]
                                             for p in c["posts"]], title="posts")
    if c["relations"]:
        _table(["relation", "evidence", "source"],
               [[(f"{c['name']} {r['predicate']} {r['other_name']}" if r["direction"] == "out"
                  else f"{r['other_name']} {r['predicate']} {c['name']}"), r["evidence"],
                 r["article"]["title"] or r["article"]["iri"]] for r in c["relations"]],
               title=f"relations ({c['relations_listed']} most recent of {c['relations_total']})")
    if c["relation_counts"]:
        _table(["relation", "direction", "count"], [[r["predicate"], r["direction"], str(r["count"])]
                                                    for r in c["relation_counts"]], title="relations by kind")
    _table(["article", "date"], [[a["title"] or a["iri"], a["date"] or ""] for a in c["articles"]],
           title=f"mentioned in ({c['articles_listed']} most recent of {c['articles_total']})")


@app.command()
def path(
    a: Annotated[str, typer.Argument(help="First entity (name, alias or IRI).")],
    b: Annotated[str, typer.Argument(help="Second entity.")],
    k: Annotated[int, typer.Option("--k", "-k", help="How many alternative paths.")] = 3,
    no_articles: Annotated[bool, typer.Option("--relations-only",
                                              help="Only stated relations, not 'named in the same article'.")] = False,
    store: StoreOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Print how two entities connect: shortest paths, each hop with its evidence.

    Example: reformkg path "Jeremy Hunt" "NHS" --k 3
    """
    from .explore import find_paths

    with _reading(store) as st:
        paths = find_paths(st, a, b, k, via_articles=not no_articles)
    if format == "json":
        _out(json.dumps([p.to_json() for p in paths], ensure_ascii=False))
        return
    if not paths:
        err.print(f"no path between {a!r} and {b!r}", highlight=False)
    for i, p in enumerate(paths, 1):
        _table(["hop", "evidence", "source"],
               [[f"{h.subject_name} {h.predicate} {h.object_name}", h.evidence, h.article.title or h.article.iri]
                for h in p.hops], title=f"path {i} ({len(p.hops)} hop(s))")


@app.command()
def timeline(
    name: Annotated[str | None, typer.Argument(help="Only this entity's events (name, alias or IRI).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write an HTML chart here instead.")] = None,
    store: StoreOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Print announcements, funds, programmes and posts in date order (or chart them with --out).

    Example: reformkg timeline "Family Hubs" --out timeline.html
    """
    from .explore import timeline as collect_timeline

    with _reading(store) as st:
        events = collect_timeline(st, name)
    if out is not None:
        from .render import render_timeline_html

        out.write_text(render_timeline_html(events, title=f"ReformKG timeline: {name}" if name else
                                            "ReformKG timeline"), encoding="utf-8")
        err.print(f"wrote {out} ({len(events)} events)", highlight=False)
        return
    if format == "json":
        _out(json.dumps([e.to_json() for e in events], ensure_ascii=False))
        return
    _table(["date", "kind", "event", "evidence", "source"],
           [[e.date or "undated", e.kind, e.text, e.evidence or "", e.article.title or e.article.iri] for e in events])


@app.command()
def validate(
    store: StoreOpt = None,
    format: FormatOpt = "table",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Check every article graph in the store against the SHACL shapes; exit 5 on a violation.

    Example: reformkg validate --format json
    """
    from rich.progress import Progress

    from .validate import validate_store

    with _reading(store) as st:
        with Progress(console=err, transient=True, disable=quiet or not err.is_terminal) as bar:
            task = bar.add_task("validating", total=None)
            report = validate_store(st, on_progress=lambda i, n: bar.update(task, completed=i, total=n))
    if format == "json":
        _out(json.dumps(report.to_json(), ensure_ascii=False))
    elif report.results:
        _table(["severity", "graph", "problem"],
               [[v.severity, v.graph.rsplit("/", 1)[-1], v.describe()] for v in report.results])
    if report.conforms:
        err.print(f"{report.graphs} graph(s) conform ({len(report.results)} warning(s))", highlight=False)
        return
    from .errors import ValidationError

    bad = len({v.graph for v in report.violations})
    raise ValidationError(f"{len(report.violations)} violation(s) in {bad} of {report.graphs} graph(s); "
                          f"first: {report.violations[0].describe()}")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="turtle, trig, nquads, jsonld, graphml or gexf.")] = "turtle",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")] = None,
    store: StoreOpt = None,
) -> None:
    """Export the store as RDF, or as a network for Gephi and Cytoscape.

    Example: reformkg export --format graphml --out reformkg.graphml
    """
    from .export import export_store

    with _reading(store) as st:
        data = export_store(st, format)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(data)
        err.print(f"wrote {out} ({len(data):,} bytes)", highlight=False)


@app.command()
def link(
    file: Annotated[Path, typer.Argument(help="An article file (.txt or .html) to link.")],
    store: StoreOpt = None,
    format: FormatOpt = "table",
) -> None:
    """List the programmes, funds and new bodies in the graph that an article refers to, best first.

    Example: reformkg link new-article.txt --store ./store --format json
    """
    from .pipeline import link_file

    links = link_file(file, _settings(store))
    if format == "json":
        _out(json.dumps([lk.to_json() for lk in links], ensure_ascii=False))
        return
    _table(["score", "type", "name", "amount_gbp", "evidence"],
           [[f"{lk.score:.2f}", lk.type, lk.name, "" if lk.amount_gbp is None else f"{lk.amount_gbp:,.0f}",
             lk.evidence.sentence if lk.evidence else ""] for lk in links])


@app.command()
def conflicts(store: StoreOpt = None, format: FormatOpt = "table") -> None:
    """List where sources disagree: a fund's amount, a post's holder, a programme's launch date.

    Example: reformkg conflicts --format json
    """
    from .conflicts import find_conflicts

    with _reading(store) as st:
        found = find_conflicts(st)
    if format == "json":
        _out(json.dumps([c.to_json() for c in found], ensure_ascii=False))
        return
    if not found:
        err.print("no conflicts: the sources agree on every fund amount, post holder and launch date found")
        return
    _table(["kind", "subject", "values", "evidence", "articles"],
           [[c.kind, c.label, " / ".join(s.value for s in c.sides), " | ".join(s.evidence for s in c.sides),
             " | ".join(s.article for s in c.sides)] for c in found])


gazetteer_app = typer.Typer(cls=_Group, no_args_is_help=True, help="Manage the gazetteer of UK places and bodies.")
app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("import")
def gazetteer_import(
    file: Annotated[Path, typer.Argument(help="An ONS names-and-codes CSV (e.g. LAD24CD,LAD24NM).")],
) -> None:
    """Add or refresh areas from an ONS names-and-codes CSV in the user gazetteer.

    Example: reformkg gazetteer import LAD_DEC_2024_UK_NC.csv
    """
    from .gazetteer import import_ons_csv, user_gazetteer_path

    changed = import_ons_csv(file)
    err.print(f"{changed} area(s) added or changed in {user_gazetteer_path()}", highlight=False)


def main() -> None:
    """Run the ``reformkg`` command."""
    app()
