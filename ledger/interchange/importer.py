"""Importing a file: validate every row first, then write everything in one transaction.

Pass one reads the whole file and collects every problem; a single bad row means nothing
is written. Pass two reads it again and writes in chunks with bulk inserts (SQLAlchemy
Core executemany, multi-row VALUES with RETURNING), all inside one transaction, with one
journal entry per chunk. Re-importing the same file adds nothing: a forecast is known by
its source, statement and deadline, a citation by its article and quote.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlmodel import Session

from ledger import journal, views
from ledger.book import statement_key
from ledger.errors import LedgerError
from ledger.interchange.readers import WideLayout, detect, read_rows
from ledger.interchange.records import ImportProblems, Problems, validate_row
from ledger.models import (
    Article,
    Citation,
    Forecast,
    ForecastTag,
    Resolution,
    Revision,
    Source,
    SourceAlias,
)
from ledger.store import Store

CHUNK = 2000


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


def import_file(store: Store, path: Path, *, forced: str | None, default_source: str | None,
                user: str, today: date, now: datetime, dry_run: bool = False,
                layout: WideLayout | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Import a file all or nothing; raise ImportProblems listing every bad row."""
    tracker, container = detect(path, forced)
    foreign_default = default_source or (user if tracker in {"fatebook", "predictionbook"} else None)
    problems = Problems()
    total = sum(1 for _ in _records(path, tracker, container, problems, today, foreign_default, layout))
    if problems:
        raise ImportProblems(problems, path.name)
    if total == 0:
        raise LedgerError(f"{path.name}: no forecasts to import")

    def work(session: Session) -> ImportSummary:
        writer = BulkWriter(session, user, now, ImportSummary(tracker=tracker, rows=total, dry_run=dry_run))
        chunk: list[dict[str, Any]] = []
        again = Problems()
        for record in _records(path, tracker, container, again, today, foreign_default, layout):
            chunk.append(record)
            if len(chunk) >= CHUNK:
                writer.write(chunk)
                if progress:
                    progress(len(chunk), total)
                chunk = []
        if chunk:
            writer.write(chunk)
            if progress:
                progress(len(chunk), total)
        if again:  # the file changed between the two passes
            raise ImportProblems(again, path.name)
        if dry_run:
            raise _DryRun(writer.summary)
        return writer.summary

    try:
        return store.write(work)
    except _DryRun as done:
        return done.summary


