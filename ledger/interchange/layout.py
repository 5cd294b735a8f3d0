"""What every import shares, whichever way it loads the rows: the summary it returns, the
columns of its journal entries, the text SQLite stores dates in, the sources the ledger
already knows, and the settings a big load runs under."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger.models import Source, SourceAlias


@dataclass
class ImportSummary:
    tracker: str
    rows: int = 0
    added: int = 0
    cited: int = 0
    resolved: int = 0
    unchanged: int = 0
    sources_added: int = 0
    dry_run: bool = False
    loaded_by: str = "rows"  # "rows": checked and written row by row; "staged": ledger.interchange.staged


CHUNK = 2000  # records written at a time, and in one journal entry

# The columns of an import's journal entry (read back by ledger.integrity).
FORECAST_COLUMNS = ["id", "source", "statement", "probability", "phrase", "scale", "made_on", "deadline",
                    "deadline_phrase", "deadline_kind", "criteria", "tags"]
CITATION_COLUMNS = ["forecast", "id", "url", "outlet", "title", "published", "quote"]
RESOLUTION_COLUMNS = ["forecast", "id", "outcome", "void_reason", "resolved_on", "evidence", "note", "supersedes"]


@lru_cache(maxsize=1024)
def sqlite_timestamp(value: datetime | None) -> str | None:
    """A timestamp as SQLAlchemy stores it in SQLite (UTC wall time, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_boolean(value: bool | None) -> int | None:
    return None if value is None else int(value)


@lru_cache(maxsize=4096)
def iso_date(value: date | None) -> str | None:
    """A date as SQLite and the journal store it (each distinct date formatted once)."""
    return None if value is None else value.isoformat()


SQLITE_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DateTime": sqlite_timestamp, "Date": iso_date, "Boolean": sqlite_boolean,
}


def known_source_ids(session: Session) -> dict[str, int]:
    """Every source key and alias key the ledger knows, with its source's id."""
    ids = {key: source_id for source_id, key in session.execute(select(Source.id, Source.key))}
    for source_id, key in session.execute(select(SourceAlias.source_id, SourceAlias.key)):
        ids.setdefault(key, source_id)
    return ids


# Into an empty SQLite ledger, the forecast indexes whose keys arrive in random order
# (statement hash, source, deadline, tag) are dropped and built again at the end: one
# sort instead of a million scattered B-tree inserts. Nothing looks them up meanwhile
# (an empty ledger has no earlier forecasts to match), the DDL is part of the same
# transaction, and a failed import rolls the drop back with everything else.
DEFERRED_INDEX_TABLES = ("forecast", "forecasttag")


def drop_deferred_indexes(session: Session, tables: tuple[str, ...] = DEFERRED_INDEX_TABLES) -> list[str]:
    """Drop the indexes of `tables` (SQLite); returns the statements that build them
    again. A UNIQUE constraint's own index stays; a unique index dropped here checks
    every row again when it is rebuilt, inside the same transaction."""
    connection = session.connection()
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        f"({', '.join(repr(t) for t in tables)})").all()
    for name, _ in found:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while importing. An import makes millions of
    short-lived dicts and tuples (freed by reference counting; they hold no cycles), and
    each burst of them sets off the cyclic collector, which walks every live container:
    that was a third of a 200,000-row import. One collection at the end picks up any
    cycle made meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


BULK_CACHE_KIB = 128 * 1024


def with_big_cache(work: Callable[[Session], ImportSummary]) -> Callable[[Session], ImportSummary]:
    """SQLite: a 128 MiB page cache for the import's transaction (the default 2 MiB makes
    every index insert of a big file a trip to disk), the usual size restored after."""

    def wrapped(session: Session) -> ImportSummary:
        connection = session.connection()
        if connection.dialect.name != "sqlite":
            return work(session)
        usual = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            return work(session)
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(usual)}")

    return wrapped
