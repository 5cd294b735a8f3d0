"""Read-side queries: forecasts as rows of the JSON contract, with derived status.

Status is computed in SQL from the latest resolution and the deadline, so listing a
large ledger is one query, never one ORM object per forecast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, and_, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

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
from ledger.vocabulary import STATUSES  # noqa: F401  (re-exported)

# The stable JSON contract for a forecast (issue #2); other tools script against these.
FORECAST_KEYS = (
    "id", "statement", "source", "source_kind", "probability", "phrase", "scale",
    "made_on", "deadline", "deadline_phrase", "status", "outcome", "void_reason",
    "resolved_on", "url", "outlet", "quote", "tags",
)
EXTRA_KEYS = ("role", "deadline_kind", "criteria", "created_by", "created_at")
RESOLUTION_KEYS = ("id", "outcome", "void_reason", "resolved_on", "evidence", "note",
                   "recorded_by", "recorded_at", "supersedes_id")
REVISION_KEYS = ("id", "field", "old", "new", "why", "who", "at", "after_deadline",
                 "after_resolution")


@dataclass(frozen=True)
class Filters:
    status: str = "all"
    source_id: int | None = None
    tag: str | None = None
    outlet: str | None = None
    ids: Sequence[int] | None = None
    unresolved: bool = False
    deadline_from: date | None = None  # inclusive
    deadline_before: date | None = None  # exclusive
    dated: bool | None = None  # True: has a deadline; False: undated
    provisional: bool = False  # undated, or a soft/event deadline that needs confirming
    resolved_from: date | None = None  # resolved_on, inclusive (yes/no/void)
    resolved_before: date | None = None  # exclusive


def current_resolutions(as_of: Any = None) -> Any:
    """Per forecast, the id of the resolution that counts (the latest recorded)."""
    query = select(Resolution.forecast_id, func.max(Resolution.id).label("rid"))
    if as_of is not None:
        query = query.where(Resolution.recorded_at <= as_of)
    return query.group_by(Resolution.forecast_id).subquery("cur")


def first_citations() -> Any:
    return (
        select(Citation.forecast_id, func.min(Citation.id).label("cid"))
        .group_by(Citation.forecast_id)
        .subquery("firstcite")
    )


def status_expression(today: date, outcome: Any, deadline: Any) -> Any:
    return case(
        (outcome == "void", "void"),
        (outcome.is_not(None), "resolved"),
        (deadline.is_(None), "undated"),
        (deadline < today, "due"),
        else_="open",
    )


def latest_resolution_id() -> Any:
    """The id of a forecast's current resolution, looked up through the index per forecast:
    cheap for a page of forecasts, where grouping every resolution would not be."""
    inner = Resolution.__table__.alias("latest")
    return (select(func.max(inner.c.id)).where(inner.c.forecast_id == Forecast.id)
            .correlate(Forecast).scalar_subquery())


def first_citation_id() -> Any:
    inner = Citation.__table__.alias("firstc")
    return (select(func.min(inner.c.id)).where(inner.c.forecast_id == Forecast.id)
            .correlate(Forecast).scalar_subquery())


CITED_KEYS = frozenset({"url", "outlet", "quote"})


def forecast_select(today: date, filters: Filters, order: Sequence[Any] | None = None,
                    counted: bool = False, keys: Sequence[str] | None = None) -> Select:
    """Forecast rows in the JSON contract, filtered; in id order unless `order` is given.

    `keys` narrows the columns (a table shows eight of them): the first citation and its
    article are joined only when a cited key is asked for. `counted` adds `total`, how
    many rows the query gives, on every row (a window count costs little beside the sort
    an `order` needs, where a COUNT query would filter again)."""
    res = Resolution.__table__.alias("res")
    cit = Citation.__table__.alias("cit")
    art = Article.__table__.alias("art")
    available = {
        "id": Forecast.id, "statement": Forecast.statement, "source": Source.name.label("source"),
        "source_kind": Source.kind.label("source_kind"), "role": Source.role.label("role"),
        "probability": Forecast.probability, "phrase": Forecast.phrase, "scale": Forecast.scale,
        "made_on": Forecast.made_on, "deadline": Forecast.deadline,
        "deadline_phrase": Forecast.deadline_phrase, "deadline_kind": Forecast.deadline_kind,
        "criteria": Forecast.criteria, "created_by": Forecast.created_by,
        "created_at": Forecast.created_at,
        "status": status_expression(today, res.c.outcome, Forecast.deadline).label("status"),
        "outcome": res.c.outcome, "void_reason": res.c.void_reason, "resolved_on": res.c.resolved_on,
        "url": art.c.url, "outlet": art.c.outlet, "quote": cit.c.quote,
    }
    wanted = [key for key in (keys or available) if key in available]
    query = (
        select(*(available[key] for key in wanted))
        .select_from(Forecast)
        .join(Source, Source.id == Forecast.source_id)
        .outerjoin(res, res.c.id == latest_resolution_id())
        .order_by(*(order or (Forecast.id,)))
    )
    if CITED_KEYS.intersection(wanted):
        query = (query.outerjoin(cit, cit.c.id == first_citation_id())
                 .outerjoin(art, art.c.id == cit.c.article_id))
    if counted:
        query = query.add_columns(func.count().over().label("total"))
    return _filtered(query, today, filters, res)


class unindexed(FunctionElement):  # noqa: N801 - reads as the SQL function it stands for
    """A column the SQLite planner must not reach through an index: `+column`, SQLite's
    documented hint. A deadline bound only from above ("before this week") matches most
    of a ledger; through the deadline index SQLite would read it in random order, several
    times slower than one pass over the table. PostgreSQL plans from statistics: no hint."""

    inherit_cache = True
    type = Date()


@compiles(unindexed)
def _unindexed_anywhere(element: unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_on_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def count_forecasts(session: Session, today: date, filters: Filters) -> int:
    """How many forecasts `forecast_select` would give, without fetching their columns."""
    res = Resolution.__table__.alias("res")
    query = (select(func.count()).select_from(Forecast)
             .outerjoin(res, res.c.id == latest_resolution_id()))
    return session.execute(_filtered(query, today, filters, res)).scalar_one()


def source_order(dialect: str) -> tuple[Any, ...]:
    """Grouped by source (by its case-folded key, in code-point order on either database),
    then deadline with undated last, then id: the review's order."""
    key = Source.key.collate("C") if dialect == "postgresql" else Source.key
    return key, Forecast.deadline.is_(None), Forecast.deadline, Forecast.id


