"""Exporting the ledger: CSV (one row per forecast) or JSONL/JSON (the whole record).

Forecasts are read a page at a time (one streamed query), so memory stays flat
however large the ledger; JSONL carries every citation, the full resolution and revision
history and the source's aliases, and imports back to the same export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import IO, Any

from sqlalchemy import select
from sqlmodel import Session

from ledger import views
from ledger.interchange.records import CSV_COLUMNS
from ledger.models import Article, Citation, Resolution, Revision, Source, SourceAlias
from ledger.render import plain

PAGE = 1000
EXPORT_FORMATS = ("csv", "jsonl", "json")


def _children(session: Session, ids: list[int]) -> tuple[dict, dict, dict]:
    """Each forecast's citations, resolutions and revisions, for one page of ids."""
    citations: dict[int, list[dict[str, Any]]] = {}
    query = (select(Citation.forecast_id, Article.url, Article.outlet, Article.title, Article.published,
                    Citation.quote, Citation.added_by, Citation.added_at)
             .outerjoin(Article, Article.id == Citation.article_id)
             .where(views.id_condition(Citation.forecast_id, ids)).order_by(Citation.id))
    for row in session.execute(query).mappings():
        entry = dict(row)
        entry["published"], entry["added_at"] = _when(entry["published"]), _when(entry["added_at"])
        citations.setdefault(entry.pop("forecast_id"), []).append(entry)
    resolutions: dict[int, list[dict[str, Any]]] = {}
    query = (select(Resolution.forecast_id, Resolution.outcome, Resolution.void_reason,
                    Resolution.resolved_on, Resolution.evidence, Resolution.note,
                    Resolution.recorded_by, Resolution.recorded_at)
             .where(views.id_condition(Resolution.forecast_id, ids)).order_by(Resolution.id))
    for row in session.execute(query).mappings():
        entry = dict(row)
        entry["resolved_on"], entry["recorded_at"] = _when(entry["resolved_on"]), _when(entry["recorded_at"])
        resolutions.setdefault(entry.pop("forecast_id"), []).append(entry)
    revisions: dict[int, list[dict[str, Any]]] = {}
    query = (select(Revision.forecast_id, Revision.field, Revision.old, Revision.new, Revision.why,
                    Revision.who, Revision.at, Revision.after_deadline, Revision.after_resolution)
             .where(views.id_condition(Revision.forecast_id, ids)).order_by(Revision.id))
    for row in session.execute(query).mappings():
        entry = dict(row)
        entry["at"] = _when(entry["at"])
        revisions.setdefault(entry.pop("forecast_id"), []).append(entry)
    return citations, resolutions, revisions


def records(session: Session, today: date, filters: views.Filters) -> Iterator[dict[str, Any]]:
    """Whole records, in id order, a page at a time with each page's children."""
    aliases: dict[str, list[str]] = {}
    for name, alias in session.execute(select(Source.name, SourceAlias.alias)
                                       .join(SourceAlias, SourceAlias.source_id == Source.id)
                                       .order_by(SourceAlias.alias)):
        aliases.setdefault(name, []).append(alias)
    query = views.forecast_select(today, filters)
    for page in views.stream_forecast_chunks(session, query, chunk=PAGE):
        ids = [row["id"] for row in page]
        citations, resolutions, revisions = _children(session, ids)
        for row in page:
            source = row["source"]
            yield {
                "statement": row["statement"], "source": source, "source_kind": row["source_kind"],
                "role": row["role"], "source_aliases": aliases.get(source, []),
                "probability": row["probability"], "phrase": row["phrase"], "scale": row["scale"],
                "made_on": _when(row["made_on"]), "deadline": _when(row["deadline"]),
                "deadline_phrase": row["deadline_phrase"], "deadline_kind": row["deadline_kind"],
                "criteria": row["criteria"], "tags": row["tags"],
                "created_by": row["created_by"],
                "created_at": _when(row["created_at"]),
                "citations": citations.get(row["id"], []),
                "resolutions": resolutions.get(row["id"], []),
                "revisions": revisions.get(row["id"], []),
            }


@lru_cache(maxsize=4096)
def _when(value: date | None) -> str | None:
    """A date or timestamp as an export writes it (render.plain's text), each distinct one
    worked out once (an imported file's rows share one timestamp). Done while building the
    record, so that json.dumps does not call back into Python for every date."""
    return None if value is None else plain(value)


def csv_row(record: dict[str, Any]) -> list[str]:
    """The flat CSV row: the first citation and the current resolution."""
    cite = record["citations"][0] if record["citations"] else {}
    res = record["resolutions"][-1] if record["resolutions"] else {}
    values = {**{k: record.get(k) for k in CSV_COLUMNS}, **{k: cite.get(k) for k in (
        "url", "outlet", "title", "published", "quote")}, **{k: res.get(k) for k in (
            "outcome", "void_reason", "resolved_on", "evidence", "note")}}
    values["tags"] = ";".join(record["tags"])
    values["probability"] = repr(float(record["probability"]))
    return ["" if values[k] is None else str(plain(values[k])) for k in CSV_COLUMNS]


def write_export(stream: IO[str], fmt: str, found: Iterator[dict[str, Any]]) -> int:
    """Write records in a format; returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in found:
            writer.writerow(csv_row(record))
            count += 1
    elif fmt == "jsonl":
        for record in found:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    else:
        stream.write("[")
        for record in found:
            stream.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
            count += 1
        stream.write("\n]\n")
    return count
