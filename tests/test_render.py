"""Rendering: the streamed writers give the same text as the whole-list ones."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.render import SpooledTable, json_object_lines, render_rows, to_json

ROWS = [
    {"id": 1, "statement": "Talks resume | in Geneva", "probability": 0.7, "deadline": date(2025, 6, 13),
     "status": "due"},
    {"id": 22, "statement": "A statement long enough to be cut at the width limit set for it",
     "probability": 0.125, "deadline": None, "status": None},
    {"id": 333, "statement": "Ünïcode and “quotes”", "probability": 1.0, "deadline": date(2026, 1, 1),
     "status": "open"},
]
COLUMNS = ("id", "statement", "probability", "deadline", "status")


@pytest.mark.parametrize("fmt", ["table", "markdown"])
@pytest.mark.parametrize("memory", [1 << 20, 64])  # in memory, and spilled to a temporary file
def test_spooled_table_lays_out_as_render_rows(fmt: str, memory: int) -> None:
    table = SpooledTable(COLUMNS, fmt, widths={"statement": 30}, memory=memory)
    for row in ROWS:
        table.add(row)
    assert table.count == 3
    assert "\n".join(table.lines()) == render_rows(ROWS, fmt, columns=COLUMNS, widths={"statement": 30})


@pytest.mark.parametrize("value", [
    {}, {"a": 1}, {"a": []}, {"period": {"start": date(2025, 6, 9)}, "due": ROWS, "none": [], "n": [1, 2]},
])
def test_json_object_lines_match_to_json(value: dict) -> None:
    fields = [(key, iter(v) if isinstance(v, list) else v) for key, v in value.items()]
    assert "\n".join(json_object_lines(fields)) == to_json(value)
