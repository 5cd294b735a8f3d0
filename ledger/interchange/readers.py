"""Reading files into rows of the ledger's columns: the ledger's own CSV/JSONL/JSON,
Fatebook's CSV export and spreadsheet layout, PredictionBook's CSV and JSON.

Every reader streams and yields (line number, row dict); problems (bad encoding, a
truncated line, missing columns) go into a Problems list rather than stopping the read.
The foreign mappings are documented in docs/formats.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ledger.errors import LedgerError
from ledger.interchange.records import REQUIRED, Problems

FORMATS = ("ledger", "fatebook", "predictionbook", "wide")
FATEBOOK_EXPORT = ("Question title", "Forecast (scale = 0-1)")
FATEBOOK_SHEET = ("questionTitle", "forecast")

csv.field_size_limit(10_000_000)


def detect(path: Path, forced: str | None) -> tuple[str, str]:
    """(tracker, container): container is csv, jsonl or json."""
    head = _head(path)
    stripped = head.lstrip()
    if stripped.startswith("["):
        container = "json"
    elif stripped.startswith("{"):
        container = "jsonl"
    else:
        container = "csv"
    if forced:
        if forced not in FORMATS:
            raise LedgerError(f"--from must be one of {', '.join(FORMATS)}")
        return forced, container
    if container == "csv":
        first = head.splitlines()[0] if head else ""
        if all(name in first for name in FATEBOOK_EXPORT) or all(name in first for name in FATEBOOK_SHEET):
            return "fatebook", container
        if "description" in first and ("mean_confidence" in first or "confidence" in first) and "statement" not in first:
            return "predictionbook", container
        return "ledger", container
    if "mean_confidence" in head[:4000] and '"statement"' not in head[:4000]:
        return "predictionbook", container
    return "ledger", container


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(8192).decode("utf-8-sig", errors="replace")


def text_stream(path: Path) -> IO[str]:
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", errors="strict", newline="")


@dataclass(frozen=True)
class WideLayout:
    """A table with one row per question and one column of probabilities per forecaster."""

    outcome_column: str | None = None  # default: outcome, result, resolution or *_win
    statement: str | None = None  # a template such as "Democrat wins {state}"
    made_on: str | None = None
    deadline: str | None = None
    forecasters: tuple[str, ...] = ()  # default: every column of numbers in [0, 1]


def read_rows(path: Path, tracker: str, container: str, problems: Problems,
              layout: WideLayout | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows in the ledger's column names, whatever the file's own format."""
    if path.stat().st_size == 0:
        problems.add(1, "file", "the file is empty")
        return
    required = REQUIRED if tracker == "ledger" else ()
    raw = _csv_rows(path, problems, required) if container == "csv" else (
        _jsonl_rows(path, problems) if container == "jsonl" else _json_rows(path, problems))
    if tracker == "ledger":
        yield from raw
    elif tracker == "fatebook":
        yield from fatebook_rows(raw, problems)
    elif tracker == "wide":
        yield from wide_rows(raw, layout or WideLayout(), problems)
    else:
        yield from predictionbook_rows(raw, problems)


def _csv_rows(path: Path, problems: Problems, required: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, Any]]]:
    with text_stream(path) as handle:
        reader = csv.reader(handle, strict=True)
        line = 1
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                problems.add(1, "file", "the file is empty (no header row)")
                return
            header = [h.strip() for h in header]
            missing = [name for name in required if name not in header]
            if missing:
                problems.add(1, "header", f"missing column(s): {', '.join(missing)}")
                return
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    what = "truncated?" if len(values) < len(header) else "too many"
                    problems.add(line, "row", f"{len(values)} of {len(header)} columns ({what})")
                    continue
                yield line, dict(zip(header, values, strict=True))
        except UnicodeDecodeError as exc:
            problems.add(reader.line_num + 1, "file", f"invalid UTF-8 ({exc.reason})")
        except csv.Error as exc:
            problems.add(reader.line_num, "row", f"malformed CSV ({exc}); a truncated last line?")


def _jsonl_rows(path: Path, problems: Problems) -> Iterator[tuple[int, dict[str, Any]]]:
    with text_stream(path) as handle:
        line = 0
        try:
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    problems.add(line, "line", f"not valid JSON ({exc.msg}); a truncated line?")
                    continue
                if not isinstance(value, dict):
                    problems.add(line, "line", "each line must be a JSON object")
                    continue
                yield line, value
        except UnicodeDecodeError as exc:
            problems.add(line + 1, "file", f"invalid UTF-8 ({exc.reason})")


