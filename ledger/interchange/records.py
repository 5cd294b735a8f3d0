"""The ledger's own interchange record: one forecast with its whole history.

A *record* is a plain dict (fast to build a million of) with the keys below. CSV rows in
the ledger's format, JSONL lines and foreign trackers' rows are all turned into records
by :func:`validate_row`, which collects every problem with its line and column instead
of stopping at the first. docs/formats.md describes every column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from ledger.dates import parse_date
from ledger.errors import LedgerError
from ledger.language.probability import parse_probability
from ledger.language.scales import default_scale_name
from ledger.language.timeframe import parse_deadline
from ledger.models import OUTCOMES, SOURCE_KINDS, VOID_REASONS
from ledger.validate import check_text, clean_tags

# The CSV columns of the ledger's own format, in order (docs/formats.md).
CSV_COLUMNS = (
    "statement", "source", "source_kind", "role", "probability", "phrase", "scale", "made_on",
    "deadline", "deadline_phrase", "criteria", "tags", "url", "outlet", "title", "published",
    "quote", "outcome", "void_reason", "resolved_on", "evidence", "note",
)
REQUIRED = ("statement", "source", "probability")
MAX_PROBLEMS = 50


@dataclass
class Problems:
    """Every bad row's line, column and reason (the first 50 kept, the rest counted)."""

    items: list[tuple[int, str, str]] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, column: str, reason: str) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append((line, column, reason))

    def __bool__(self) -> bool:
        return self.total > 0

    def lines(self) -> list[str]:
        shown = [f"line {line}: {column}: {reason}" for line, column, reason in self.items]
        if self.total > len(self.items):
            shown.append(f"... and {self.total - len(self.items)} more problem(s)")
        return shown


class ImportProblems(LedgerError):
    """A file with bad rows: nothing was imported."""

    def __init__(self, problems: Problems, source: str) -> None:
        self.problems = problems
        super().__init__(f"{source}: {problems.total} problem(s); nothing imported")


