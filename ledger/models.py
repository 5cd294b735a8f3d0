"""The ledger's tables (SQLModel).

Nothing here is ever deleted by the tool: resolutions, revisions and journal entries are
append-only; a forecast's status is derived from its latest resolution and its deadline.
Changing a table means adding an Alembic revision under ledger/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ledger.vocabulary import OUTCOMES, SOURCE_KINDS, VOID_REASONS  # noqa: F401  (re-exported)


def _stamp() -> Column:
    return Column(DateTime(timezone=True), nullable=False)


class Source(SQLModel, table=True):
    """Who made forecasts: a person, an organisation, an anonymous source or an outlet."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    key: str = Field(max_length=300, unique=True)  # case-folded name for look-ups
    kind: str = Field(max_length=20, default="person")
    role: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_column=_stamp())


class SourceAlias(SQLModel, table=True):
    """Another name for a source ("Caroline Leavitt" for "Karoline Leavitt")."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    alias: str = Field(max_length=300)
    key: str = Field(max_length=300, unique=True)


class SourceMerge(SQLModel, table=True):
    """A record that one source was merged into another (the old name became an alias)."""

    id: int | None = Field(default=None, primary_key=True)
    from_name: str = Field(max_length=300)
    into_id: int = Field(foreign_key="source.id", index=True)
    forecasts_moved: int
    merged_by: str = Field(max_length=200)
    merged_at: datetime = Field(sa_column=_stamp())


class Article(SQLModel, table=True):
    """Where a forecast was reported."""

    id: int | None = Field(default=None, primary_key=True)
    url: str | None = Field(default=None, max_length=2000, unique=True)
    outlet: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, max_length=1000)
    published: date | None = None


class Forecast(SQLModel, table=True):
    """One forecast: the statement, its probability and its deadline."""

    __table_args__ = (
        Index("ix_forecast_source_deadline", "source_id", "deadline"),
        Index("ix_forecast_dedup", "statement_key", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    statement: str = Field(sa_column=Column(Text, nullable=False))
    statement_key: str = Field(max_length=64)  # hash of the normalised statement
    probability: float
    phrase: str | None = Field(default=None, max_length=200)
    scale: str | None = Field(default=None, max_length=500)
    made_on: date
    deadline: date | None = Field(default=None, index=True)
    deadline_phrase: str | None = Field(default=None, max_length=300)
    deadline_kind: str | None = Field(default=None, max_length=20)
    criteria: str | None = Field(default=None, sa_column=Column(Text))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=_stamp())


class ForecastTag(SQLModel, table=True):
    """A free topic word on a forecast."""

    forecast_id: int = Field(foreign_key="forecast.id", primary_key=True)
    tag: str = Field(max_length=100, primary_key=True, index=True)


class Citation(SQLModel, table=True):
    """A report of a forecast: one forecast may be cited by many articles, scored once."""

    id: int | None = Field(default=None, primary_key=True)
    forecast_id: int = Field(foreign_key="forecast.id", index=True)
    article_id: int | None = Field(default=None, foreign_key="article.id", index=True)
    quote: str | None = Field(default=None, sa_column=Column(Text))
    added_by: str = Field(max_length=200)
    added_at: datetime = Field(sa_column=_stamp())


class Resolution(SQLModel, table=True):
    """An outcome. Append-only: a correction is a new row that supersedes the old."""

    __table_args__ = (
        UniqueConstraint("supersedes_id", name="uq_resolution_supersedes"),
        Index("ix_resolution_forecast", "forecast_id", "id"),
        # and uq_resolution_first: see declare_partial_indexes
    )

    id: int | None = Field(default=None, primary_key=True)
    forecast_id: int = Field(foreign_key="forecast.id")
    outcome: str = Field(max_length=10)
    void_reason: str | None = Field(default=None, max_length=20)
    resolved_on: date
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=_stamp())
    supersedes_id: int | None = Field(default=None, foreign_key="resolution.id")


class Revision(SQLModel, table=True):
    """An amendment to one field of a forecast, with who, when and why."""

    id: int | None = Field(default=None, primary_key=True)
    forecast_id: int = Field(foreign_key="forecast.id", index=True)
    field: str = Field(max_length=50)
    old: str | None = Field(default=None, sa_column=Column(Text))
    new: str | None = Field(default=None, sa_column=Column(Text))
    why: str = Field(sa_column=Column(Text, nullable=False))
    who: str = Field(max_length=200)
    at: datetime = Field(sa_column=_stamp())
    after_deadline: bool = False
    after_resolution: bool = False


class JournalEntry(SQLModel, table=True):
    """The tamper-evident journal: each entry hashes its change and the previous hash."""

    __tablename__ = "journal"

    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_column=_stamp())
    who: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


def declare_partial_indexes() -> None:
    """Add the partial unique index `uq_resolution_first` (one first resolution per
    forecast: two reviewers racing cannot both win) to the metadata.

    The migrations create it in the database. It joins the metadata only where the schema
    is compared with the models (ledger/migrations/env.py), not on import: its
    `postgresql_where` makes SQLAlchemy import the whole PostgreSQL dialect, a twentieth
    of a second on every command, even on SQLite."""
    table = Resolution.__table__
    if any(index.name == "uq_resolution_first" for index in table.indexes):
        return
    Index("uq_resolution_first", table.c.forecast_id, unique=True,
          sqlite_where=text("supersedes_id IS NULL"), postgresql_where=text("supersedes_id IS NULL"))
