"""The domain operations: log, cite, amend, resolve, alias and merge.

Every change goes through :class:`Ledger`, which validates the whole request before
writing, writes it in one transaction, and appends one journal entry for it in that same
transaction. The CLI calls this module; nothing here prints.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session

from ledger import journal, views
from ledger.dates import parse_date
from ledger.errors import Conflict, LedgerError, NotFound
from ledger.models import (
    OUTCOMES,
    SOURCE_KINDS,
    VOID_REASONS,
    Article,
    Citation,
    Forecast,
    ForecastTag,
    Resolution,
    Revision,
    Source,
    SourceAlias,
    SourceMerge,
)
from ledger.periods import ALL, Period
from ledger.scoring import DEFAULT_CLIP
from ledger.store import Store, database_url
from ledger.validate import check_text, clean_tags

if TYPE_CHECKING:  # the word parsers load on first use: commands that only read never need them
    from ledger.language.probability import Probability
    from ledger.language.timeframe import Deadline

AMENDABLE = ("statement", "probability", "deadline", "made_on", "criteria")


def current_user() -> str:
    """Who is recording: `LEDGER_USER`, else the OS user."""
    try:
        return os.environ.get("LEDGER_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def statement_key(statement: str) -> str:
    """Statements that differ only in case and spacing are the same forecast."""
    return hashlib.sha256(" ".join(statement.casefold().split()).encode()).hexdigest()


@dataclass
class NewForecast:
    """What a user gives to log a forecast; words are read by the language modules."""

    statement: str
    source: str
    probability: str
    deadline: str | None = None
    source_kind: str | None = None
    role: str | None = None
    scale: str | None = None
    made_on: date | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: date | None = None
    quote: str | None = None
    criteria: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class Logged:
    """The result of logging: the forecast, what was understood, and what happened."""

    forecast: dict[str, Any]
    created: bool
    cited: bool
    probability: Probability
    deadline: Deadline | None
    notes: list[str]


class Ledger:
    """A forecast ledger on one database."""

    def __init__(self, db: str | None = None, today: date | None = None,
                 user: str | None = None) -> None:
        self.store = Store(database_url(db))
        self._today = today
        self.user = user or current_user()

    @property
    def today(self) -> date:
        return self._today or date.today()

    def close(self) -> None:
        self.store.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    # --- logging ----------------------------------------------------------------

    def add(self, new: NewForecast) -> Logged:
        """Log a forecast, or add a citation if this source already made it."""
        statement = check_text("statement", new.statement, required=True)
        source_name = check_text("source", new.source, required=True, limit=300)
        for name in ("quote", "criteria", "title", "outlet", "url", "role"):
            check_text(name, getattr(new, name))
        kind = (new.source_kind or "").lower() or None
        if kind is not None and kind not in SOURCE_KINDS:
            raise LedgerError(f"source kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
        from ledger.language.probability import parse_probability
        from ledger.language.scales import default_scale_name

        tags = clean_tags(new.tags)
        scale = new.scale or default_scale_name()
        probability = parse_probability(new.probability, scale)
        made_on = new.made_on or new.published or self.today
        deadline = self._read_deadline(new.deadline, made_on)
        notes = self._deadline_notes(deadline)
        if probability.weak:
            notes.append(f"{probability.matched!r} only says it is possible: scored as "
                         f"{probability.value:.2f}, weak evidence")

        def work(session: Session) -> Logged:
            now = self.now()
            source, source_created = self._source_for(session, source_name, kind, new.role, now)
            article = self._article_for(session, new)
            existing = session.execute(
                select(Forecast).where(
                    Forecast.source_id == source.id,
                    Forecast.statement_key == statement_key(statement),
                    Forecast.deadline == deadline.date if deadline and deadline.date
                    else Forecast.deadline.is_(None),
                )
            ).scalars().first()
            if existing is not None:
                cited = self._cite(session, existing, article, new.quote, now)
                if cited:
                    notes.append(f"forecast {existing.id} was already logged: added a citation")
                else:
                    notes.append(f"forecast {existing.id} was already logged with this citation: nothing added")
                return Logged(self._row(session, existing.id), False, cited, probability,
                              deadline, notes)
            forecast = Forecast(
                source_id=source.id, statement=statement, statement_key=statement_key(statement),
                probability=probability.value, phrase=probability.phrase,
                scale=probability.scale if probability.kind == "phrase" else None,
                made_on=made_on, deadline=deadline.date if deadline else None,
                deadline_phrase=deadline.phrase if deadline else None,
                deadline_kind=deadline.kind if deadline else None,
                criteria=new.criteria, created_by=self.user, created_at=now,
            )
            session.add(forecast)
            session.flush()
            for tag in tags:
                session.add(ForecastTag(forecast_id=forecast.id, tag=tag))
            journal.append(session, "forecast.logged", {
                "forecast": forecast.id, "source": source.name, "source_created": source_created,
                "source_kind": source.kind, "source_role": source.role,
                "statement": statement, "probability": forecast.probability,
                "phrase": forecast.phrase, "scale": forecast.scale, "made_on": made_on,
                "deadline": forecast.deadline, "deadline_phrase": forecast.deadline_phrase,
                "deadline_kind": forecast.deadline_kind, "criteria": new.criteria, "tags": tags,
            }, self.user, now)
            self._cite(session, forecast, article, new.quote, now)
            return Logged(self._row(session, forecast.id), True, True, probability, deadline, notes)

        return self.store.write(work)

    def _read_deadline(self, words: str | None, made_on: date) -> Deadline | None:
        if words is None or not words.strip():
            return None
        from ledger.language.timeframe import parse_deadline

        check_text("deadline", words, limit=300)
        deadline = parse_deadline(words, made_on)
        if deadline.date is not None and deadline.date < made_on:
            raise LedgerError(
                f"deadline {deadline.date} is before the forecast was made ({made_on})")
        return deadline

    @staticmethod
    def _deadline_notes(deadline: Deadline | None) -> list[str]:
        if deadline is None:
            return ["no deadline given: stored undated; `ledger amend ID --deadline DATE` dates it"]
        notes = []
        if deadline.date is None:
            notes.append(f"{deadline.phrase!r} gives no date ({deadline.kind}): stored undated; "
                         "`ledger amend ID --deadline DATE` dates it")
        elif deadline.kind == "soft":
            notes.append(f"{deadline.phrase!r} is fuzzy: provisional deadline {deadline.date}; "
                         "confirm or change it with `ledger amend ID --deadline DATE`")
        if deadline.ambiguous:
            others = ", ".join(str(d) for d in deadline.alternatives) or "none"
            notes.append(f"{deadline.phrase!r} is ambiguous: read as {deadline.date}, "
                         f"other reading(s): {others}")
        return notes

    def _source_for(self, session: Session, name: str, kind: str | None, role: str | None,
                    now: datetime) -> tuple[Source, bool]:
        source = views.find_source(session, name)
        if source is not None:
            return source, False
        source = Source(name=" ".join(name.split()), key=views.source_key(name),
                        kind=kind or "person", role=role, created_at=now)
        session.add(source)
        session.flush()
        return source, True

    def _article_for(self, session: Session, new: NewForecast) -> Article | None:
        if not any((new.url, new.outlet, new.title, new.published)):
            return None
        if new.url:
            article = session.execute(select(Article).where(Article.url == new.url)).scalar_one_or_none()
        else:
            article = session.execute(select(Article).where(
                Article.url.is_(None), Article.outlet == new.outlet,
                Article.title == new.title, Article.published == new.published,
            )).scalars().first()
        if article is None:
            article = Article(url=new.url, outlet=new.outlet, title=new.title, published=new.published)
            session.add(article)
            session.flush()
        return article

    def _cite(self, session: Session, forecast: Forecast, article: Article | None,
              quote: str | None, now: datetime) -> bool:
        """Add a citation unless the same article and quote are already there."""
        if article is None and not quote:
            return False
        query = select(Citation.id).where(Citation.forecast_id == forecast.id)
        query = query.where(Citation.article_id == article.id if article else Citation.article_id.is_(None))
        query = query.where(Citation.quote == quote if quote else Citation.quote.is_(None))
        if session.execute(query).first() is not None:
            return False
        citation = Citation(forecast_id=forecast.id, article_id=article.id if article else None,
                            quote=quote, added_by=self.user, added_at=now)
        session.add(citation)
        session.flush()
        journal.append(session, "citation.added", {
            "forecast": forecast.id, "citation": citation.id,
            "url": article.url if article else None, "outlet": article.outlet if article else None,
            "title": article.title if article else None,
            "published": article.published if article else None, "quote": quote,
        }, self.user, now)
        return True

    # --- resolving --------------------------------------------------------------

    def resolve(self, forecast_id: int, outcome: str, *, reason: str | None = None,
                on: date | None = None, evidence: str | None = None, note: str | None = None,
                by: str | None = None, correct: bool = False) -> dict[str, Any]:
        """Record an outcome; a second one needs `correct=True` and supersedes the first."""
        outcome = outcome.lower()
        if outcome not in OUTCOMES:
            raise LedgerError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        if outcome == "void":
            if not reason:
                raise LedgerError(f"void needs a reason: one of {', '.join(VOID_REASONS)}")
            if reason not in VOID_REASONS:
                raise LedgerError(f"void reason must be one of {', '.join(VOID_REASONS)}, not {reason!r}")
        elif reason:
            raise LedgerError("a reason is only for void resolutions")
        check_text("evidence", evidence)
        check_text("note", note)
        who = check_text("by", by, limit=200) or self.user

        def work(session: Session) -> dict[str, Any]:
            forecast = self._forecast(session, forecast_id, lock=True)
            current = self._current_resolution(session, forecast_id)
            if current is not None and not correct:
                raise Conflict(
                    f"forecast {forecast_id} is already resolved {current.outcome} by "
                    f"{current.recorded_by} at {current.recorded_at:%Y-%m-%d %H:%M} UTC; "
                    "use --correct to supersede it")
            if current is None and correct:
                raise LedgerError(f"forecast {forecast_id} has no resolution to correct")
            resolved_on = on or self._default_resolution_date(forecast, outcome)
            self._check_resolution_date(forecast, outcome, resolved_on)
            now = self.now()
            resolution = Resolution(
                forecast_id=forecast_id, outcome=outcome, void_reason=reason,
                resolved_on=resolved_on, evidence=evidence, note=note, recorded_by=who,
                recorded_at=now, supersedes_id=current.id if current else None)
            session.add(resolution)
            session.flush()
            journal.append(session, "forecast.corrected" if current else "forecast.resolved", {
                "forecast": forecast_id, "resolution": resolution.id, "outcome": outcome,
                "void_reason": reason, "resolved_on": resolved_on, "evidence": evidence,
                "note": note, "supersedes": resolution.supersedes_id,
            }, who, now)
            return self._row(session, forecast_id)

        return self.store.write(work)

    def _default_resolution_date(self, forecast: Forecast, outcome: str) -> date:
        """`no`: the deadline once it has passed; otherwise today, never past the deadline."""
        today = self.today
        if forecast.deadline is None:
            return today
        if outcome == "no":
            return forecast.deadline if forecast.deadline < today else today
        return min(today, forecast.deadline)

    def _check_resolution_date(self, forecast: Forecast, outcome: str, on: date) -> None:
        if on > self.today:
            raise LedgerError(f"resolution date {on} is after today ({self.today})")
        if on < forecast.made_on:
            raise LedgerError(f"resolution date {on} is before the forecast was made ({forecast.made_on})")
        if outcome == "yes" and forecast.deadline is not None and on > forecast.deadline:
            raise LedgerError(
                f"'yes' on {on} is after the deadline {forecast.deadline}: it did not happen "
                "in time, so the outcome is 'no'")

    @staticmethod
    def _current_resolution(session: Session, forecast_id: int) -> Resolution | None:
        return session.execute(
            select(Resolution).where(Resolution.forecast_id == forecast_id)
            .order_by(Resolution.id.desc()).limit(1)
        ).scalar_one_or_none()

    @staticmethod
    def _forecast(session: Session, forecast_id: int, lock: bool = False) -> Forecast:
        query = select(Forecast).where(Forecast.id == forecast_id)
        if lock:
            query = query.with_for_update()
        forecast = session.execute(query).scalar_one_or_none()
        if forecast is None:
            raise NotFound(f"no forecast with id {forecast_id}")
        return forecast

    # --- amending ---------------------------------------------------------------

    def amend(self, forecast_id: int, changes: dict[str, str | None], why: str,
              who: str | None = None, scale: str | None = None) -> dict[str, Any]:
        """Change fields of a forecast, recording each change as a revision."""
        why = check_text("why", why, required=True)
        who = check_text("by", who, limit=200) or self.user
        unknown = set(changes) - set(AMENDABLE)
        if unknown:
            raise LedgerError(f"cannot amend {', '.join(sorted(unknown))}; amendable: {', '.join(AMENDABLE)}")
        if not changes and not scale:
            raise LedgerError("nothing to amend: give at least one field to change")

        def work(session: Session) -> dict[str, Any]:
            forecast = self._forecast(session, forecast_id, lock=True)
            current = self._current_resolution(session, forecast_id)
            updates = self._amended_values(forecast, changes, scale)
            if current is not None and current.outcome == "yes" and updates.get("deadline") \
                    and current.resolved_on > updates["deadline"]:
                raise LedgerError(f"the new deadline {updates['deadline']} is before the 'yes' "
                                  f"resolution on {current.resolved_on}")
            now = self.now()
            after_deadline = forecast.deadline is not None and self.today > forecast.deadline
            changed = []
            for name, value in updates.items():
                old = getattr(forecast, name)
                if old == value:
                    continue
                setattr(forecast, name, value)
                if name in {"deadline_kind", "scale", "statement_key"}:
                    continue  # derived from a recorded field
                session.add(Revision(
                    forecast_id=forecast_id, field=name, old=_text(old), new=_text(value),
                    why=why, who=who, at=now, after_deadline=after_deadline,
                    after_resolution=current is not None))
                changed.append({"field": name, "old": old, "new": value})
            if not changed:
                raise LedgerError("nothing changed: the new values equal the old ones")
            session.add(forecast)
            journal.append(session, "forecast.amended", {
                "forecast": forecast_id, "changes": changed, "why": why,
                "after_deadline": after_deadline, "after_resolution": current is not None,
                "phrase": forecast.phrase, "scale": forecast.scale,
                "deadline_phrase": forecast.deadline_phrase, "deadline_kind": forecast.deadline_kind,
            }, who, now)
            return self._row(session, forecast_id)

        return self.store.write(work)

    def _amended_values(self, forecast: Forecast, changes: dict[str, str | None],
                        scale: str | None) -> dict[str, Any]:
        updates: dict[str, Any] = {}
        if "statement" in changes:
            statement = check_text("statement", changes["statement"], required=True)
            updates["statement"] = statement
            updates["statement_key"] = statement_key(statement)
        if "criteria" in changes:
            updates["criteria"] = check_text("criteria", changes["criteria"]) or None
        made_on = forecast.made_on
        if "made_on" in changes:
            made_on = parse_date(changes["made_on"] or "", "made_on")
            updates["made_on"] = made_on
        if "probability" in changes or scale:
            words = changes.get("probability") or forecast.phrase
            if words is None:
                raise LedgerError("this forecast's probability is a number: give --probability to change it")
            from ledger.language.probability import parse_probability
            from ledger.language.scales import default_scale_name

            reading = parse_probability(words, scale or forecast.scale or default_scale_name())
            updates.update(probability=reading.value, phrase=reading.phrase,
                           scale=reading.scale if reading.kind == "phrase" else None)
        if "deadline" in changes or ("made_on" in changes and forecast.deadline_phrase):
            words = changes.get("deadline", forecast.deadline_phrase)
            reading = self._read_deadline(words, made_on)
            updates.update(deadline=reading.date if reading else None,
                           deadline_phrase=reading.phrase if reading else None,
                           deadline_kind=reading.kind if reading else None)
        elif forecast.deadline is not None and made_on > forecast.deadline:
            raise LedgerError(f"made_on {made_on} would be after the deadline {forecast.deadline}")
        return updates

    # --- sources ----------------------------------------------------------------

    def alias(self, name: str, alias: str) -> dict[str, Any]:
        """Let `alias` name the source `name` from now on."""
        alias = check_text("alias", alias, required=True, limit=300)

        def work(session: Session) -> dict[str, Any]:
            source = self._source(session, name)
            other = views.find_source(session, alias)
            if other is not None:
                if other.id == source.id:
                    return {"source": source.name, "alias": alias, "added": False}
                raise Conflict(f"{alias!r} already names another source, {other.name}; "
                               f"use `ledger sources merge` to combine them")
            now = self.now()
            session.add(SourceAlias(source_id=source.id, alias=" ".join(alias.split()),
                                    key=views.source_key(alias)))
            journal.append(session, "source.aliased", {"source": source.name, "alias": alias},
                           self.user, now)
            return {"source": source.name, "alias": alias, "added": True}

        return self.store.write(work)

    def merge(self, from_name: str, into_name: str) -> dict[str, Any]:
        """Move every forecast of one source to another; the old name becomes an alias."""

        def work(session: Session) -> dict[str, Any]:
            source = self._source(session, from_name)
            target = self._source(session, into_name)
            if source.id == target.id:
                raise LedgerError(f"{from_name!r} and {into_name!r} are the same source")
            now = self.now()
            moved = session.execute(select(Forecast).where(Forecast.source_id == source.id)).scalars().all()
            for forecast in moved:
                forecast.source_id = target.id
                session.add(Revision(
                    forecast_id=forecast.id, field="source", old=source.name, new=target.name,
                    why=f"source {source.name} merged into {target.name}", who=self.user, at=now,
                    after_deadline=forecast.deadline is not None and self.today > forecast.deadline,
                    after_resolution=self._current_resolution(session, forecast.id) is not None))
            for alias in session.execute(select(SourceAlias).where(SourceAlias.source_id == source.id)).scalars():
                alias.source_id = target.id
            session.flush()
            old_name = source.name
            session.delete(source)
            session.flush()
            session.add(SourceAlias(source_id=target.id, alias=old_name, key=views.source_key(old_name)))
            session.add(SourceMerge(from_name=old_name, into_id=target.id, forecasts_moved=len(moved),
                                    merged_by=self.user, merged_at=now))
            journal.append(session, "source.merged", {
                "from": old_name, "into": target.name,
                "forecasts": [f.id for f in moved]}, self.user, now)
            return {"from": old_name, "into": target.name, "forecasts_moved": len(moved)}

        return self.store.write(work)

    @staticmethod
    def _source(session: Session, name: str) -> Source:
        source = views.find_source(session, name)
        if source is None:
            raise NotFound(f"no source named {name!r}")
        return source

    # --- reading ----------------------------------------------------------------

    def _row(self, session: Session, forecast_id: int) -> dict[str, Any]:
        rows = views.forecast_rows(session, self.today, views.Filters(ids=[forecast_id]))
        if not rows:
            raise NotFound(f"no forecast with id {forecast_id}")
        return rows[0]

    def list(self, status: str = "all", source: str | None = None, tag: str | None = None,
             outlet: str | None = None, keys: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Forecasts in id order as dicts of the JSON contract, or of only `keys`."""
        if status not in views.STATUSES:
            raise LedgerError(f"status must be one of {', '.join(views.STATUSES)}")

        def work(session: Session) -> list[dict[str, Any]]:
            source_id = self._source(session, source).id if source else None
            return views.forecast_rows(session, self.today, views.Filters(
                status=status, source_id=source_id, tag=tag, outlet=outlet), keys=keys)

        return self.store.read(work)

    def show(self, forecast_id: int) -> dict[str, Any]:
        def work(session: Session) -> dict[str, Any]:
            row = self._row(session, forecast_id)
            row["citations"] = views.citations(session, forecast_id)
            row["resolutions"] = views.resolutions(session, forecast_id)
            row["revisions"] = views.revisions(session, forecast_id)
            return row

        return self.store.read(work)

    def history(self, forecast_id: int) -> list[dict[str, Any]]:
        """Everything that happened to a forecast, oldest first."""
        detail = self.show(forecast_id)
        events = [{"at": detail["created_at"], "event": "logged", "who": detail["created_by"],
                   "detail": f"{detail['probability']:.2f} that {detail['statement']!r} "
                             f"by {detail['deadline'] or 'no deadline'}"}]
        for cite in detail["citations"]:
            where = cite["outlet"] or cite["url"] or "no article"
            quote = f": {cite['quote']!r}" if cite["quote"] else ""
            events.append({"at": cite["added_at"], "event": "cited", "who": cite["added_by"],
                           "detail": f"{where}{quote}"})
        for res in detail["resolutions"]:
            kind = "corrected" if res["supersedes_id"] else "resolved"
            reason = f" ({res['void_reason']})" if res["void_reason"] else ""
            evidence = f"; evidence: {res['evidence']}" if res["evidence"] else ""
            superseded = "" if res["current"] else " [superseded]"
            events.append({"at": res["recorded_at"], "event": kind, "who": res["recorded_by"],
                           "detail": f"{res['outcome']}{reason} on {res['resolved_on']}{evidence}{superseded}"})
        for rev in detail["revisions"]:
            flags = [f for f, on in (("after deadline", rev["after_deadline"]),
                                     ("after resolution", rev["after_resolution"])) if on]
            marked = f" [{', '.join(flags)}]" if flags else ""
            events.append({"at": rev["at"], "event": "amended", "who": rev["who"],
                           "detail": f"{rev['field']}: {rev['old']} → {rev['new']} ({rev['why']}){marked}"})
        events.sort(key=lambda e: (e["at"], 0 if e["event"] == "logged" else 1))
        return events

    def report(self, by: str = "source", period: Period = ALL, as_of: date | None = None,
               scale: str | None = None, min_n: int = 5, sort: str = "brier",
               clip: float = DEFAULT_CLIP) -> list[dict[str, Any]]:
        """Per-group accuracy (see ledger.reports); the last row is the pool."""
        from ledger.language.scales import load_scale
        from ledger.reports import Selection, accuracy_report

        if scale:
            load_scale(scale)  # a bad scale name fails before any query
        selection = Selection(period=period, as_of=as_of, scale=scale)
        return self.store.read(lambda s: accuracy_report(s, by, selection, min_n, sort, clip))

    def calibration(self, sources: tuple[str, ...] = (), by: str = "bins", bins: int = 10,
                    period: Period = ALL, as_of: date | None = None,
                    scale: str | None = None) -> list[dict[str, Any]]:
        """Calibration rows for the pool, or per source when sources are named."""
        from ledger.language.scales import load_scale
        from ledger.reports import Selection, calibration_table

        if scale:
            load_scale(scale)

        def work(session: Session) -> list[dict[str, Any]]:
            ids = tuple(self._source(session, name).id for name in sources)
            selection = Selection(period=period, as_of=as_of, scale=scale, sources=ids)
            return calibration_table(session, selection, by, bins, per_source=bool(sources))

        return self.store.read(work)

    @contextmanager
    def reviewing(self, period: Period) -> Iterator[Any]:
        """The weekly review (a `ledger.review.Review`), read in one snapshot while the
        block runs: its sections stream from the database, so read them inside it."""
        from ledger.review import Review

        with self.store.session(snapshot=True) as session:
            yield Review(session, period, self.today)

    def import_file(self, path: Any, forced: str | None = None, source: str | None = None,
                    dry_run: bool = False, progress: Any = None, layout: Any = None,
                    name: str | None = None) -> Any:
        """Import a file all or nothing (see ledger.interchange.importer); `name` is what
        messages call the file."""
        from pathlib import Path

        from ledger.interchange.importer import import_file

        if source is not None:
            check_text("source", source, required=True, limit=300)
        return import_file(self.store, Path(path), forced=forced, default_source=source, user=self.user,
                           today=self.today, now=self.now(), dry_run=dry_run, progress=progress,
                           layout=layout, name=name)

    def export(self, stream: Any, fmt: str, status: str = "all", source: str | None = None,
               tag: str | None = None, outlet: str | None = None) -> int:
        """Write forecasts as csv, jsonl or json; returns how many."""
        from ledger.interchange.exporter import EXPORT_FORMATS, records, write_export

        if fmt not in EXPORT_FORMATS:
            raise LedgerError(f"export format must be one of {', '.join(EXPORT_FORMATS)}")
        if status not in views.STATUSES:
            raise LedgerError(f"status must be one of {', '.join(views.STATUSES)}")

        def work(session: Session) -> int:
            source_id = self._source(session, source).id if source else None
            filters = views.Filters(status=status, source_id=source_id, tag=tag, outlet=outlet)
            return write_export(stream, fmt, records(session, self.today, filters))

        return self.store.read(work)

    def log_candidate(self, candidate: dict[str, Any], article: dict[str, Any], scale: str | None = None) -> Logged:
        """Log a candidate drafted by `ledger extract`, citing its article and quote."""
        probability = candidate.get("phrase") or (
            str(candidate["probability"]) if candidate.get("probability") is not None else None)
        if probability is None:
            raise LedgerError("the candidate has no probability")
        return self.add(NewForecast(
            statement=candidate["statement"], source=candidate["source"],
            source_kind="outlet" if candidate["source_kind"] == "author" else candidate["source_kind"],
            role=candidate.get("role"), probability=probability, scale=scale,
            deadline=candidate.get("deadline_phrase"), made_on=parse_date(str(candidate["made_on"]), "made_on"),
            url=article.get("url"), outlet=article.get("outlet"), title=article.get("title"),
            published=article.get("published"), quote=candidate.get("quote")))

    def verify(self) -> Any:
        """Recompute the journal's hash chain and check the tables against it."""
        from ledger.integrity import verify

        return self.store.read(verify)

    def head(self) -> tuple[int, str]:
        """(entries, hash of the newest journal entry): publish it to pin the ledger."""
        from ledger.integrity import head

        return self.store.read(head)

    def backup(self, target: Any) -> int | None:
        """SQLite: an online copy of the file. PostgreSQL: the JSONL export (returns its count)."""
        from pathlib import Path

        path = Path(target)
        if path.exists():
            raise LedgerError(f"{path} already exists: choose a new file name")
        if not path.parent.exists():
            raise LedgerError(f"directory {path.parent} does not exist")
        self.store.ensure_schema()
        if self.store.is_sqlite:
            self.store.backup_sqlite(path)
            return None
        with path.open("w", encoding="utf-8") as handle:
            return self.export(handle, "jsonl")

    def sources(self) -> list[dict[str, Any]]:
        return self.store.read(views.source_rows)

    def counts(self) -> dict[str, int]:
        return self.store.counts()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
