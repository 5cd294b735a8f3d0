"""Importing a file all or nothing, in one transaction.

Rows are read, checked and written in chunks as they come, inside one transaction, with
one journal entry per chunk; after the first bad row nothing more is written, every
remaining row is still checked so that all problems can be listed, and the transaction
is rolled back. Writes go straight to the driver with ids assigned under the write
lock: executemany on SQLite, COPY on PostgreSQL. Re-importing the same file adds
nothing: a forecast is known by its source, statement and deadline, a citation by its
article and quote.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from ledger import journal, views
from ledger.book import statement_key
from ledger.errors import LedgerError, StorageError
from ledger.interchange import staged
from ledger.interchange.layout import (
    CHUNK,
    CITATION_COLUMNS,
    FORECAST_COLUMNS,
    RESOLUTION_COLUMNS,
    SQLITE_CONVERTERS,
    ImportSummary,
    cyclic_gc_paused,
    drop_deferred_indexes,
    iso_date,
    known_source_ids,
    with_big_cache,
)
from ledger.interchange.readers import WideLayout, detect, read_rows
from ledger.interchange.records import ImportProblems, Problems, validate_row
from ledger.models import (
    Article,
    Citation,
    Forecast,
    Resolution,
    Source,
)
from ledger.store import Store

ANALYZE_AFTER = 10_000  # forecasts added by one import, above which PostgreSQL re-analyses


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary


def spool_stdin() -> Path:
    """Standard input copied to a temporary file, so that it can be read twice."""
    handle = tempfile.NamedTemporaryFile(prefix="ledger-import-", suffix=".dat", delete=False)
    with handle:
        shutil.copyfileobj(sys.stdin.buffer, handle)
    return Path(handle.name)


def _records(path: Path, tracker: str, container: str, problems: Problems, today: date,
             default_source: str | None, layout: WideLayout | None) -> Iterator[dict[str, Any]]:
    for line, row in read_rows(path, tracker, container, problems, layout):
        record = validate_row(row, line, problems, today, default_source)
        if record is not None:
            yield record


def _count_lines(path: Path) -> int | None:
    """Lines in the file, for the progress bar (an estimate where quoted fields hold newlines)."""
    count = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return max(count - 1, 1)


def import_file(store: Store, path: Path, *, forced: str | None, default_source: str | None,
                user: str, today: date, now: datetime, dry_run: bool = False,
                layout: WideLayout | None = None,
                progress: Callable[[int, int | None], None] | None = None,
                name: str | None = None, staged_allowed: bool = True) -> ImportSummary:
    """Import a file all or nothing; raise ImportProblems listing every bad row.

    A plain ledger CSV into an SQLite ledger with no forecasts goes through a staging
    table first (ledger.interchange.staged, several times faster); whatever that path does
    not take comes here, to the row-at-a-time import, with the same result.

    One pass: rows are checked and written as they are read, inside one transaction.
    After the first bad row nothing more is written, but every row is still checked so
    that all problems can be listed; then the transaction is rolled back. `name` is what
    messages call the file (default: its file name).
    """
    name = name or path.name
    tracker, container = detect(path, forced)
    if staged_allowed and not dry_run and tracker == "ledger" and container == "csv" and store.is_sqlite:
        try:
            with cyclic_gc_paused():
                return store.write(with_big_cache(lambda session: staged.load(
                    session, path, user=user, now=now, today=today, default_source=default_source,
                    progress=progress)), bulk_load=True)
        except staged.NotStaged:
            pass  # rolled back; the row-at-a-time import below decides, and lists any problems
    foreign_default = default_source or (user if tracker in {"fatebook", "predictionbook"} else None)
    problems = Problems()
    total = _count_lines(path) if progress else None

    def work(session: Session) -> ImportSummary:
        writer = BulkWriter(session, user, now, ImportSummary(tracker=tracker, dry_run=dry_run))
        chunk: list[dict[str, Any]] = []
        for record in _records(path, tracker, container, problems, today, foreign_default, layout):
            writer.summary.rows += 1
            if problems:
                continue  # keep checking, stop writing
            chunk.append(record)
            if len(chunk) >= CHUNK:
                writer.write(chunk)
                if progress:
                    progress(len(chunk), total)
                chunk = []
        if problems:
            raise ImportProblems(problems, name)  # rolls the transaction back
        if chunk:
            writer.write(chunk)
            if progress:
                progress(len(chunk), total)
        if writer.summary.rows == 0:
            raise LedgerError(f"{name}: no forecasts to import")
        writer.finish()
        if dry_run:
            raise _DryRun(writer.summary)
        return writer.summary

    try:
        with cyclic_gc_paused():
            return store.write(with_big_cache(work))
    except _DryRun as done:
        return done.summary


class BulkWriter:
    """Writes validated records in chunks; one journal entry per chunk."""

    def __init__(self, session: Session, user: str, now: datetime, summary: ImportSummary) -> None:
        self.session = session
        self.user = user
        self.now = now
        self.summary = summary
        self.source_ids: dict[str, int] | None = None
        self.source_keys: dict[str, str] = {}  # each name as written -> its key, worked out once
        self.next_ids: dict[str, int] = {}
        self.ledger_was_empty: bool | None = None
        self.article_ids: dict[Any, int] = {}
        self.seen: dict[tuple[int, str, date | None], int] = {}
        self.deferred_indexes: list[str] = []

    # --- sources and articles ----------------------------------------------------

    def _source_ids(self, records: list[dict[str, Any]], journal_sources: list[dict[str, Any]]) -> None:
        """Set `source_id` on every record, creating the new sources in one insert."""
        if self.source_ids is None:
            self.source_ids = known_source_ids(self.session)
        new: dict[str, dict[str, Any]] = {}
        keys = self.source_keys
        for record in records:
            key = keys.get(record["source"])
            if key is None:
                key = keys[record["source"]] = views.source_key(record["source"])
            record["_source_key"] = key
            if key not in self.source_ids and key not in new:
                new[key] = {"name": " ".join(record["source"].split()), "key": key, "kind": record["source_kind"],
                            "role": record["role"], "created_at": self.now}
        if new:
            ids = self._insert(Source, list(new.values()))
            for (key, params), source_id in zip(new.items(), ids, strict=True):
                self.source_ids[key] = source_id
                journal_sources.append({"id": source_id, "name": params["name"], "kind": params["kind"],
                                        "role": params["role"]})
            self.summary.sources_added += len(new)
        aliases = []
        for record in records:
            record["source_id"] = self.source_ids[record["_source_key"]]
            for alias in record.get("source_aliases") or []:
                key = views.source_key(alias)
                if key not in self.source_ids:
                    self.source_ids[key] = record["source_id"]
                    aliases.append({"source_id": record["source_id"], "alias": alias, "key": key})
                    journal_sources.append({"alias_of": record["source"], "alias": alias})
        self._bulk("sourcealias", aliases)

    def _article_ids(self, citations: list[dict[str, Any]]) -> None:
        """Fill in `article_id` for each citation, creating the articles that are new."""
        wanted: dict[Any, dict[str, Any]] = {}
        for citation in citations:
            key = citation["url"] or ("", citation["outlet"], citation["title"], citation["published"])
            citation["_article"] = key
            if key not in self.article_ids and not _empty_article(citation):
                wanted.setdefault(key, citation)
        urls = [k for k in wanted if isinstance(k, str)]
        for start in range(0, len(urls), 500):
            for article_id, url in self.session.execute(
                    select(Article.id, Article.url).where(Article.url.in_(urls[start:start + 500]))):
                self.article_ids[url] = article_id
                wanted.pop(url, None)
        for key in [k for k in wanted if not isinstance(k, str)]:
            _, outlet, title, published = key
            found = self.session.execute(select(Article.id).where(
                Article.url.is_(None), Article.outlet == outlet, Article.title == title,
                Article.published == published)).scalars().first()
            if found is not None:
                self.article_ids[key] = found
                wanted.pop(key)
        if wanted:
            params = [{"url": c["url"], "outlet": c["outlet"], "title": c["title"],
                       "published": c["published"]} for c in wanted.values()]
            ids = self._insert(Article, params)
            for key, article_id in zip(wanted, ids, strict=True):
                self.article_ids[key] = article_id
        for citation in citations:
            citation["article_id"] = None if _empty_article(citation) else self.article_ids[citation["_article"]]

    def _insert(self, model: Any, params: list[dict[str, Any]], columns: Sequence[str] | None = None) -> list[int]:
        """Bulk insert with ids assigned here: the write lock is ours, so they are free, and
        a plain executemany is many times faster than INSERT … RETURNING row by row.
        `columns` picks the values out of dicts that hold more (records, resolutions)."""
        table = model.__table__
        start = self.next_ids.get(table.name)
        if start is None:
            start = (self.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(start, start + len(params)))
        for row, row_id in zip(params, ids, strict=True):
            row["id"] = row_id
        self.next_ids[table.name] = start + len(params)
        self._bulk(table.name, params, ("id", *columns) if columns else None)
        return ids

    def _bulk(self, table: str, params: list[dict[str, Any]], columns: Sequence[str] | None = None) -> None:
        """The rows straight to the driver, made driver-ready here (a fraction of the cost
        of SQLAlchemy's per-row parameter processing): COPY on PostgreSQL, executemany
        elsewhere."""
        if not params:
            return
        columns = list(columns or params[0])
        values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
        rows: list[Any] = list(map(values, params))
        connection = self.session.connection()
        dialect = connection.dialect.name
        if dialect == "postgresql":
            _copy_rows(connection, table, columns, rows)
            return
        if dialect == "sqlite":  # SQLite stores dates and timestamps as text, in SQLAlchemy's layout
            kinds = [type(SQLModel.metadata.tables[table].c[c].type).__name__ for c in columns]
            rows = _converted_columns(rows, {i: SQLITE_CONVERTERS[k] for i, k in enumerate(kinds)
                                             if k in SQLITE_CONVERTERS})
        mark = "?" if dialect == "sqlite" else "%s"
        connection.exec_driver_sql(f'INSERT INTO "{table}" ({", ".join(columns)}) '
                                   f'VALUES ({", ".join([mark] * len(columns))})', rows)

    def finish(self) -> None:
        """Build any deferred indexes; PostgreSQL: move each id sequence past the ids
        assigned here, and refresh the planner's statistics after a big load (as after a
        restore) rather than leave the first reports to plan on stale ones."""
        for sql in self.deferred_indexes:
            self.session.connection().exec_driver_sql(sql)
        self.deferred_indexes = []
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for table, next_id in self.next_ids.items():
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :last)"), {"last": next_id - 1})
        if self.summary.added >= ANALYZE_AFTER:
            self.session.execute(text(f"ANALYZE {', '.join(sorted(self.next_ids))}"))

    # --- one chunk -----------------------------------------------------------------

    def write(self, records: list[dict[str, Any]]) -> None:
        session = self.session
        if self.ledger_was_empty is None:
            self.ledger_was_empty = session.execute(select(Forecast.id).limit(1)).first() is None
            if self.ledger_was_empty and session.get_bind().dialect.name == "sqlite":
                self.deferred_indexes = drop_deferred_indexes(session)
        entry: dict[str, Any] = {"sources": [], "forecasts": [], "citations": [], "resolutions": []}
        self._source_ids(records, entry["sources"])
        for record in records:
            record["statement_key"] = statement_key(record["statement"])
        existing = self._existing(records)
        new: list[dict[str, Any]] = []
        old: list[tuple[int, dict[str, Any]]] = []
        for record in records:
            key = (record["source_id"], record["statement_key"], record["deadline"])
            known = existing.get(key) or self.seen.get(key)
            if known is None:
                new.append(record)
                self.seen[key] = -1  # placeholder until the insert gives the id
            else:
                old.append((known, record))
        if new:
            for record in new:
                record["created_by"] = record["created_by"] or self.user
                record["created_at"] = record["created_at"] or self.now
            self._insert(Forecast, new, FORECAST_INSERT_COLUMNS)  # sets each record's id
            for record in new:
                self.seen[(record["source_id"], record["statement_key"], record["deadline"])] = record["id"]
            tags = [{"forecast_id": r["id"], "tag": t} for r in new for t in r["tags"]]
            self._bulk("forecasttag", tags)
            revisions = [{"forecast_id": r["id"], **{k: rev.get(k) for k in (
                "field", "old", "new", "why", "who", "at", "after_deadline", "after_resolution")}}
                for r in new for rev in r["revisions"]]
            for revision in revisions:
                revision["after_deadline"] = bool(revision["after_deadline"])
                revision["after_resolution"] = bool(revision["after_resolution"])
            self._bulk("revision", revisions)
            self.summary.added += len(new)
        citations = [(r["id"], c) for r in new for c in r["citations"]]
        old = [(fid if fid != -1 else self.seen[(r["source_id"], r["statement_key"], r["deadline"])], r)
               for fid, r in old]
        citations += self._new_citations_for(old)
        self._write_citations(citations)
        resolutions = [(r["id"], r["resolutions"]) for r in new if r["resolutions"]]
        resolutions += self._resolutions_for(old)
        self._write_resolutions(resolutions)
        self.summary.unchanged += sum(1 for _, r in old if not r.get("_changed"))
        entry["forecasts"] = {"columns": FORECAST_COLUMNS, "rows": _converted_columns(
            list(map(_FORECAST_ENTRY_ROW, new)), {FORECAST_COLUMNS.index("made_on"): iso_date,
                                                  FORECAST_COLUMNS.index("deadline"): iso_date})}
        entry["citations"] = {"columns": CITATION_COLUMNS, "rows": [
            [fid, c["id"], c["url"], c["outlet"], c["title"], iso_date(c["published"]), c["quote"]]
            for fid, c in citations if "id" in c]}
        entry["resolutions"] = {"columns": RESOLUTION_COLUMNS, "rows": _converted_columns(
            [_RESOLUTION_ENTRY_ROW(res) for _, chain in resolutions for res in chain],
            {RESOLUTION_COLUMNS.index("resolved_on"): iso_date})}
        journal.append(session, "forecasts.imported", entry, self.user, self.now)

    def _existing(self, records: list[dict[str, Any]]) -> dict[tuple[int, str, date | None], int]:
        """Forecasts already in the ledger with the same source, statement and deadline."""
        found: dict[tuple[int, str, date | None], int] = {}
        if self.ledger_was_empty:
            return found  # only the file itself can repeat a forecast: `seen` catches that
        keys = sorted({r["statement_key"] for r in records})
        for start in range(0, len(keys), 500):
            query = select(Forecast.id, Forecast.source_id, Forecast.statement_key, Forecast.deadline).where(
                Forecast.statement_key.in_(keys[start:start + 500]))
            for forecast_id, source_id, key, deadline in self.session.execute(query):
                found.setdefault((source_id, key, deadline), forecast_id)
        return found

    def _new_citations_for(self, old: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
        """Citations of already-known forecasts that are not there yet."""
        wanted = [(fid, c) for fid, r in old for c in r["citations"]]
        if not wanted:
            return []
        self._article_ids([c for _, c in wanted])
        ids = sorted({fid for fid, _ in wanted})
        present = set()
        for start in range(0, len(ids), 500):
            for row in self.session.execute(select(Citation.forecast_id, Citation.article_id, Citation.quote)
                                            .where(Citation.forecast_id.in_(ids[start:start + 500]))):
                present.add(tuple(row))
        fresh = []
        for fid, citation in wanted:
            key = (fid, citation["article_id"], citation["quote"])
            if key not in present:
                present.add(key)
                fresh.append((fid, citation))
        changed = {fid for fid, _ in fresh}
        for fid, record in old:
            if fid in changed:
                record["_changed"] = True
        return fresh

    def _write_citations(self, citations: list[tuple[int, dict[str, Any]]]) -> None:
        citations = [(fid, c) for fid, c in citations if not (_empty_article(c) and not c["quote"])]
        if not citations:
            return
        self._article_ids([c for _, c in citations if "article_id" not in c])
        ids = self._insert(Citation, [{
            "forecast_id": fid, "article_id": c["article_id"], "quote": c["quote"],
            "added_by": c.get("added_by") or self.user, "added_at": c.get("added_at") or self.now,
        } for fid, c in citations])
        for (_, citation), citation_id in zip(citations, ids, strict=True):
            citation["id"] = citation_id
        self.summary.cited += len(citations)

    def _resolutions_for(self, old: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, list[dict[str, Any]]]]:
        """Resolutions for known forecasts that have none yet (a resolved one is left alone)."""
        candidates = {fid: r["resolutions"] for fid, r in old if r["resolutions"]}
        if not candidates:
            return []
        resolved = set()
        ids = sorted(candidates)
        for start in range(0, len(ids), 500):
            resolved.update(self.session.execute(select(Resolution.forecast_id).where(
                Resolution.forecast_id.in_(ids[start:start + 500]))).scalars())
        fresh = [(fid, chain) for fid, chain in candidates.items() if fid not in resolved]
        changed = {fid for fid, _ in fresh}
        for fid, record in old:
            if fid in changed:
                record["_changed"] = True
        return fresh

    def _write_resolutions(self, chains: list[tuple[int, list[dict[str, Any]]]]) -> None:
        """Each chain in order: the first supersedes nothing, each next one the one before."""
        previous: dict[int, int | None] = {fid: None for fid, _ in chains}
        depth = max((len(chain) for _, chain in chains), default=0)
        for level in range(depth):
            batch = [(fid, chain[level]) for fid, chain in chains if len(chain) > level]
            for fid, res in batch:
                res["forecast_id"], res["supersedes_id"] = fid, previous[fid]
                res["recorded_by"] = res["recorded_by"] or self.user
                res["recorded_at"] = res["recorded_at"] or self.now
            resolutions = [res for _, res in batch]
            self._insert(Resolution, resolutions, RESOLUTION_INSERT_COLUMNS)  # sets each one's id
            for res in resolutions:
                res["supersedes"] = res["supersedes_id"]
                previous[res["forecast_id"]] = res["id"]
        self.summary.resolved += len(chains)


def _copy_rows(connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: the rows in one COPY stream, inside the import's transaction, rather
    than an executemany's statement per row: a 200,000-row import went from 33 s to 27 s
    (most of what is left on the server is the per-row foreign-key triggers and index
    updates). psycopg writes each value as it would bind it (dates, aware timestamps,
    floats by repr)."""
    import psycopg

    try:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise StorageError(f"database: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _converted_columns(rows: list[tuple[Any, ...]], converters: dict[int, Callable[[Any], Any]]) -> list[Any]:
    """`rows` with the given columns converted: a column at a time, so that the loops run
    in C (zip and map over cached converters) rather than once per row in Python."""
    if not rows or not converters:
        return rows
    columns: list[Any] = list(zip(*rows, strict=True))
    for index, convert in converters.items():
        columns[index] = map(convert, columns[index])
    return list(zip(*columns, strict=True))


def _empty_article(citation: dict[str, Any]) -> bool:
    return not any(citation.get(k) for k in ("url", "outlet", "title", "published"))


# The columns each table gets from a record or resolution (the id is added).
FORECAST_INSERT_COLUMNS = ("source_id", "statement", "statement_key", "probability", "phrase", "scale", "made_on",
                           "deadline", "deadline_phrase", "deadline_kind", "criteria", "created_by", "created_at")
RESOLUTION_INSERT_COLUMNS = ("forecast_id", "outcome", "void_reason", "resolved_on", "evidence", "note",
                             "recorded_by", "recorded_at", "supersedes_id")

_FORECAST_ENTRY_ROW = itemgetter(*FORECAST_COLUMNS)
_RESOLUTION_ENTRY_ROW = itemgetter("forecast_id", *RESOLUTION_COLUMNS[1:])
