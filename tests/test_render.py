"""Rendering: the streamed writers give the same text as the whole-list ones."""

from __future__ import annotations

import random
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


def _random_json_value(rng: random.Random, depth: int = 0) -> object:
    """Any value json.dumps accepts, nested up to three levels."""
    scalars = [None, True, False, 0, -7, 2**70, 0.1, -0.0, 1e16, 1.5e-7, float("nan"), float("inf"),
               "", "plain", "quote \" and \\ back", "tab\tnew\nline\x01", "Ünïcode “quotes” 中文 \U0001f600",
               date(2025, 6, 13)]
    kind = rng.random()
    if depth >= 3 or kind < 0.5:
        return rng.choice(scalars)
    if kind < 0.75:
        items = [_random_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items
    keys = ["a", "b b", "é", 3, 2.5, True, None, "\n"]
    return {rng.choice(keys): _random_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_to_json_writes_what_json_dumps_writes() -> None:
    """to_json encodes indented JSON itself (the standard library's is pure Python): it
    must give json.dumps' text exactly, for every kind of value and nesting."""
    import json

    from ledger.render import plain

    rng = random.Random(11)
    for _ in range(2000):
        value = _random_json_value(rng)
        assert to_json(value) == json.dumps(plain(value), indent=2, ensure_ascii=False)


def test_to_json_refuses_what_json_dumps_refuses() -> None:
    with pytest.raises(TypeError):
        to_json({"a": object()})
    with pytest.raises(TypeError):
        to_json({(1, 2): "tuple key"})