def _filtered(query: Select, today: date, filters: Filters, res: Any) -> Select:
    status = status_expression(today, res.c.outcome, Forecast.deadline)
    if filters.status != "all":
        query = query.where(status == filters.status)
    if filters.source_id is not None:
        query = query.where(Forecast.source_id == filters.source_id)
    if filters.tag:
        query = query.where(exists().where(and_(
            ForecastTag.forecast_id == Forecast.id, ForecastTag.tag == filters.tag.lower())))
    if filters.outlet:
        art2 = Article.__table__.alias("art2")
        cit2 = Citation.__table__.alias("cit2")
        query = query.where(exists(
            select(cit2.c.id).join(art2, art2.c.id == cit2.c.article_id).where(and_(
                cit2.c.forecast_id == Forecast.id,
                func.lower(art2.c.outlet) == filters.outlet.lower()))))
    if filters.ids is not None:
        query = query.where(Forecast.id.in_(list(filters.ids)))
    if filters.unresolved:
        query = query.where(res.c.id.is_(None))
    if filters.deadline_from is not None:
        query = query.where(Forecast.deadline >= filters.deadline_from)
    if filters.deadline_before is not None:
        deadline = Forecast.deadline if filters.deadline_from is not None else unindexed(Forecast.deadline)
        query = query.where(deadline < filters.deadline_before)
    if filters.dated is not None:
        query = query.where(Forecast.deadline.is_not(None) if filters.dated else Forecast.deadline.is_(None))
    if filters.provisional:
        query = query.where(or_(Forecast.deadline.is_(None), Forecast.deadline_kind.in_(("soft", "event"))))
    if filters.resolved_from is not None or filters.resolved_before is not None:
        query = query.where(res.c.id.is_not(None))
        if filters.resolved_from is not None:
            query = query.where(res.c.resolved_on >= filters.resolved_from)
        if filters.resolved_before is not None:
            query = query.where(res.c.resolved_on < filters.resolved_before)
    return query