def read_date(value: Any, column: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return _date_text(str(value).strip())


@lru_cache(maxsize=4096)
def _date_text(text: str) -> date:
    """Dates repeat a great deal in big files: each distinct text is read once."""
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else parse_date(text)
    except ValueError:
        raise LedgerError(f"{text[:40]!r} is not a date (use YYYY-MM-DD)") from None


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO timestamp (a missing zone means UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            from dateutil import parser as date_parser

            try:
                moment = date_parser.isoparse(text)
            except (ValueError, OverflowError):
                try:
                    moment = date_parser.parse(text)
                except (ValueError, OverflowError):
                    raise LedgerError(f"{text[:40]!r} is not a timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def read_text(row: dict[str, Any], column: str, problems: Problems, line: int, limit: int = 10_000,
          required: bool = False) -> str | None:
    value = row.get(column)
    if not value and not required:
        return None
    if value is not None and not isinstance(value, str):
        value = str(value)
    try:
        return check_text(column, value, required=required, limit=limit)
    except LedgerError as exc:
        problems.add(line, column, str(exc))
        return None


_DEFAULT_SCALE = ["default"]


def validate_row(row: dict[str, Any], line: int, problems: Problems, today: date,
                 default_source: str | None = None) -> dict[str, Any] | None:
    """A record from one row, or None (with the reasons added to `problems`)."""
    if line <= 2:  # read LEDGER_SCALE once per file, not once per row
        _DEFAULT_SCALE[0] = default_scale_name()
    before = problems.total
    statement = read_text(row, "statement", problems, line, required=True)
    source = read_text(row, "source", problems, line, limit=300) or default_source
    if source is None and problems.total == before:
        problems.add(line, "source", "source is required")
    kind = (read_text(row, "source_kind", problems, line, limit=20) or "person").lower()
    if kind not in SOURCE_KINDS:
        problems.add(line, "source_kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    record: dict[str, Any] = {
        "statement": statement, "source": source, "source_kind": kind,
        "role": read_text(row, "role", problems, line, limit=300),
        "criteria": read_text(row, "criteria", problems, line),
    }
    try:
        record["made_on"] = read_date(row.get("made_on"), "made_on") or read_date(row.get("published"), "published") \
            or (parse_timestamp(row.get("created_at")).date() if row.get("created_at") else today)
    except LedgerError as exc:
        problems.add(line, "made_on", str(exc))
        record["made_on"] = today
    read_probability(row, record, problems, line)
    read_deadline(row, record, problems, line)
    read_tags(row, record, problems, line)
    record["source_aliases"] = [a for a in (row.get("source_aliases") or []) if isinstance(a, str)]
    record["created_by"] = read_text(row, "created_by", problems, line, limit=200)
    try:
        record["created_at"] = parse_timestamp(row.get("created_at"))
    except LedgerError as exc:
        problems.add(line, "created_at", str(exc))
    record["citations"] = _citations(row, problems, line)
    record["resolutions"] = read_resolutions(row, record, problems, line, today)
    record["revisions"] = [r for r in (row.get("revisions") or []) if isinstance(r, dict)]
    for revision in record["revisions"]:
        try:
            revision["at"] = parse_timestamp(revision.get("at"))
        except LedgerError as exc:
            problems.add(line, "revisions", str(exc))
    return record if problems.total == before else None


def read_probability(row: dict[str, Any], record: dict[str, Any], problems: Problems, line: int) -> None:
    raw = row.get("probability")
    if raw is None or raw == "":
        problems.add(line, "probability", "probability is required")
        return
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = repr(float(raw))
    scale = (row.get("scale") or "").strip() or None
    phrase = (row.get("phrase") or "").strip() or None
    try:
        reading = parse_probability(str(raw), scale or _DEFAULT_SCALE[0])
    except LedgerError as exc:
        problems.add(line, "probability", str(exc))
        return
    record["probability"] = reading.value
    if reading.kind == "phrase":
        record["phrase"], record["scale"] = reading.phrase, reading.scale
    else:  # a number keeps any phrase and scale it came with (a round trip)
        record["phrase"], record["scale"] = phrase, scale if phrase else None


def read_deadline(row: dict[str, Any], record: dict[str, Any], problems: Problems, line: int) -> None:
    """A date, or words read relative to made_on; a date with its words keeps both."""
    raw = str(row.get("deadline") or "").strip()
    phrase = str(row.get("deadline_phrase") or "").strip() or None
    record["deadline"] = record["deadline_phrase"] = record["deadline_kind"] = None
    if not raw and not phrase:
        return
    try:
        reading = parse_deadline(raw or phrase, record["made_on"])
    except LedgerError as exc:
        problems.add(line, "deadline", str(exc))
        return
    record["deadline"], record["deadline_phrase"], record["deadline_kind"] = reading.date, reading.phrase, reading.kind
    if raw and phrase and phrase != reading.phrase:
        # A date stored with the words it came from: keep both, and the words' kind
        # when they still give that date (an amended deadline is simply exact).
        record["deadline_phrase"] = phrase
        record["deadline_kind"] = row.get("deadline_kind") or _kind_if_same(phrase, record, reading.date)
    if reading.date is not None and reading.date < record["made_on"]:
        problems.add(line, "deadline", f"{reading.date} is before the forecast was made ({record['made_on']})")


def _kind_if_same(phrase: str, record: dict[str, Any], day: date | None) -> str:
    try:
        words = parse_deadline(phrase, record["made_on"])
    except LedgerError:
        return "exact"
    return words.kind if words.date == day else "exact"


def read_tags(row: dict[str, Any], record: dict[str, Any], problems: Problems, line: int) -> None:
    tags = row.get("tags")
    if not tags:
        record["tags"] = []
        return
    if isinstance(tags, str):
        tags = [tags]
    try:
        record["tags"] = clean_tags([str(t) for t in tags])
    except LedgerError as exc:
        problems.add(line, "tags", str(exc))
        record["tags"] = []


def _citations(row: dict[str, Any], problems: Problems, line: int) -> list[dict[str, Any]]:
    found = row.get("citations")
    if found is None and not (row.get("url") or row.get("outlet") or row.get("title") or row.get("published")
                              or row.get("quote")):
        return []
    if found is None:  # the flat CSV columns: at most one citation
        flat = {key: row.get(key) for key in ("url", "outlet", "title", "published", "quote")}
        found = [flat] if any(v not in (None, "") for v in flat.values()) else []
    citations = []
    for entry in found:
        if not isinstance(entry, dict):
            problems.add(line, "citations", "each citation must be an object")
            continue
        citation: dict[str, Any] = {}
        for key in ("url", "outlet", "title", "quote", "added_by"):
            citation[key] = read_text(entry, key, problems, line, limit=2000 if key == "url" else 10_000)
        try:
            citation["published"] = read_date(entry.get("published"), "published")
            citation["added_at"] = parse_timestamp(entry.get("added_at"))
        except LedgerError as exc:
            problems.add(line, "published", str(exc))
        citations.append(citation)
    return citations


def read_resolutions(row: dict[str, Any], record: dict[str, Any], problems: Problems, line: int,
                 today: date) -> list[dict[str, Any]]:
    found = row.get("resolutions")
    if found is None:  # the flat CSV columns: at most one resolution
        outcome = row.get("outcome")
        if not outcome or (isinstance(outcome, str) and not outcome.strip()):
            return []
        found = [{"outcome": outcome, "void_reason": row.get("void_reason"), "resolved_on": row.get("resolved_on"),
                  "evidence": row.get("evidence"), "note": row.get("note")}]
    resolutions = []
    for entry in found:
        if not isinstance(entry, dict):
            problems.add(line, "resolutions", "each resolution must be an object")
            continue
        outcome = str(entry.get("outcome") or "").strip().lower()
        if outcome not in OUTCOMES:
            problems.add(line, "outcome", f"{outcome!r} is not one of yes, no, void")
            continue
        reason = (str(entry.get("void_reason") or "").strip().lower()) or None
        if outcome == "void" and reason not in VOID_REASONS:
            problems.add(line, "void_reason", f"void needs a reason: one of {', '.join(VOID_REASONS)}")
            continue
        if outcome != "void" and reason:
            problems.add(line, "void_reason", "a reason is only for void resolutions")
            continue
        try:
            resolved_on = read_date(entry.get("resolved_on"), "resolved_on") or record["deadline"] or record["made_on"]
            recorded_at = parse_timestamp(entry.get("recorded_at"))
        except LedgerError as exc:
            problems.add(line, "resolved_on", str(exc))
            continue
        if resolved_on > today:
            problems.add(line, "resolved_on", f"{resolved_on} is after today ({today})")
        elif resolved_on < record["made_on"]:
            problems.add(line, "resolved_on", f"{resolved_on} is before the forecast was made ({record['made_on']})")
        elif outcome == "yes" and record["deadline"] is not None and resolved_on > record["deadline"]:
            problems.add(line, "resolved_on", f"'yes' on {resolved_on} is after the deadline {record['deadline']}")
        resolutions.append({
            "outcome": outcome, "void_reason": reason, "resolved_on": resolved_on,
            "evidence": read_text(entry, "evidence", problems, line),
            "note": read_text(entry, "note", problems, line),
            "recorded_by": read_text(entry, "recorded_by", problems, line, limit=200),
            "recorded_at": recorded_at,
        })
    return resolutions