class BulkWriter:
    """Writes validated records in chunks; one journal entry per chunk."""

    def __init__(self, session: Session, user: str, now: datetime, summary: ImportSummary) -> None:
        self.session = session
        self.user = user
        self.now = now
        self.summary = summary
        self.source_ids: dict[str, int] = {}
        self.article_ids: dict[Any, int] = {}
        self.seen: dict[tuple[int, str, date | None], int] = {}

    # --- sources and articles ----------------------------------------------------

    def _source_id(self, record: dict[str, Any], journal_sources: list[dict[str, Any]]) -> int:
        key = views.source_key(record["source"])
        found = self.source_ids.get(key)
        if found is not None:
            return found
        source = views.find_source(self.session, record["source"])
        if source is None:
            source = Source(name=" ".join(record["source"].split()), key=key, kind=record["source_kind"],
                            role=record["role"], created_at=self.now)
            self.session.add(source)
            self.session.flush()
            self.summary.sources_added += 1
            journal_sources.append({"id": source.id, "name": source.name, "kind": source.kind,
                                    "role": source.role})
        for alias in record.get("source_aliases") or []:
            if views.find_source(self.session, alias) is None:
                self.session.add(SourceAlias(source_id=source.id, alias=alias, key=views.source_key(alias)))
                self.session.flush()
                journal_sources.append({"alias_of": source.name, "alias": alias})
        self.source_ids[key] = source.id
        return source.id

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

    def _insert(self, model: Any, params: list[dict[str, Any]]) -> list[int]:
        table = model.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [row[0] for row in self.session.execute(statement, params)]

    # --- one chunk -----------------------------------------------------------------

    def write(self, records: list[dict[str, Any]]) -> None:
        session = self.session
        entry: dict[str, Any] = {"sources": [], "forecasts": [], "citations": [], "resolutions": []}
        for record in records:
            record["source_id"] = self._source_id(record, entry["sources"])
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
            ids = self._insert(Forecast, [{
                "source_id": r["source_id"], "statement": r["statement"], "statement_key": r["statement_key"],
                "probability": r["probability"], "phrase": r["phrase"], "scale": r["scale"],
                "made_on": r["made_on"], "deadline": r["deadline"], "deadline_phrase": r["deadline_phrase"],
                "deadline_kind": r["deadline_kind"], "criteria": r["criteria"],
                "created_by": r["created_by"] or self.user, "created_at": r["created_at"] or self.now,
            } for r in new])
            for record, forecast_id in zip(new, ids, strict=True):
                record["id"] = forecast_id
                self.seen[(record["source_id"], record["statement_key"], record["deadline"])] = forecast_id
            tags = [{"forecast_id": r["id"], "tag": t} for r in new for t in r["tags"]]
            if tags:
                session.execute(insert(ForecastTag.__table__), tags)
            revisions = [{"forecast_id": r["id"], **{k: rev.get(k) for k in (
                "field", "old", "new", "why", "who", "at", "after_deadline", "after_resolution")}}
                for r in new for rev in r["revisions"]]
            for revision in revisions:
                revision["after_deadline"] = bool(revision["after_deadline"])
                revision["after_resolution"] = bool(revision["after_resolution"])
            if revisions:
                session.execute(insert(Revision.__table__), revisions)
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
        new_ids = {r["id"] for r in new}
        entry["forecasts"] = [_journal_record(r) for r in new]
        entry["citations"] = [{"forecast": fid, **_plain_citation(c)} for fid, c in citations
                              if fid not in new_ids]
        entry["resolutions"] = [{"forecast": fid, **res} for fid, chain in resolutions
                                if fid not in new_ids for res in chain]
        journal.append(session, "forecasts.imported", entry, self.user, self.now)

    def _existing(self, records: list[dict[str, Any]]) -> dict[tuple[int, str, date | None], int]:
        pairs = sorted({(r["source_id"], r["statement_key"]) for r in records})
        found: dict[tuple[int, str, date | None], int] = {}
        for start in range(0, len(pairs), 400):
            query = select(Forecast.id, Forecast.source_id, Forecast.statement_key, Forecast.deadline).where(
                tuple_(Forecast.source_id, Forecast.statement_key).in_(pairs[start:start + 400]))
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
            ids = self._insert(Resolution, [{
                "forecast_id": fid, "outcome": res["outcome"], "void_reason": res["void_reason"],
                "resolved_on": res["resolved_on"], "evidence": res["evidence"], "note": res["note"],
                "recorded_by": res["recorded_by"] or self.user, "recorded_at": res["recorded_at"] or self.now,
                "supersedes_id": previous[fid],
            } for fid, res in batch])
            for (fid, res), resolution_id in zip(batch, ids, strict=True):
                res["id"], res["supersedes"] = resolution_id, previous[fid]
                previous[fid] = resolution_id
        self.summary.resolved += len(chains)


def _empty_article(citation: dict[str, Any]) -> bool:
    return not any(citation.get(k) for k in ("url", "outlet", "title", "published"))


def _plain_citation(citation: dict[str, Any]) -> dict[str, Any]:
    return {k: citation.get(k) for k in ("id", "url", "outlet", "title", "published", "quote", "added_by", "added_at")}


def _journal_record(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "source", "statement", "probability", "phrase", "scale", "made_on", "deadline",
            "deadline_phrase", "deadline_kind", "criteria", "tags", "created_by", "created_at", "revisions")
    entry = {k: record.get(k) for k in keys}
    entry["citations"] = [_plain_citation(c) for c in record["citations"]]
    entry["resolutions"] = record["resolutions"]
    return entry
