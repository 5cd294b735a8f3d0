"""`ledger verify`: recompute the hash chain, then check that the tables hold exactly what
the journal says was written.

The chain proves that no journal entry was edited, removed or reordered after a later
one was written. Replaying the journal proves that the forecast, source, citation and
resolution tables were not edited behind the tool's back. docs/integrity.md says what
this does and does not prove.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ledger.journal import GENESIS, chain_hash
from ledger.models import (
    Article,
    Citation,
    Forecast,
    ForecastTag,
    JournalEntry,
    Resolution,
    Source,
    SourceAlias,
)
from ledger.views import source_key

CITATION_FIELDS = ("forecast", "url", "outlet", "title", "published", "quote")
RESOLUTION_FIELDS = ("forecast", "outcome", "void_reason", "resolved_on", "evidence", "note", "supersedes")


@dataclass
class Verdict:
    ok: bool
    entries: int
    head: str
    problem: str | None = None
    entry: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "problem": self.problem,
                "entry": self.entry}


@dataclass
class _State:
    """What the journal says the tables hold, and which entry last touched each thing."""

    forecasts: dict[int, dict[str, Any]] = field(default_factory=dict)
    citations: dict[int, dict[str, Any]] = field(default_factory=dict)
    resolutions: dict[int, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # by key
    aliases: dict[str, str] = field(default_factory=dict)  # alias key -> source key
    touched: dict[tuple[str, Any], int] = field(default_factory=dict)

    def source(self, name: str, kind: str | None, role: str | None, seq: int) -> None:
        key = source_key(name)
        if key not in self.sources and key not in self.aliases:
            self.sources[key] = {"name": " ".join(name.split()), "kind": kind or "person", "role": role}
            self.touched[("source", key)] = seq


def head(session: Session) -> tuple[int, str]:
    last = session.execute(select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)).scalar_one_or_none()
    return (last.seq, last.hash) if last else (0, GENESIS)


def verify(session: Session) -> Verdict:
    state = _State()
    previous, count = GENESIS, 0
    query = select(JournalEntry).order_by(JournalEntry.seq).execution_options(yield_per=1000)
    for entry in session.execute(query).scalars():
        count += 1
        if entry.seq != count:
            return Verdict(False, count, previous, f"entry {count} is missing (found {entry.seq} next)", count)
        if entry.prev_hash != previous:
            return Verdict(False, count, previous, f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                                                   "(previous hash differs): the chain was rewritten", entry.seq)
        if chain_hash(previous, entry.payload) != entry.hash:
            return Verdict(False, count, previous, f"entry {entry.seq}: its hash does not match its content "
                                                   "(the entry was edited)", entry.seq)
        try:
            body = json.loads(entry.payload)
        except ValueError:
            return Verdict(False, count, previous, f"entry {entry.seq}: content is not JSON", entry.seq)
        if (body.get("seq"), body.get("kind"), body.get("who")) != (entry.seq, entry.kind, entry.who):
            return Verdict(False, count, previous, f"entry {entry.seq}: its columns differ from its hashed content",
                           entry.seq)
        _apply(state, entry.seq, entry.kind, body["change"])
        previous = entry.hash
    problem = _compare(session, state)
    if problem:
        message, seq = problem
        return Verdict(False, count, previous, message, seq)
    return Verdict(True, count, previous)


# --- replay --------------------------------------------------------------------------


def _apply(state: _State, seq: int, kind: str, change: dict[str, Any]) -> None:
    if kind == "forecast.logged":
        state.source(change["source"], change.get("source_kind"), change.get("source_role"), seq)
        _new_forecast(state, seq, change["forecast"], change)
    elif kind == "citation.added":
        _new_citation(state, seq, change["citation"], change["forecast"], change)
    elif kind in {"forecast.resolved", "forecast.corrected"}:
        _new_resolution(state, seq, change["resolution"], change["forecast"], change)
    elif kind == "forecast.amended":
        forecast = state.forecasts.get(change["forecast"])
        if forecast is not None:
            for item in change["changes"]:
                if item["field"] in forecast:
                    forecast[item["field"]] = item["new"]
            for name in ("phrase", "scale", "deadline_phrase", "deadline_kind"):
                if name in change:
                    forecast[name] = change[name]
            state.touched[("forecast", change["forecast"])] = seq
    elif kind == "source.aliased":
        state.aliases[source_key(change["alias"])] = _resolve(state, change["source"])
        state.touched[("alias", source_key(change["alias"]))] = seq
    elif kind == "source.merged":
        old, new = source_key(change["from"]), _resolve(state, change["into"])
        state.sources.pop(old, None)
        for alias, target in list(state.aliases.items()):
            if target == old:
                state.aliases[alias] = new
        state.aliases[old] = new
        state.touched[("alias", old)] = seq
        for forecast_id in change["forecasts"]:
            if forecast_id in state.forecasts:
                state.forecasts[forecast_id]["source"] = new
                state.touched[("forecast", forecast_id)] = seq
    elif kind == "forecasts.imported":
        for item in change.get("sources", []):
            if "alias" in item:
                state.aliases[source_key(item["alias"])] = _resolve(state, item["alias_of"])
            else:
                state.source(item["name"], item.get("kind"), item.get("role"), seq)
        for record in _rows(change.get("forecasts")):
            _new_forecast(state, seq, record["id"], record)
        for citation in _rows(change.get("citations")):
            _new_citation(state, seq, citation["id"], citation["forecast"], citation)
        for resolution in _rows(change.get("resolutions")):
            _new_resolution(state, seq, resolution["id"], resolution["forecast"], resolution)


def _rows(table: dict[str, Any] | None) -> list[dict[str, Any]]:
    """An import entry's columnar table as dicts."""
    if not table:
        return []
    columns = table["columns"]
    return [dict(zip(columns, row, strict=True)) for row in table["rows"]]


