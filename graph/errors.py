"""The one error hierarchy of ReformKG, mapped to exit codes and HTTP statuses in one place each.

::

    ReformKGError            exit 1   HTTP 500   anything the library raises on purpose
    ├── SourceError          exit 3   HTTP 400   an article that cannot be read or parsed
    ├── QueryError           exit 4   HTTP 400   bad SPARQL, unknown saved query, bad parameter
    ├── ValidationError      exit 5   HTTP 422   SHACL violations in an article's graph
    └── StoreError           exit 6   HTTP 503   the store cannot be opened, is locked, or failed

Exit code 2 stays reserved for Typer's usage errors. Messages are one line that says what
went wrong and what to do.
"""

from __future__ import annotations


class ReformKGError(Exception):
    """A failure the user can act on; anything else is a bug."""

    exit_code: int = 1
    http_status: int = 500


class SourceError(ReformKGError):
    """An article source that cannot be read, decoded or parsed."""

    exit_code = 3
    http_status = 400


class QueryError(ReformKGError):
    """A SPARQL query, saved-query name or parameter that is not acceptable."""

    exit_code = 4
    http_status = 400


class ValidationError(ReformKGError):
    """An article graph that fails the SHACL shapes; the message lists the first violations."""

    exit_code = 5
    http_status = 422

    def __init__(self, message: str, violations: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.violations = violations


class StoreError(ReformKGError):
    """A store that cannot be opened, is locked by another writer, or failed an operation."""

    exit_code = 6
    http_status = 503
