"""Shared fixtures (the only conftest): the founding corpus, a store built from it once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from reformkg.cli import app

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
SHARED_EVAL = ROOT.parent / "shared" / "eval"

settings.register_profile(
    "ci", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The founding corpus folder (five articles and their manifest)."""
    return SOURCES


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    """A Typer CLI runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once by running ``reformkg ingest sources/`` through the CLI."""
    store = tmp_path_factory.mktemp("seed") / "store"
    result = CliRunner().invoke(app, ["ingest", str(SOURCES), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    return store