def _resolve(state: _State, name: str) -> str:
    key = source_key(name)
    return state.aliases.get(key, key)


def _new_forecast(state: _State, seq: int, forecast_id: int, change: dict[str, Any]) -> None:
    state.forecasts[forecast_id] = {
        "source": _resolve(state, change["source"]), "statement": change["statement"],
        "probability": change["probability"], "phrase": change.get("phrase"), "scale": change.get("scale"),
        "made_on": change["made_on"], "deadline": change.get("deadline"),
        "deadline_phrase": change.get("deadline_phrase"), "deadline_kind": change.get("deadline_kind"),
        "criteria": change.get("criteria"), "tags": sorted(change.get("tags") or []),
    }
    state.touched[("forecast", forecast_id)] = seq


def _new_citation(state: _State, seq: int, citation_id: int, forecast_id: int, change: dict[str, Any]) -> None:
    state.citations[citation_id] = {"forecast": forecast_id, **{k: change.get(k) for k in CITATION_FIELDS[1:]}}
    state.touched[("citation", citation_id)] = seq


def _new_resolution(state: _State, seq: int, resolution_id: int, forecast_id: int, change: dict[str, Any]) -> None:
    state.resolutions[resolution_id] = {"forecast": forecast_id, "supersedes": change.get("supersedes"),
                                        **{k: change.get(k) for k in RESOLUTION_FIELDS[1:-1]}}
    state.touched[("resolution", resolution_id)] = seq


# --- comparison ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _first_difference(kind: str, expected: dict[Any, dict[str, Any]], actual: dict[Any, dict[str, Any]],
                      touched: dict[tuple[str, Any], int]) -> tuple[str, int | None] | None:
    for key in sorted(set(expected) | set(actual), key=str):
        if key not in actual:
            seq = touched.get((kind, key))
            return f"{kind} {key} written by journal entry {seq} is missing from the table", seq
        if key not in expected:
            return f"{kind} {key} is in the table but in no journal entry (written outside the tool)", None
        for name, value in expected[key].items():
            if actual[key].get(name) != value:
                seq = touched.get((kind, key))
                return (f"{kind} {key}: {name} is {actual[key].get(name)!r} in the table but "
                        f"{value!r} after journal entry {seq}", seq)
    return None


def _compare(session: Session, state: _State) -> tuple[str, int | None] | None:
    sources = {row.key: {"name": row.name, "kind": row.kind, "role": row.role}
               for row in session.execute(select(Source)).scalars()}
    names = {row.id: row.key for row in session.execute(select(Source)).scalars()}
    found = _first_difference("source", state.sources, sources, state.touched)
    if found:
        return found
    aliases = {row.key: names.get(row.source_id) for row in session.execute(select(SourceAlias)).scalars()}
    found = _first_difference("alias", {k: {"of": v} for k, v in state.aliases.items()},
                              {k: {"of": v} for k, v in aliases.items()}, state.touched)
    if found:
        return found
    tags: dict[int, list[str]] = {}
    for forecast_id, tag in session.execute(select(ForecastTag.forecast_id, ForecastTag.tag).order_by(ForecastTag.tag)):
        tags.setdefault(forecast_id, []).append(tag)
    forecasts = {}
    for row in session.execute(select(Forecast).execution_options(yield_per=2000)).scalars():
        forecasts[row.id] = {
            "source": names.get(row.source_id), "statement": row.statement, "probability": row.probability,
            "phrase": row.phrase, "scale": row.scale, "made_on": _plain(row.made_on),
            "deadline": _plain(row.deadline), "deadline_phrase": row.deadline_phrase,
            "deadline_kind": row.deadline_kind, "criteria": row.criteria, "tags": tags.get(row.id, []),
        }
    found = _first_difference("forecast", state.forecasts, forecasts, state.touched)
    if found:
        return found
    citations = {}
    query = select(Citation.id, Citation.forecast_id, Citation.quote, Article.url, Article.outlet,
                   Article.title, Article.published).outerjoin(Article, Article.id == Citation.article_id)
    for row in session.execute(query).mappings():
        citations[row["id"]] = {"forecast": row["forecast_id"], "url": row["url"], "outlet": row["outlet"],
                                "title": row["title"], "published": _plain(row["published"]), "quote": row["quote"]}
    found = _first_difference("citation", state.citations, citations, state.touched)
    if found:
        return found
    resolutions = {}
    for row in session.execute(select(Resolution)).scalars():
        resolutions[row.id] = {"forecast": row.forecast_id, "outcome": row.outcome, "void_reason": row.void_reason,
                               "resolved_on": _plain(row.resolved_on), "evidence": row.evidence, "note": row.note,
                               "supersedes": row.supersedes_id}
    return _first_difference("resolution", state.resolutions, resolutions, state.touched)
