"""Storage: migrations, schema checks, bad database paths and URLs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.errors import StorageError
from ledger.migrations import HEAD
from ledger.store import Store, database_url, mask_url
from tests.conftest import Cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_head_constant_matches_alembic_scripts() -> None:
    from alembic.script import ScriptDirectory

    from ledger.migrations import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def _schema_diff(url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    import ledger.models

    ledger.models.declare_partial_indexes()  # as the migrations' env.py does
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_sqlite_upgrades_itself_and_matches_models(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    result = run("--db", str(path), "list")
    assert result.exit_code == 0 and path.exists()
    assert Store(database_url(str(path))).revision() == HEAD
    assert _schema_diff(database_url(str(path))) == []


def test_postgres_from_empty_to_head_matches_models(pg_empty_url: str) -> None:
    result = run("--db", pg_empty_url, "list")
    assert result.exit_code == 1
    assert "has no ledger schema" in result.stderr and "ledger db upgrade" in result.stderr
    upgraded = run("--db", pg_empty_url, "db", "upgrade")
    assert upgraded.exit_code == 0 and f"to {HEAD}" in upgraded.stdout
    assert _schema_diff(pg_empty_url) == []
    assert run("--db", pg_empty_url, "db", "upgrade").stdout.strip().endswith(f"up to date (schema {HEAD})")


def test_out_of_date_postgres_names_upgrade(pg_empty_url: str) -> None:
    from sqlalchemy import create_engine, text

    db_url = pg_empty_url
    assert run("--db", db_url, "db", "upgrade").exit_code == 0
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    result = run("--db", db_url, "list")
    assert result.exit_code == 1
    assert "is at schema 0000" in result.stderr and "ledger db upgrade" in result.stderr


def test_db_status_and_path(db_url: str) -> None:
    cli_ = Cli(db_url)
    cli_.ok("add", "It rains", "-s", "Forecaster", "-P", "0.3", "-d", "2025-06-30")
    status = cli_.ok("db", "status", "-f", "json").stdout
    import json

    record = json.loads(status)
    assert record["schema"] == HEAD and record["up_to_date"] is True
    assert record["forecast"] == 1 and record["journal"] == 1
    path = cli_.ok("db", "path").stdout.strip()
    assert path == (db_url if "://" in db_url else str(Path(db_url).resolve())) or "***" in path


def test_password_is_masked_everywhere() -> None:
    url = "postgresql+psycopg://alice:s3cret-pw@127.0.0.1:1/nowhere"
    assert mask_url(url) == "postgresql+psycopg://alice:***@127.0.0.1:1/nowhere"
    result = run("--db", url, "list")
    assert result.exit_code == 1
    assert "s3cret-pw" not in result.output
    assert result.stderr.startswith("error: ") and "alice:***@" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "s3cret-pw" not in run("--db", url, "db", "path").output


def test_unwritable_and_missing_directories(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "ledger.db"
    result = run("--db", str(missing), "list")
    assert result.exit_code == 1 and "does not exist" in result.stderr
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        result = run("--db", str(locked / "ledger.db"), "list")
        assert result.exit_code == 1 and "not writable" in result.stderr


def test_non_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("my precious notes, not a database\n")
    before = bogus.read_bytes()
    result = run("--db", str(bogus), "add", "X", "-s", "A", "-P", "0.5")
    assert result.exit_code == 1 and "not an SQLite ledger file" in result.stderr
    assert bogus.read_bytes() == before


def test_old_sqlite_ledger_is_backed_up_before_migrating(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    assert run("--db", str(path), "add", "X happens", "-s", "A", "-P", "0.5").exit_code == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0000'")
    # Pretend the file is one revision behind: the upgrade must back it up first.
    store = Store(database_url(str(path)))
    try:
        with pytest.raises(StorageError, match="schema 0000, which this version of ledger does not know"):
            store.upgrade()  # '0000' is unknown to Alembic: no silent rewrite
    finally:
        store.dispose()
    backups = list(tmp_path.glob("ledger.db.0000.*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT count(*) FROM forecast").fetchone() == (1,)


def test_sqlite_pragmas(tmp_path: Path) -> None:
    store = Store(database_url(str(tmp_path / "p.db")))
    store.ensure_schema()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    store.dispose()


def test_default_database_in_user_data_dir(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("LEDGER_DB", None)
    done = subprocess.run([sys.executable, "-m", "ledger", "db", "path"], env=env,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(tmp_path / "data" / "forecast-ledger" / "ledger.db")
    subprocess.run([sys.executable, "-m", "ledger", "list"], env=env, capture_output=True, check=True)
    assert (tmp_path / "data" / "forecast-ledger" / "ledger.db").exists()


def test_raw_driver_errors_become_one_line_storage_errors(tmp_path: Path) -> None:
    """Work that calls the sqlite3 driver directly (the staged import) gets its errors
    mapped like SQLAlchemy's: one line naming the database, and the transaction undone."""
    db = tmp_path / "ledger.db"
    store = Store(database_url(str(db)))

    def work(session):  # noqa: ANN001, ANN202
        raw = session.connection().connection.driver_connection
        raw.execute("INSERT INTO source (name, key, kind, created_at) VALUES ('A', 'a', 'person', '2025-01-01')")
        raw.execute("SELECT * FROM no_such_table")

    try:
        with pytest.raises(StorageError, match=r"^database .*ledger\.db: no such table: no_such_table$"):
            store.write(work)
    finally:
        store.dispose()
    assert sqlite3.connect(db).execute("SELECT count(*) FROM source").fetchone() == (0,)