def forecast_rows(session: Session, today: date, filters: Filters,
                  keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every matching forecast as a dict of the JSON contract (or only `keys`)."""
    return list(stream_forecast_rows(session, forecast_select(today, filters, keys=keys),
                                     tags=keys is None or "tags" in keys))


def stream_forecast_rows(session: Session, query: Select, chunk: int = 500, tags: bool = True,
                         extra: Sequence[str] = ()) -> Iterator[dict[str, Any]]:
    """The rows of a `forecast_select` query one at a time (see `stream_forecast_chunks`)."""
    for rows in stream_forecast_chunks(session, query, chunk, tags, extra):
        yield from rows


def stream_forecast_chunks(session: Session, query: Select, chunk: int = 500, tags: bool = True,
                           extra: Sequence[str] = ()) -> Iterator[list[dict[str, Any]]]:
    """The rows of a `forecast_select` query as dicts in the contract's key order, with
    their tags (and any `extra` columns), a chunk at a time (a server-side cursor on
    PostgreSQL) through Core, not the ORM, so a caller that streams holds one chunk."""
    result = session.connection().execute(query, execution_options={"yield_per": chunk})
    keys = list(result.keys())
    layout = [(key, None if key == "tags" else keys.index(key))
              for key in (*FORECAST_KEYS, *EXTRA_KEYS, *extra) if key in keys or (key == "tags" and tags)]
    for part in result.partitions():
        # plain tuples: a mapping per row costs more than the query
        rows = [{key: [] if index is None else values[index] for key, index in layout} for values in part]
        if tags:
            found = tags_for(session, [row["id"] for row in rows])
            for row in rows:
                row["tags"] = found.get(row["id"], [])
        yield rows


def tags_for(session: Session, ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(ids)
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        wanted = set(chunk)
        query = (select(ForecastTag.forecast_id, ForecastTag.tag)
                 .where(id_condition(ForecastTag.forecast_id, chunk))
                 .order_by(ForecastTag.forecast_id, ForecastTag.tag))
        for forecast_id, tag in session.execute(query):
            if forecast_id in wanted:
                found.setdefault(forecast_id, []).append(tag)
    return found


def id_condition(column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids`, written as a range when the ids are dense (as a page of an
    unfiltered, id-ordered read is). SQLAlchemy renders an IN list anew on every
    execution, a bound parameter per id: a third of an export's time went there. A
    range may match ids that were not asked for: callers drop those rows or look rows
    up by id."""
    if ids and max(ids) - min(ids) < 2 * len(ids):
        return column.between(min(ids), max(ids))
    return column.in_(ids)


def find_source(session: Session, name: str) -> Source | None:
    """A source by its name or any alias, ignoring case and extra spaces."""
    key = source_key(name)
    source = session.execute(select(Source).where(Source.key == key)).scalar_one_or_none()
    if source is not None:
        return source
    return session.execute(
        select(Source).join(SourceAlias, SourceAlias.source_id == Source.id)
        .where(SourceAlias.key == key)
    ).scalar_one_or_none()


def source_key(name: str) -> str:
    return " ".join(name.casefold().split())


def citations(session: Session, forecast_id: int) -> list[dict[str, Any]]:
    query = (
        select(Citation.id, Citation.quote, Citation.added_at, Citation.added_by,
               Article.url, Article.outlet, Article.title, Article.published)
        .outerjoin(Article, Article.id == Citation.article_id)
        .where(Citation.forecast_id == forecast_id)
        .order_by(Citation.id)
    )
    return [dict(m) for m in session.execute(query).mappings()]


def resolutions(session: Session, forecast_id: int) -> list[dict[str, Any]]:
    query = select(Resolution).where(Resolution.forecast_id == forecast_id).order_by(Resolution.id)
    found = [_ordered(r, RESOLUTION_KEYS) for r in session.execute(query).scalars()]
    latest = found[-1]["id"] if found else None
    for entry in found:
        entry["current"] = entry["id"] == latest
    return found


def revisions(session: Session, forecast_id: int) -> list[dict[str, Any]]:
    query = select(Revision).where(Revision.forecast_id == forecast_id).order_by(Revision.id)
    return [_ordered(r, REVISION_KEYS) for r in session.execute(query).scalars()]


def _ordered(record: Any, keys: Sequence[str]) -> dict[str, Any]:
    return {key: getattr(record, key) for key in keys}


def source_rows(session: Session) -> list[dict[str, Any]]:
    """Every source with its aliases and forecast counts."""
    cur = current_resolutions()
    res = Resolution.__table__.alias("res")
    counts = (
        select(
            Forecast.source_id,
            func.count(Forecast.id).label("forecasts"),
            func.sum(case((res.c.outcome.in_(["yes", "no"]), 1), else_=0)).label("resolved"),
        )
        .outerjoin(cur, cur.c.forecast_id == Forecast.id)
        .outerjoin(res, res.c.id == cur.c.rid)
        .group_by(Forecast.source_id)
        .subquery("counts")
    )
    query = (
        select(Source.id, Source.name, Source.kind, Source.role,
               func.coalesce(counts.c.forecasts, 0).label("forecasts"),
               func.coalesce(counts.c.resolved, 0).label("resolved"))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(Source.name)
    )
    rows = [dict(m) for m in session.execute(query).mappings()]
    aliases: dict[int, list[str]] = {}
    for source_id, alias in session.execute(
            select(SourceAlias.source_id, SourceAlias.alias).order_by(SourceAlias.alias)):
        aliases.setdefault(source_id, []).append(alias)
    for row in rows:
        row["aliases"] = aliases.get(row["id"], [])
    return rows
