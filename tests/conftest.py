"""Fixtures: every database test runs on a real SQLite file and a real PostgreSQL.

PostgreSQL comes from LEDGER_TEST_DATABASE_URL (default: postgres on 127.0.0.1:5432,
database test). Each test gets its own schema, dropped afterwards. Where the server is
unreachable the PostgreSQL half skips with the reason, except under CI=true, where it
fails: CI must never silently skip it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

PG_URL = os.environ.get(
    "LEDGER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_problem() -> str | None:
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(PG_URL)
        with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                             password=url.password, dbname=url.database, connect_timeout=3):
            return None
    except Exception as exc:  # any reason at all: report it
        return f"PostgreSQL at {PG_URL} unreachable: {str(exc).strip().splitlines()[0]}"


_PG_PROBLEM: str | None = None
_PG_CHECKED = False


def require_postgres() -> None:
    global _PG_PROBLEM, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_PROBLEM, _PG_CHECKED = _postgres_problem(), True
    if _PG_PROBLEM:
        if IN_CI:
            pytest.fail(f"CI=true but {_PG_PROBLEM}")
        pytest.skip(_PG_PROBLEM)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LEDGER_DB", "LEDGER_TODAY", "LEDGER_SCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGER_USER", "tester")


def new_postgres_schema() -> tuple[str, str]:
    """A fresh schema and a URL whose search_path points at it."""
    import psycopg
    from sqlalchemy.engine import make_url

    schema = "t_" + uuid.uuid4().hex[:12]
    url = make_url(PG_URL)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                         password=url.password, dbname=url.database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def drop_postgres_schema(schema: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                         password=url.password, dbname=url.database, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_empty_url() -> Iterator[str]:
    """A PostgreSQL URL on an empty schema (no ledger tables)."""
    require_postgres()
    schema, url = new_postgres_schema()
    try:
        yield url
    finally:
        drop_postgres_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A ready ledger database: an SQLite file path, or a PostgreSQL URL (migrated)."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    require_postgres()
    schema, url = new_postgres_schema()
    from ledger.store import Store

    store = Store(url)
    store.upgrade()
    store.dispose()
    try:
        yield url
    finally:
        drop_postgres_schema(schema)


class Cli:
    """Runs `ledger` in-process against one database with a fixed today."""

    def __init__(self, db: str, today: str = "2025-06-10") -> None:
        self.db = db
        self.today = today
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, today: str | None = None):
        from ledger.cli import cli

        full = ["--db", self.db, "--today", today or self.today, *args]
        return self.runner.invoke(cli, full, input=input, catch_exceptions=False)

    def ok(self, *args: str, **kwargs):
        result = self(*args, **kwargs)
        assert result.exit_code == 0, (result.output, result.stderr)
        return result


@pytest.fixture
def ledger_cli(db_url: str) -> Cli:
    return Cli(db_url)


def snapshot(db: str) -> str:
    """A fingerprint of everything stored: the schema and every row. (Not an SQLite file's
    bytes: a bulk load switches the journal mode, which checkpoints the write-ahead log
    and so moves pages between files without changing anything stored.)"""
    if "://" not in db:
        path = Path(db)
        digest = hashlib.sha256()
        if not path.exists():
            return digest.hexdigest()
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
            digest.update(repr(schema).encode())
            for _, table, _, _ in [row for row in schema if row[0] == "table"]:
                for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                    digest.update(repr(tuple(row)).encode())
        finally:
            conn.close()
        return digest.hexdigest()
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import ledger.models  # noqa: F401

    engine = create_engine(db)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(SQLModel.metadata.tables):
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()
