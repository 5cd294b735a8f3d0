"""Where the ledger lives: engines from a path or URL, transactions, schema upgrades.

A path means an SQLite file (the one-person default); a URL such as
`postgresql+psycopg://user@host/db` means a shared database. SQLite runs with foreign
keys, WAL, a busy timeout and synchronous=FULL, and write transactions start with
BEGIN IMMEDIATE so that concurrent writers queue instead of failing half-way.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from ledger.errors import LedgerError, StorageError
from ledger.migrations import HEAD

T = TypeVar("T")
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
LOCK_RETRIES = 8


def default_path() -> Path:
    """`ledger.db` in the platform's user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("forecast-ledger", appauthor=False)) / "ledger.db"


def database_url(db: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from `--db` / `LEDGER_DB`: a path means SQLite."""
    raw = str(db) if db else os.environ.get("LEDGER_DB") or str(default_path())
    if "://" in raw:
        if raw.startswith(("postgres://", "postgresql://")):
            raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
        return raw
    return "sqlite:///" + str(Path(raw).expanduser().resolve())


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, safe to print."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def mask_text(message: str, url: str) -> str:
    """A driver message with the URL's password removed wherever it appears."""
    try:
        password = make_url(url).password
    except Exception:  # an unparsable URL has nothing to mask but its own text
        password = None
    message = message.replace(url, mask_url(url))
    if password:
        message = message.replace(str(password), "***")
    return mask_url(message)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


class Store:
    """One database: engine, sessions and schema state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.path = Path(url[len("sqlite:///"):]) if self.is_sqlite else None
        if self.path is not None:
            self._check_sqlite_path(self.path)
        try:
            self.engine = self._make_engine()
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise StorageError(
                f"cannot open database {mask_url(url)}: {mask_text(_first_line(exc), url)}"
            ) from None
        self._schema_checked = False

    # --- engine -----------------------------------------------------------------

    def _check_sqlite_path(self, path: Path) -> None:
        if path.exists():
            if path.is_dir():
                raise StorageError(f"{path} is a directory, not a ledger file")
            with path.open("rb") as handle:
                head = handle.read(16)
            if head and head != SQLITE_MAGIC:
                raise StorageError(f"{path} is not an SQLite ledger file; it was left untouched")
            return
        parent = path.parent
        if not parent.exists():
            if parent == default_path().parent:
                parent.mkdir(parents=True, exist_ok=True)
            else:
                raise StorageError(f"cannot create ledger {path}: directory {parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise StorageError(f"cannot create ledger {path}: directory {parent} is not writable")

    def _make_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=False)
        engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):  # noqa: ANN001 - DB-API objects
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()
            if not has_sql_function(dbapi_connection, "ln(1.0)"):
                # SQLite built without its maths functions: the report's log loss needs ln.
                dbapi_connection.create_function("ln", 1, natural_log, deterministic=True)

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # noqa: ANN001
            write = conn.get_execution_options().get("ledger_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    # --- transactions -----------------------------------------------------------

    @contextmanager
    def session(self, write: bool = False, snapshot: bool = False, bulk_load: bool = False) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error.

        `snapshot` makes every query of a read see the same state on PostgreSQL too (an
        SQLite read transaction always does): for reads of several queries that must agree.
        `bulk_load`: see :meth:`_rollback_journal`."""
        self.ensure_schema()
        with self._bind(write, bulk_load and self.is_sqlite) as bind, Session(bind, expire_on_commit=False) as session:
            try:
                with session.begin():
                    if write and not self.is_sqlite:
                        # One writer at a time keeps the journal a single chain.
                        session.execute(text("SELECT pg_advisory_xact_lock(7340177)"))
                    elif snapshot and not self.is_sqlite:
                        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
                    yield session
            except (OperationalError, sqlite3.OperationalError) as exc:  # the latter from raw driver calls
                raise self._storage_error(exc) from None

    @contextmanager
    def _bind(self, write: bool, rollback_journal: bool) -> Iterator[Any]:
        if not rollback_journal:
            yield self.engine.execution_options(ledger_write=write)
            return
        with self.engine.connect() as connection, self._rollback_journal(connection.connection.driver_connection):
            yield connection.execution_options(ledger_write=write)

    @staticmethod
    @contextmanager
    def _rollback_journal(raw: sqlite3.Connection) -> Iterator[None]:
        """SQLite, for one big load: the rollback journal instead of WAL. Either is as
        durable (synchronous=FULL); but WAL writes every new page twice, into the log and
        then into the file at the checkpoint, while a rollback journal keeps only the old
        contents of pages that existed before: into a ledger with no forecasts yet, new
        pages are written once. Readers wait while the load commits. If another connection
        has the file open, the mode cannot change and the load simply runs in WAL; if this
        process dies mid-load, the next opener rolls the journal back, and every
        connection sets WAL again as it opens."""
        try:
            raw.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.OperationalError:
            pass  # busy: stay in WAL
        try:
            yield
        finally:
            try:
                raw.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # busy: the next connection to open sets WAL

    def write(self, work: Callable[[Session], T], bulk_load: bool = False) -> T:
        """Run `work` in one write transaction, retrying while SQLite is locked;
        `bulk_load`: see :meth:`_rollback_journal`."""
        delay = 0.05
        for attempt in range(LOCK_RETRIES):
            try:
                with self.session(write=True, bulk_load=bulk_load) as session:
                    return work(session)
            except StorageError as exc:
                if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def read(self, work: Callable[[Session], T]) -> T:
        with self.session(write=False) as session:
            return work(session)

    def _storage_error(self, exc: Exception) -> StorageError:
        message = mask_text(_first_line(exc), self.url)
        if self.is_sqlite and "not a database" in message:
            return StorageError(f"{self.path} is not an SQLite ledger file; it was left untouched")
        if "readonly" in message or "read-only" in message:
            return StorageError(f"cannot write to {mask_url(self.url)}: {message}")
        return StorageError(f"database {mask_url(self.url)}: {message}")

    # --- schema -----------------------------------------------------------------

    def revision(self) -> str | None:
        """The schema revision stored in the database (None for an empty database)."""
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as exc:
            raise self._storage_error(exc) from None

    def ensure_schema(self) -> None:
        """Upgrade an SQLite ledger on first use; refuse an out-of-date PostgreSQL one."""
        if self._schema_checked:
            return
        current = self.revision()
        if current != HEAD:
            if not self.is_sqlite:
                state = "has no ledger schema" if current is None else f"is at schema {current}"
                raise StorageError(
                    f"database {mask_url(self.url)} {state}; the tool needs {HEAD}: "
                    "run `ledger db upgrade`"
                )
            self.upgrade()
        self._schema_checked = True

    def upgrade(self) -> tuple[str | None, str]:
        """Run the shipped Alembic migrations to head; back up an SQLite file first."""
        before = self.revision()
        if before == HEAD:
            self._schema_checked = True
            return before, HEAD
        if self.is_sqlite and before is not None and self.path is not None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            backup = self.path.with_name(f"{self.path.name}.{before}.{stamp}.bak")
            self.backup_sqlite(backup)
        from alembic import command
        from alembic.util import CommandError

        from ledger.migrations import alembic_config

        config = alembic_config()
        try:
            with self.engine.execution_options(ledger_write=True).begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except DBAPIError as exc:
            raise self._storage_error(exc) from None
        except CommandError:
            raise StorageError(
                f"database {mask_url(self.url)} is at schema {before}, which this version of "
                f"ledger does not know (it knows up to {HEAD}); upgrade forecast-ledger") from None
        self._schema_checked = True
        return before, HEAD

    def backup_sqlite(self, target: Path) -> None:
        """Copy the SQLite file with the online backup API (safe while others write)."""
        if self.path is None:
            raise LedgerError("backup_sqlite needs an SQLite ledger")
        source = sqlite3.connect(str(self.path))
        try:
            dest = sqlite3.connect(str(target))
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()

    def counts(self) -> dict[str, int]:
        from ledger.models import SQLModel

        with self.engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            return {
                table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() or 0
                for table in sorted(SQLModel.metadata.tables)
                if table in names
            }

    def dispose(self) -> None:
        self.engine.dispose()


def has_sql_function(dbapi_connection: Any, call: str) -> bool:
    """Whether this SQLite library knows a function (maths functions are a build option)."""
    try:
        dbapi_connection.execute(f"SELECT {call}").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def natural_log(value: float | None) -> float | None:
    """SQLite's ln(): NULL for NULL and for numbers at or below zero."""
    if value is None or value <= 0:
        return None
    return math.log(value)