def _json_rows(path: Path, problems: Problems) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(1, "file", f"invalid UTF-8 ({exc.reason})")
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(exc.lineno, "file", f"not valid JSON ({exc.msg})")
        return
    if isinstance(value, dict):
        value = value.get("predictions") or value.get("forecasts") or [value]
    if not isinstance(value, list):
        problems.add(1, "file", "expected a JSON array of objects")
        return
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            problems.add(index, "item", "each item must be a JSON object")
            continue
        yield index, item


def _day(text: Any) -> str:
    """The date part of a tracker's timestamp ('2024-01-05 12:34:56', ISO, US dates)."""
    if text in (None, ""):
        return ""
    text = str(text).strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    from dateutil import parser as date_parser

    try:
        return date_parser.parse(text).date().isoformat()
    except (ValueError, OverflowError):
        return text  # left for validation to report


FATEBOOK_OUTCOMES = {"yes": "yes", "no": "no", "ambiguous": "void"}


def _with_layout(raw: Iterator[tuple[int, dict[str, Any]]], problems: Problems, tracker: str,
                 layouts: tuple[tuple[str, ...], ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows, if the first has every column of one of the tracker's layouts (alternative
    names for a column separated by '|'); otherwise one problem naming what is missing,
    rather than a complaint about every row of a file that is not that tracker's."""
    first = next(raw, None)
    if first is None:
        return
    present = set(first[1])

    def missing(layout: tuple[str, ...]) -> list[str]:
        return [name.replace("|", " or ") for name in layout if not present & set(name.split("|"))]

    if all(missing(layout) for layout in layouts):
        problems.add(1, "header", f"not a {tracker} file: missing column(s) {', '.join(missing(layouts[0]))}")
        return
    yield first
    yield from raw


FATEBOOK_LAYOUTS = (("Question title", "Forecast (scale = 0-1)"), ("questionTitle", "forecast"))
PREDICTIONBOOK_LAYOUT = (("description", "mean_confidence|confidence"),)


def fatebook_rows(raw: Iterator[tuple[int, dict[str, Any]]], problems: Problems) -> Iterator[tuple[int, dict[str, Any]]]:
    """One forecast per question and forecaster: the latest forecast made before resolution."""
    latest: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = {}
    for line, row in _with_layout(raw, problems, "Fatebook", FATEBOOK_LAYOUTS):
        sheet = "questionTitle" in row
        title = row.get("questionTitle" if sheet else "Question title") or ""
        option = row.get("Multiple choice option") or ""
        if option.strip():
            continue  # multiple-choice options are not yes/no forecasts
        forecast = str(row.get("forecast" if sheet else "Forecast (scale = 0-1)") or "").strip()
        if sheet and forecast and not forecast.endswith("%"):
            forecast += "%"  # the spreadsheet layout gives 0-100
        created = row.get("fCreatedAt" if sheet else "Forecast created at") or row.get("qCreatedAt") or ""
        resolution = str(row.get("resolution" if sheet else "Resolution") or "").strip().lower()
        resolved_at = row.get("resolvedAt" if sheet else "Resolved at") or ""
        resolve_by = row.get("resolveBy" if sheet else "Question resolve by") or ""
        if resolution and resolution not in FATEBOOK_OUTCOMES:
            problems.add(line, "Resolution", f"{resolution!r} is not YES, NO or AMBIGUOUS")
            continue
        deadline = _day(resolve_by)
        if resolution == "yes" and _day(resolved_at) and (not deadline or _day(resolved_at) > deadline):
            deadline = _day(resolved_at)  # resolve-by is a reminder, not a deadline
        tags = row.get("tags" if sheet else "Question tags") or ""
        notes = [row.get(k) for k in (("notes", "notesExtra") if sheet else ("Question notes",)) if row.get(k)]
        mapped = {
            "statement": title, "source": row.get("Forecast created by") or "",
            "probability": forecast, "made_on": _day(created), "created_at": "",
            "deadline": deadline, "criteria": "\n".join(notes) or "",
            "tags": [t for t in re.split(r"[;,]", tags) if t.strip()],
            "outcome": FATEBOOK_OUTCOMES.get(resolution, ""),
            "void_reason": "ambiguous" if resolution == "ambiguous" else "",
            "resolved_on": _day(resolved_at) if resolution else "",
        }
        key = (title, mapped["source"], _day(row.get("Question created at") or row.get("qCreatedAt")))
        previous = latest.get(key)
        if previous is None or (str(created) >= str(previous[1].get("_created", ""))
                                and (not mapped["resolved_on"] or _day(created) <= mapped["resolved_on"])):
            mapped["_created"] = str(created)
            latest[key] = (line, mapped)
    for line, mapped in sorted(latest.values(), key=lambda item: item[0]):
        mapped.pop("_created", None)
        yield line, mapped


def predictionbook_rows(raw: Iterator[tuple[int, dict[str, Any]]], problems: Problems) -> Iterator[tuple[int, dict[str, Any]]]:
    """PredictionBook predictions: description, deadline, confidence, outcome, withdrawn."""
    for line, row in _with_layout(raw, problems, "PredictionBook", PREDICTIONBOOK_LAYOUT):
        confidence = row.get("confidence")
        if confidence in (None, ""):
            confidence = row.get("mean_confidence")
        if confidence in (None, ""):
            problems.add(line, "mean_confidence", "no confidence given")
            continue
        withdrawn = str(row.get("withdrawn", "")).strip().lower() in {"true", "1", "yes"}
        outcome_raw = row.get("outcome")
        outcome = {"true": "yes", "1": "yes", "false": "no", "0": "no", "right": "yes",
                   "wrong": "no"}.get(str(outcome_raw).strip().lower(), "")
        creator = row.get("creator")
        if isinstance(creator, dict):
            creator = creator.get("name") or creator.get("login")
        identifier = row.get("id") or row.get("uuid")
        deadline = _day(row.get("deadline"))
        mapped = {
            "statement": row.get("description") or "", "source": creator or "",
            "probability": f"{confidence}%", "made_on": _day(row.get("created_at")),
            "deadline": deadline,
            "url": f"https://predictionbook.com/predictions/{identifier}" if identifier else "",
            "outlet": "PredictionBook" if identifier else "",
            "outcome": "void" if withdrawn else outcome,
            "void_reason": "retracted" if withdrawn else "",
            "resolved_on": (deadline or _day(row.get("created_at"))) if (withdrawn or outcome) else "",
        }
        if withdrawn:
            mapped["resolved_on"] = mapped["made_on"]  # withdrawn: void from the start
        yield line, mapped


OUTCOME_WORDS = {"1": "yes", "0": "no", "yes": "yes", "no": "no", "true": "yes", "false": "no",
                 "1.0": "yes", "0.0": "no", "": ""}


def _probability_column(values: list[str]) -> bool:
    seen = False
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            return False
        if not 0.0 <= number <= 1.0:
            return False
        seen = True
    return seen


def wide_rows(raw: Iterator[tuple[int, dict[str, Any]]], layout: WideLayout,
              problems: Problems) -> Iterator[tuple[int, dict[str, Any]]]:
    """One forecast per (row, forecaster column); the outcome column resolves them all."""
    rows = list(raw)
    if not rows:
        return
    columns = list(rows[0][1])
    outcome = layout.outcome_column or next(
        (c for c in columns if c.lower() in {"outcome", "result", "resolution"} or c.lower().endswith(("_win", "_won"))),
        None)
    if outcome is None or outcome not in columns:
        problems.add(1, "header", "no outcome column: name it with --outcome-column")
        return
    template = layout.statement or "{" + columns[0] + "}"
    used = set(re.findall(r"{([^{}]+)}", template)) | {outcome}
    missing = sorted(name for name in used if name not in columns)
    if missing:
        problems.add(1, "header", f"--statement names missing column(s): {', '.join(missing)}")
        return
    forecasters = list(layout.forecasters) or [
        c for c in columns if c not in used and _probability_column([r[c] for _, r in rows])]
    if not forecasters:
        problems.add(1, "header", "no forecaster columns (columns of probabilities in [0, 1])")
        return
    for line, row in rows:
        result = OUTCOME_WORDS.get(str(row.get(outcome, "")).strip().lower())
        if result is None:
            problems.add(line, outcome, f"{row.get(outcome)!r} is not an outcome (1/0, yes/no, true/false)")
            continue
        statement = template.format_map({k: v for k, v in row.items()})
        for name in forecasters:
            value = str(row.get(name, "")).strip()
            if not value:
                continue
            yield line, {
                "statement": statement, "source": name, "probability": value,
                "made_on": layout.made_on or "", "deadline": layout.deadline or "",
                "outcome": result, "resolved_on": "",
            }
