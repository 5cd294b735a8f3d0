"""Probability scales: named phrase tables loaded from CSV, with validation.

A scale is data, not code, so a newsroom can ship its own reading of the words and a
report can re-score the same stored phrases under another scale.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from ledger.errors import LedgerError

BUILTIN_SCALES = ("default", "icd203", "kent", "ipcc", "uk-phia", "nato")
REQUIRED_COLUMNS = ("phrase", "probability", "low", "high", "source")


@dataclass(frozen=True)
class ScaleRow:
    phrase: str
    probability: float
    low: float
    high: float
    source: str
    means: str | None = None  # the plainer phrase this one reads as (default scale only)


@dataclass(frozen=True, eq=False)
class Scale:
    name: str
    rows: dict[str, ScaleRow]
    origin: str

    def get(self, phrase: str) -> ScaleRow | None:
        return self.rows.get(phrase)


def default_scale_name() -> str:
    """The scale used when none is named: `LEDGER_SCALE` or "default"."""
    return os.environ.get("LEDGER_SCALE") or "default"


def load_scale(name: str | None = None) -> Scale:
    """A built-in scale by name, or a user's CSV file by path."""
    name = name or default_scale_name()
    if name in BUILTIN_SCALES:
        return _builtin(name)
    path = Path(name).expanduser()
    if not path.is_file():
        raise LedgerError(
            f"unknown scale {name!r}: use one of {', '.join(BUILTIN_SCALES)} "
            "or the path of a CSV file"
        )
    stat = path.stat()
    return _from_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@cache
def _builtin(name: str) -> Scale:
    text = resources.files("ledger.scales").joinpath(f"{name}.csv").read_text("utf-8")
    return parse_scale_csv(text, name=name, origin=f"built-in ({name}.csv)")


@lru_cache(maxsize=32)
def _from_file(path: str, _mtime: int, _size: int) -> Scale:
    try:
        text = Path(path).read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise LedgerError(f"scale file {path} is not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise LedgerError(f"cannot read scale file {path}: {exc.strerror}") from None
    return parse_scale_csv(text, name=path, origin=path)


def parse_scale_csv(text: str, name: str, origin: str) -> Scale:
    """Read and validate a scale; every problem names its line."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise LedgerError(f"{origin}: line 1: missing column(s): {', '.join(missing)}")
    rows: dict[str, ScaleRow] = {}
    for record in reader:
        line = reader.line_num
        phrase = normalise_phrase(record.get("phrase") or "")
        if not phrase:
            raise LedgerError(f"{origin}: line {line}: empty phrase")
        if phrase in rows:
            raise LedgerError(f"{origin}: line {line}: phrase {phrase!r} appears twice")
        numbers = {}
        for column in ("probability", "low", "high"):
            raw = (record.get(column) or "").strip()
            try:
                value = float(raw)
            except ValueError:
                raise LedgerError(
                    f"{origin}: line {line}: {column} {raw!r} is not a number"
                ) from None
            if not 0.0 <= value <= 1.0:
                raise LedgerError(f"{origin}: line {line}: {column} {raw} is outside [0, 1]")
            numbers[column] = value
        if not numbers["low"] <= numbers["probability"] <= numbers["high"]:
            raise LedgerError(
                f"{origin}: line {line}: probability must lie between low and high"
            )
        if not 0.0 < numbers["probability"] < 1.0:
            raise LedgerError(
                f"{origin}: line {line}: a phrase may not mean exactly 0 or 1"
            )
        rows[phrase] = ScaleRow(
            phrase=phrase,
            probability=numbers["probability"],
            low=numbers["low"],
            high=numbers["high"],
            source=(record.get("source") or "").strip(),
            means=normalise_phrase(record.get("means") or "") or None,
        )
    if not rows:
        raise LedgerError(f"{origin}: the scale has no phrases")
    return Scale(name=name, rows=rows, origin=origin)


def normalise_phrase(text: str) -> str:
    """Lower-case, straight quotes, single spaces: the form phrases are compared in."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2010", "-")
    return " ".join(text.lower().split())
