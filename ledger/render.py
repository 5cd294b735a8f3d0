"""Rows → text in one of the output formats (table, csv, tsv, json, jsonl, markdown).

Pure functions over lists of dicts, so every command prints the same way and JSON
output is stable: ISO dates, UTC timestamps, null for missing values.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")


def plain(value: Any) -> Any:
    """A JSON-ready value: dates as ISO text, timestamps in UTC."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def cell(value: Any, width: int | None = None) -> str:
    """A value as text for table, csv and markdown cells."""
    kind = value.__class__
    if kind is str:  # most cells: skip the conversions (a long list is mostly this)
        return value[: width - 1] + "…" if width and len(value) > width else value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if kind is float and value == value and value not in (math.inf, -math.inf):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if value != 0 else "0"
        return text[: width - 1] + "…" if width and len(text) > width else text
    value = plain(value)
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if value != 0 else "0"
    elif isinstance(value, list):
        text = "; ".join(str(cell(v)) for v in value)
    else:
        text = str(value)
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def to_json(value: Any) -> str:
    """`json.dumps(plain(value), indent=2, ensure_ascii=False)`, character for character.

    The standard library encodes indented JSON in pure Python, several times slower than
    this, which hands every string to its C escaper: a review or list of 100,000 rows
    as JSON is mostly this function."""
    return _indented(plain(value), "")


_escape = json.encoder.encode_basestring  # the C escaper where available; keeps non-ASCII


def _indented(value: Any, pad: str) -> str:
    if isinstance(value, str):
        return _escape(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_text(value)
    inner = pad + "  "
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join([inner + _indented(item, inner) for item in value]) + "\n" + pad + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + ",\n".join([f"{inner}{_escape(_key_text(key))}: {_indented(item, inner)}"
                                     for key, item in value.items()]) + "\n" + pad + "}"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _key_text(key: Any) -> str:
    """A dict key as json.dumps writes it: keys become strings."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return _indented(key, "")
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def json_object_lines(fields: Iterable[tuple[str, Any]]) -> Iterator[str]:
    """The lines `to_json` gives for an object of these fields, written field by field: a
    value that is an iterator becomes a list written one item at a time, so a long list
    is never held whole."""
    pending = ""  # each field's last line waits for the comma the next field adds
    for key, value in fields:
        yield pending + "," if pending else "{"
        head = f"  {json.dumps(key, ensure_ascii=False)}: "
        if not isinstance(value, Iterator):
            pending = head + to_json(value).replace("\n", "\n  ")
            continue
        previous = None
        for item in value:
            if previous is None:
                yield head + "["
            else:
                yield previous + ","
            previous = "    " + to_json(item).replace("\n", "\n    ")
        if previous is None:
            pending = head + "[]"
        else:
            yield previous
            pending = "  ]"
    if pending:
        yield pending
        yield "}"
    else:
        yield "{}"


def render_rows(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
                table_columns: Sequence[str] | None = None, widths: dict[str, int] | None = None,
                empty: str = "(nothing to show)") -> str:
    """Rows in a format; `table_columns` narrows the human table, the rest get `columns`."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return to_json([{k: row.get(k) for k in columns} for row in rows])
    if fmt == "jsonl":
        return "\n".join(json.dumps(plain({k: row.get(k) for k in columns}), ensure_ascii=False)
                         for row in rows)
    if fmt in {"csv", "tsv"}:
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(k)) for k in columns])
        return out.getvalue().rstrip("\n")
    shown = list(table_columns or columns)
    if not rows:
        if fmt == "table":
            return empty
        from tabulate import tabulate

        return tabulate([], headers=shown, tablefmt="github")
    widths = widths or {}
    body = [[cell(row.get(k), widths.get(k)) for k in shown] for row in rows]
    if fmt == "markdown":
        from tabulate import tabulate

        body = [[c.replace("|", "\\|") for c in line] for line in body]
        return tabulate(body, headers=shown, tablefmt="github", disable_numparse=True)
    return simple_table(shown, body)


def simple_table(headers: Sequence[str], body: list[list[str]]) -> str:
    """tabulate's "simple" layout, written out directly: for ten thousand rows it is
    several times faster, and `ledger list` on a big ledger is mostly this."""
    widths = [len(h) for h in headers]
    for line in body:
        for index, text in enumerate(line):
            if len(text) > widths[index]:
                widths[index] = len(text)
    return "\n".join(_simple_lines(headers, widths, body))


def _simple_lines(headers: Sequence[str], widths: list[int], body: Iterable[Sequence[str]]) -> Iterator[str]:
    yield "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    yield "  ".join("-" * w for w in widths)
    for line in body:
        yield "  ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip()


def _github_lines(headers: Sequence[str], widths: list[int], body: Iterable[Sequence[str]]) -> Iterator[str]:
    """tabulate's "github" layout (as render_rows gives markdown), for strings."""
    widths = [max(w, len(h) + 2) for h, w in zip(headers, widths, strict=True)]
    yield "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    yield "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    for line in body:
        yield "| " + " | ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)) + " |"


class SpooledTable:
    """A table of any length in bounded memory, laid out as `render_rows` lays out a list
    (table or markdown). Rows arrive one at a time; their cell texts go to a spooled file
    (memory up to `memory` bytes, then a temporary file) while each column's width is
    measured, and are read back, padded, once the widths are known."""

    def __init__(self, columns: Sequence[str], fmt: str, widths: dict[str, int] | None = None,
                 memory: int = 4 << 20) -> None:
        self.columns = list(columns)
        self.fmt = fmt
        self.limits = [(widths or {}).get(k) for k in self.columns]
        self.widths = [len(k) for k in self.columns]
        self.count = 0
        self._spool = tempfile.SpooledTemporaryFile(max_size=memory, mode="w+", encoding="utf-8")

    def add(self, row: dict[str, Any]) -> None:
        cells = [cell(row.get(k), limit) for k, limit in zip(self.columns, self.limits, strict=True)]
        if self.fmt == "markdown":
            cells = [c.replace("|", "\\|") for c in cells]
        for index, text in enumerate(cells):
            if len(text) > self.widths[index]:
                self.widths[index] = len(text)
        self._spool.write(json.dumps(cells, ensure_ascii=False) + "\n")
        self.count += 1

    def lines(self) -> Iterator[str]:
        """The table's lines; the spool is closed after the last."""
        self._spool.seek(0)
        body = (json.loads(line) for line in self._spool)
        layout = _github_lines if self.fmt == "markdown" else _simple_lines
        try:
            yield from layout(self.columns, self.widths, body)
        finally:
            self._spool.close()


def render_record(record: dict[str, Any], fmt: str, keys: Sequence[str] | None = None) -> str:
    """One object: vertical field/value in table formats, an object in JSON."""
    keys = list(keys or record.keys())
    if fmt in {"json", "jsonl"}:
        data = {k: record.get(k) for k in keys}
        return to_json(data) if fmt == "json" else json.dumps(plain(data), ensure_ascii=False)
    rows = [{"field": k, "value": record.get(k)} for k in keys]
    return render_rows(rows, fmt, columns=["field", "value"])
