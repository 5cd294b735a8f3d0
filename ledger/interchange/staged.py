"""The ledger's own CSV into an SQLite ledger with no forecasts yet, through a staging table.

The row-at-a-time import (ledger.interchange.importer) spends most of a big file's time in
Python: a dict and a dozen checks per row. But a big file is mostly the same few values
over and over (sources, dates, probabilities, deadlines, outcomes) and one text per row,
the statement. So for the common bulk load this path:

1. copies the file as it stands into a temporary table: the csv module's rows go straight
   into executemany, with no Python per row;
2. reads each column's *distinct* values, with the very functions the row-at-a-time import
   uses (ledger.interchange.records), into small lookup tables;
3. checks the texts that differ from row to row (statement, criteria, evidence, note)
   with an SQL function wrapping the same check;
4. fills the ledger's tables by INSERT … SELECT joins, and writes the journal chunk for
   chunk and byte for byte as the row-at-a-time import would.

Whatever it does not take (a problem in any row, a forecast repeated in the file, a
citation, a column such as created_at, a ledger that already has forecasts) raises
NotStaged. The caller's transaction then rolls back all of it and the row-at-a-time import
runs instead, which lists every problem with its line. So what an import stores never
depends on which path ran; the tests compare the two on the same files.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger import journal, views
from ledger.book import statement_key
from ledger.errors import LedgerError
from ledger.interchange import keyworker, records
from ledger.interchange.keyworker import KEY_DIGITS
from ledger.interchange.layout import (
    CHUNK,
    CITATION_COLUMNS,
    DEFERRED_INDEX_TABLES,
    FORECAST_COLUMNS,
    RESOLUTION_COLUMNS,
    ImportSummary,
    drop_deferred_indexes,
    iso_date,
    known_source_ids,
    sqlite_timestamp,
)
from ledger.interchange.readers import text_stream
from ledger.models import SOURCE_KINDS, Forecast, Source
from ledger.validate import MAX_TEXT, check_text

CITATION_CSV_COLUMNS = ("url", "outlet", "title", "published", "quote")
PROBABILITY_KEY = ("probability", "scale", "phrase")
# What str.strip() strips (every character for which str.isspace() is true), for SQL's trim().
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
STAGE = "temp.ledger_stage"  # its lookup tables are temp.ledger_<name>


class NotStaged(Exception):
    """This file or ledger needs the row-at-a-time import; the message says why."""


def load(session: Session, path: Path, *, user: str, now: datetime, today: date,
         default_source: str | None,
         progress: Callable[[int, int | None], None] | None = None) -> ImportSummary:
    """Import a ledger CSV into an SQLite ledger with no forecasts, or raise NotStaged
    (having written things the caller's rollback must undo)."""
    if session.execute(select(Forecast.id).limit(1)).first() is not None:
        raise NotStaged("the ledger already has forecasts")
    raw: sqlite3.Connection = session.connection().connection.driver_connection
    identity = _identity(path)
    worker = keyworker.keys_in_background(path) if keyworker.usable(path) else nullcontext(None)
    try:
        with worker as pending:
            header = _stage(raw, path)
            keys = _Keys(pending, path, identity)
            return _StagedLoad(session, raw, header, keys, user, now, today, default_source).run(progress)
    except sqlite3.IntegrityError as exc:
        raise NotStaged(f"a constraint needs the row-at-a-time import ({exc})") from None
    except sqlite3.OperationalError as exc:
        if "full" not in str(exc):
            raise  # Store.session makes it a StorageError, as it does SQLAlchemy's
        # The staging table fills SQLite's temporary space (a temporary file as big as the
        # CSV): the row-at-a-time import needs none, so it gets its chance.
        raise NotStaged(f"no room to stage the file ({exc})") from None


def _identity(path: Path) -> tuple[int, int, int]:
    """What tells whether a file was changed or replaced between two reads of it."""
    found = path.stat()
    return found.st_size, found.st_mtime_ns, found.st_ino


class _Keys:
    """The statement keys from the second process (keyworker), or, failing that, an SQL
    function working each one out here."""

    def __init__(self, pending: AsyncResult | None, path: Path, identity: tuple[int, int, int]) -> None:
        self.pending, self.path, self.identity = pending, path, identity

    def sql(self, rows: int) -> tuple[str, dict[str, Any]]:
        """The SQL expression giving row s's statement key (of `rows` staged), and its
        parameters."""
        keys = None
        if self.pending is not None:
            try:
                keys = self.pending.get()
            except Exception:  # noqa: BLE001 - whatever went wrong there, the keys are made here instead
                keys = None
            if keys is not None and (len(keys) != rows * KEY_DIGITS or _identity(self.path) != self.identity):
                keys = None  # not the rows staged here: the file changed in between
        if keys is None:
            return "ledger_statement_key(s.statement)", {}
        # A BLOB's substr() is a slice by bytes; the worker checked every statement too.
        return f"CAST(substr(:keys, s.rowid * {KEY_DIGITS} - {KEY_DIGITS - 1}, {KEY_DIGITS}) AS TEXT)", {"keys": keys}


def _stage(raw: sqlite3.Connection, path: Path) -> list[str]:
    """The file into the staging table as it stands; returns its columns."""
    try:
        with text_stream(path) as handle:
            reader = csv.reader(handle, strict=True)
            header = [name.strip() for name in next(reader, [])]
            unknown = [name for name in header if name not in records.CSV_COLUMNS]
            if not header or unknown or len(set(header)) < len(header) or not set(records.REQUIRED) <= set(header):
                raise NotStaged(f"columns {header[:30]} are not the plain ledger layout")
            raw.execute(f"DROP TABLE IF EXISTS {STAGE}")
            raw.execute(f"CREATE TABLE {STAGE} ({', '.join(header)})")
            # A row of the wrong width (a blank line, a truncated row) fails the binding.
            raw.executemany(f"INSERT INTO {STAGE} VALUES ({', '.join('?' * len(header))})", reader)
    except (UnicodeDecodeError, csv.Error, sqlite3.ProgrammingError) as exc:
        raise NotStaged(f"the file needs reading row by row ({type(exc).__name__})") from None
    return header


def _text_ok(value: str, limit: int) -> int:
    """SQL function: does the row-at-a-time import take this optional text (records.read_text)?"""
    try:
        check_text("text", value, limit=limit)
    except LedgerError:
        return 0
    return 1


def _checked_statement_key(value: str) -> str | None:
    """SQL function: the statement's key, or NULL (which the NOT NULL column refuses, and
    so sends the file row by row) where check_text refuses the statement. One call per
    row does both jobs: Python calls are what this path is short of."""
    try:
        check_text("statement", value, required=True, limit=MAX_TEXT)
    except LedgerError:
        return None
    return statement_key(value)


class _StepProgress:
    """The progress bar's rows, advanced by the share of the load's time each step has
    taken (measured on a million rows): the steps are whole-table statements, not rows."""

    def __init__(self, progress: Callable[[int, int | None], None] | None, rows: int) -> None:
        self.progress, self.rows, self.shown = progress, rows, 0

    def reached(self, share: float) -> None:
        target = min(self.rows, round(self.rows * share))
        if self.progress and target > self.shown:
            self.progress(target - self.shown, self.rows)
            self.shown = target


class _StagedLoad:
    def __init__(self, session: Session, raw: sqlite3.Connection, header: list[str], keys: _Keys, user: str,
                 now: datetime, today: date, default_source: str | None) -> None:
        self.session, self.raw, self.header, self.keys = session, raw, header, keys
        self.user, self.now, self.today, self.default_source = user, now, today, default_source
        self.summary = ImportSummary(tracker="ledger", loaded_by="staged")
        self.lookup_tables: list[str] = []  # temp.ledger_<name>, dropped with the stage at the end
        self.rows = raw.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0]
        self.first_id = (session.execute(select(Forecast.id).order_by(Forecast.id.desc()).limit(1)).scalar() or 0) + 1
        raw.create_function("ledger_text_ok", 2, _text_ok, deterministic=True)
        raw.create_function("ledger_statement_key", 1, _checked_statement_key, deterministic=True)

    def column(self, name: str) -> str:
        """The staged column, or '' (an empty cell) where the file has no such column."""
        return f"s.{name}" if name in self.header else "''"

    def stripped(self, name: str) -> str:
        """The column as records.read_text gives it once checked: stripped, NULL if empty."""
        return f"nullif(trim({self.column(name)}, :whitespace), '')"

    def run(self, progress: Callable[[int, int | None], None] | None) -> ImportSummary:
        if self.rows == 0:
            raise NotStaged("no rows")
        done = _StepProgress(progress, self.rows)
        self._check_row_texts()
        new_sources = self._sources()
        self._lookup("probabilities", PROBABILITY_KEY, self._probability)
        made_on = {key: self._made_on(key) for key in self._distinct(("made_on",))}
        deadlines = self._lookup("deadlines", ("deadline", "deadline_phrase", "made_on"),
                                 lambda key: self._deadline(key, made_on))
        self._lookup("resolutions", ("outcome", "void_reason", "resolved_on", "deadline", "deadline_phrase",
                                     "made_on"), lambda key: self._resolution(key, made_on, deadlines))
        tags = self._tags()
        done.reached(0.3)
        deferred = drop_deferred_indexes(self.session, (*DEFERRED_INDEX_TABLES, "resolution"))
        self._insert_forecasts()
        self._insert_tags(tags)
        self._insert_resolutions()
        done.reached(0.55)
        for sql in deferred:
            self.raw.execute(sql)
        self._refuse_repeats()
        done.reached(0.75)
        self._journal(new_sources, lambda rows: done.reached(0.75 + 0.25 * rows / self.rows))
        for table in (STAGE, *(f"temp.ledger_{name}" for name in self.lookup_tables)):
            self.raw.execute(f"DROP TABLE {table}")
        self.summary.rows = self.summary.added = self.rows
        return self.summary

    # --- checks, and the distinct values read in Python ---------------------------

    def _check_row_texts(self) -> None:
        if any(name in self.header for name in CITATION_CSV_COLUMNS):
            cited = " OR ".join(f"{self.column(name)} <> ''" for name in CITATION_CSV_COLUMNS)
            if self.raw.execute(f"SELECT 1 FROM {STAGE} s WHERE {cited} LIMIT 1").fetchone():
                raise NotStaged("the file has citations")
        # The statement is checked as its key is made (_checked_statement_key).
        checks = [f"({self.column(name)} <> '' AND NOT ledger_text_ok({self.column(name)}, {MAX_TEXT}))"
                  for name in ("criteria", "evidence", "note") if name in self.header]
        if checks and self.raw.execute(f"SELECT 1 FROM {STAGE} s WHERE {' OR '.join(checks)} LIMIT 1").fetchone():
            raise NotStaged("a text needs checking row by row")

    @staticmethod
    def _read(reader: Callable[..., Any], row: dict[str, Any], record: dict[str, Any]) -> None:
        """One of records' readers on one distinct value; any problem: row by row instead."""
        problems = records.Problems()
        reader(row, record, problems, 2)
        if problems:
            raise NotStaged("a value needs checking row by row")

    def _distinct(self, columns: Sequence[str]) -> list[tuple[str, ...]]:
        if not any(name in self.header for name in columns):
            return [("",) * len(columns)]  # none in the file: every cell is empty
        return self.raw.execute(f"SELECT DISTINCT {', '.join(self.column(c) for c in columns)} FROM {STAGE} s").fetchall()

    def _lookup(self, name: str, columns: Sequence[str], read: Callable[[tuple[str, ...]], tuple[Any, ...]]
                ) -> dict[tuple[str, ...], tuple[Any, ...]]:
        """Each distinct combination of `columns` read once in Python, into a table to join."""
        found = {key: read(key) for key in self._distinct(columns)}
        width = len(next(iter(found.values())))
        names = [f"k{i}" for i in range(len(columns))] + [f"v{i}" for i in range(width)]
        self.raw.execute(f"DROP TABLE IF EXISTS temp.ledger_{name}")
        self.lookup_tables.append(name)
        self.raw.execute(f"CREATE TEMP TABLE ledger_{name} ({', '.join(names)}, "
                         f"PRIMARY KEY ({', '.join(names[:len(columns)])})) WITHOUT ROWID")
        self.raw.executemany(f"INSERT INTO temp.ledger_{name} VALUES ({', '.join('?' * len(names))})",
                             [key + value for key, value in found.items()])
        return found

    def _join(self, name: str, columns: Sequence[str]) -> str:
        """The CROSS JOIN (which keeps the staging table the outer loop, in file order)."""
        on = " AND ".join(f"{name}.k{i} = {self.column(c)}" for i, c in enumerate(columns))
        return f"CROSS JOIN temp.ledger_{name} {name} ON {on}"

    def _probability(self, key: tuple[str, ...]) -> tuple[Any, ...]:
        record: dict[str, Any] = {}
        self._read(records.read_probability, dict(zip(PROBABILITY_KEY, key, strict=True)), record)
        return record["probability"], record["phrase"], record["scale"], journal.canonical_json(record["probability"])

    def _made_on(self, key: tuple[str, ...]) -> date:
        try:
            return records.read_date(key[0], "made_on") or self.today
        except LedgerError:
            raise NotStaged("a date needs checking row by row") from None

    def _deadline(self, key: tuple[str, ...], made_on: dict[tuple[str, ...], date]) -> tuple[Any, ...]:
        record: dict[str, Any] = {"made_on": made_on[(key[2],)]}
        self._read(records.read_deadline, {"deadline": key[0], "deadline_phrase": key[1]}, record)
        return iso_date(record["deadline"]), record["deadline_phrase"], record["deadline_kind"], iso_date(record["made_on"])

    def _resolution(self, key: tuple[str, ...], made_on: dict[tuple[str, ...], date],
                    deadlines: dict[tuple[str, ...], tuple[Any, ...]]) -> tuple[Any, ...]:
        outcome, reason, resolved_on, deadline, phrase, made = key
        deadline_text = deadlines[(deadline, phrase, made)][0]
        record = {"made_on": made_on[(made,)],
                  "deadline": date.fromisoformat(deadline_text) if deadline_text else None}
        row = {"outcome": outcome, "void_reason": reason, "resolved_on": resolved_on, "evidence": None, "note": None}
        problems = records.Problems()
        found = records.read_resolutions(row, record, problems, 2, self.today)
        if problems:
            raise NotStaged("a resolution needs checking row by row")
        if not found:
            return 0, None, None, None
        return 1, found[0]["outcome"], found[0]["void_reason"], iso_date(found[0]["resolved_on"])

    def _tags(self) -> dict[str, list[str]]:
        """Each distinct tags cell to its tags, also as JSON in a lookup table."""
        if "tags" not in self.header:
            return {}
        found = self._lookup("tags", ("tags",), self._tag_list)
        return {key[0]: json.loads(value[0]) for key, value in found.items()}

    def _tag_list(self, key: tuple[str, ...]) -> tuple[Any, ...]:
        record: dict[str, Any] = {}
        self._read(records.read_tags, {"tags": key[0]}, record)
        return (journal.canonical_json(record["tags"]),)

    def _sources(self) -> list[tuple[int, dict[str, Any]]]:
        """Each distinct source text to its source, creating the new ones in order of first
        appearance as the row-at-a-time import does; returns (first row, journal entry)
        for each new source."""
        for name, limit in (("source_kind", 20), ("role", 300)):
            for (text,) in self._distinct((name,)):
                problems = records.Problems()
                value = records.read_text({name: text}, name, problems, 2, limit=limit)
                if problems or (name == "source_kind" and (value or "person").lower() not in SOURCE_KINDS):
                    raise NotStaged(f"a {name} needs checking row by row")
        known = known_source_ids(self.session)
        next_id = (self.session.execute(select(Source.id).order_by(Source.id.desc()).limit(1)).scalar() or 0) + 1
        firsts = self.raw.execute(
            f"SELECT {self.column('source')}, {self.column('source_kind')}, {self.column('role')}, min(s.rowid) "
            f"FROM {STAGE} s GROUP BY 1 ORDER BY 4").fetchall()
        mapping, new, created = [], [], []
        stamp = sqlite_timestamp(self.now)
        for raw_text, kind, role, first in firsts:
            problems = records.Problems()
            text = records.read_text({"source": raw_text}, "source", problems, 2, limit=300) or self.default_source
            if problems or text is None:
                raise NotStaged("a source needs checking row by row")
            key = views.source_key(text)
            if key not in known:
                known[key] = next_id
                kind = (kind.strip() or "person").lower()
                params = {"id": next_id, "name": " ".join(text.split()), "kind": kind, "role": role.strip() or None}
                new.append((next_id, params["name"], key, kind, params["role"], stamp))
                created.append((first, params))
                next_id += 1
            mapping.append((raw_text, known[key], text))
        self.raw.executemany("INSERT INTO source (id, name, key, kind, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                             new)
        self.raw.execute("DROP TABLE IF EXISTS temp.ledger_sources")
        self.lookup_tables.append("sources")
        self.raw.execute("CREATE TEMP TABLE ledger_sources (k0 PRIMARY KEY, v0, v1) WITHOUT ROWID")
        self.raw.executemany("INSERT INTO temp.ledger_sources VALUES (?, ?, ?)", mapping)
        self.summary.sources_added = len(new)
        return created

    # --- writing -------------------------------------------------------------------

    def _insert_forecasts(self) -> None:
        offset = self.first_id - 1
        key, key_parameters = self.keys.sql(self.rows)
        self.raw.execute(
            "INSERT INTO forecast (id, source_id, statement, statement_key, probability, phrase, scale, made_on, "
            "deadline, deadline_phrase, deadline_kind, criteria, created_by, created_at) "
            f"SELECT s.rowid + {offset}, sources.v0, {self.stripped('statement')}, {key}, "
            "probabilities.v0, probabilities.v1, probabilities.v2, deadlines.v3, "
            f"deadlines.v0, deadlines.v1, deadlines.v2, {self.stripped('criteria')}, :user, :now "
            f"FROM {STAGE} s {self._join('sources', ('source',))} "
            f"{self._join('probabilities', PROBABILITY_KEY)} "
            f"{self._join('deadlines', ('deadline', 'deadline_phrase', 'made_on'))} ORDER BY s.rowid",
            {"user": self.user, "now": sqlite_timestamp(self.now), "whitespace": WHITESPACE, **key_parameters})

    def _insert_tags(self, tags: dict[str, list[str]]) -> None:
        if not any(tags.values()):
            return
        offset = self.first_id - 1
        self.raw.executemany("INSERT INTO forecasttag (forecast_id, tag) VALUES (?, ?)", (
            (rowid + offset, tag) for rowid, text in self.raw.execute(
                f"SELECT rowid, tags FROM {STAGE} WHERE tags <> '' ORDER BY rowid").fetchall()
            for tag in tags[text]))

    def _insert_resolutions(self) -> None:
        offset = self.first_id - 1
        columns = ("outcome", "void_reason", "resolved_on", "deadline", "deadline_phrase", "made_on")
        before = self.raw.total_changes
        self.raw.execute(
            "INSERT INTO resolution (forecast_id, outcome, void_reason, resolved_on, evidence, note, recorded_by, "
            f"recorded_at, supersedes_id) SELECT s.rowid + {offset}, resolutions.v1, resolutions.v2, "
            f"resolutions.v3, {self.stripped('evidence')}, {self.stripped('note')}, "
            f":user, :now, NULL FROM {STAGE} s {self._join('resolutions', columns)} WHERE resolutions.v0 = 1 "
            "ORDER BY s.rowid", {"user": self.user, "now": sqlite_timestamp(self.now), "whitespace": WHITESPACE})
        self.summary.resolved = self.raw.total_changes - before

    def _refuse_repeats(self) -> None:
        """A forecast that comes twice (same source, statement and deadline) is one forecast
        to the row-at-a-time import, which may take a later row's resolution: not here."""
        if self.raw.execute(  # pairs of statement and source first: one pass over their index
                "SELECT 1 FROM (SELECT statement_key, source_id FROM forecast GROUP BY 1, 2 HAVING count(*) > 1) d "
                "CROSS JOIN forecast a ON a.statement_key = d.statement_key AND a.source_id = d.source_id "
                "CROSS JOIN forecast b ON b.statement_key = a.statement_key AND b.source_id = a.source_id "
                "AND b.id > a.id AND b.deadline IS a.deadline LIMIT 1").fetchone():
            raise NotStaged("a forecast comes more than once")

    def _journal(self, new_sources: list[tuple[int, dict[str, Any]]], written: Callable[[int], None]) -> None:
        """One entry per CHUNK rows, as the row-at-a-time import writes them; the rows' JSON
        is made by SQLite (the same text json.dumps gives: compact, UTF-8, and the
        probabilities formatted by Python in their lookup table) and spliced in."""
        offset = self.first_id - 1
        sources_by_chunk: dict[int, list[dict[str, Any]]] = {}
        for first, params in new_sources:
            sources_by_chunk.setdefault((first - 1) // CHUNK, []).append(params)
        forecast_rows, resolution_rows = journal.placeholder("forecasts"), journal.placeholder("resolutions")
        has_tags = "tags" in self.header
        tags = "json(tags.v0)" if has_tags else "json('[]')"
        forecasts_json = (
            "SELECT '[' || coalesce(group_concat(j, ','), '') || ']' FROM (SELECT json_array(f.id, sources.v1, f.statement, "
            "json(probabilities.v3), f.phrase, f.scale, f.made_on, f.deadline, f.deadline_phrase, f.deadline_kind, "
            f"f.criteria, {tags}) AS j FROM {STAGE} s CROSS JOIN forecast f ON f.id = s.rowid + {offset} "
            f"{self._join('sources', ('source',))} {self._join('probabilities', PROBABILITY_KEY)} "
            f"{self._join('tags', ('tags',)) if has_tags else ''} WHERE s.rowid BETWEEN ? AND ? ORDER BY s.rowid)")
        resolutions_json = (
            "SELECT '[' || coalesce(group_concat(j, ','), '') || ']' FROM (SELECT json_array(forecast_id, id, outcome, void_reason, "
            "resolved_on, evidence, note, supersedes_id) AS j FROM resolution WHERE forecast_id BETWEEN ? AND ? "
            "ORDER BY forecast_id, id)")
        for start in range(1, self.rows + 1, CHUNK):
            end = min(start + CHUNK - 1, self.rows)
            entry = {"sources": sources_by_chunk.get((start - 1) // CHUNK, []),
                     "forecasts": {"columns": FORECAST_COLUMNS, "rows": forecast_rows},
                     "citations": {"columns": CITATION_COLUMNS, "rows": []},
                     "resolutions": {"columns": RESOLUTION_COLUMNS, "rows": resolution_rows}}
            spliced = {
                forecast_rows: self.raw.execute(forecasts_json, (start, end)).fetchone()[0],
                resolution_rows: self.raw.execute(resolutions_json, (start + offset, end + offset)).fetchone()[0]}
            journal.append(self.session, "forecasts.imported", entry, self.user, self.now, spliced)
            written(end)
