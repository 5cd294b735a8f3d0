"""`ledger report` and `ledger calibration` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import math
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from ledger import Ledger, NewForecast
from tests.conftest import Cli


def seed(db: str) -> None:
    """A small ledger: two sources, words and numbers, one void, one open, one corrected."""
    with Ledger(db, today=date(2025, 7, 1)) as book:
        entries = [
            ("A wins", "Alice", "likely", "yes", date(2025, 6, 5)),
            ("B wins", "Alice", "0.9", "yes", date(2025, 6, 6)),
            ("C wins", "Alice", "unlikely", "no", date(2025, 6, 20)),
            ("D wins", "Bob", "0.6", "no", date(2025, 6, 10)),
            ("E wins", "Bob", "very likely", "void", date(2025, 6, 11)),
            ("F wins", "Bob", "0.3", None, None),
        ]
        for statement, source, probability, outcome, on in entries:
            logged = book.add(NewForecast(statement=statement, source=source, probability=probability,
                                          deadline="2025-06-30", made_on=date(2025, 6, 1),
                                          outlet="Daily" if source == "Alice" else "Weekly"))
            if outcome:
                book.resolve(logged.forecast["id"], outcome, on=on,
                             reason="ambiguous" if outcome == "void" else None)


def rows(cli: Cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("report", "-f", "json", "--min-n", "1", *args).stdout)


def test_report_by_source(ledger_cli: Cli) -> None:
    seed(ledger_cli.db)
    found = {r["group"]: r for r in rows(ledger_cli)}
    alice, bob, pool = found["Alice"], found["Bob"], found["(all)"]
    assert (alice["n"], alice["yes"], alice["no"]) == (3, 2, 1)
    assert alice["brier"] == pytest.approx(((1 - 0.75) ** 2 + (1 - 0.9) ** 2 + 0.22 ** 2) / 3)
    assert (bob["n"], bob["brier"]) == (1, pytest.approx(0.36))  # void and open left out
    assert pool["n"] == 4 and pool["base_rate"] == pytest.approx(0.5)
    assert alice["rank"] == 1 and bob["rank"] == 2 and pool["ranked"] is False
    keys = {"group", "n", "yes", "no", "mean_probability", "base_rate", "brier", "brier_low",
            "brier_high", "log_loss", "skill_vs_half", "skill_vs_base_rate", "reliability",
            "resolution", "uncertainty", "ranked"}
    assert keys <= set(alice)


def test_min_n_lists_small_groups_apart(ledger_cli: Cli) -> None:
    seed(ledger_cli.db)
    result = ledger_cli.ok("report", "-f", "json", "--min-n", "2")
    found = json.loads(result.stdout)
    assert [(r["group"], r["ranked"]) for r in found] == [("Alice", True), ("Bob", False), ("(all)", False)]
    assert "fewer than 2" in result.stderr


def test_correction_counts_latest_and_as_of_sees_the_past(ledger_cli: Cli) -> None:
    seed(ledger_cli.db)
    ledger_cli.ok("resolve", "1", "no", "--correct", "--on", "2025-06-30", today="2025-07-01")
    alice = next(r for r in rows(ledger_cli) if r["group"] == "Alice")
    assert alice["yes"] == 1
    past = next(r for r in rows(ledger_cli, "--as-of", "2000-01-01") if r["group"] == "(all)")
    assert past["n"] == 0
    # Everything in the seed was recorded "today" (the real clock): as of today, all counts.
    today = date.today().isoformat()
    assert next(r for r in rows(ledger_cli, "--as-of", today) if r["group"] == "Alice")["yes"] == 1


def test_as_of_ignores_later_corrections(db_url: str) -> None:
    seed(db_url)
    from sqlalchemy import create_engine, text

    # Back-date the seed's records to May, so that a correction made now is "later".
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE resolution SET recorded_at = :t"), {"t": "2025-05-01 12:00:00"})
        conn.execute(text("UPDATE forecast SET created_at = :t"), {"t": "2025-05-01 12:00:00"})
    engine.dispose()
    cli = Cli(db_url)
    cli.ok("resolve", "1", "no", "--correct", "--on", "2025-06-30", today="2025-07-01")
    cli.ok("amend", "2", "--probability", "0.5", "--why", "test", today="2025-07-01")
    before = next(r for r in rows(cli, "--as-of", "2025-06-01") if r["group"] == "Alice")
    assert before["yes"] == 2
    assert before["mean_probability"] == pytest.approx((0.75 + 0.9 + 0.22) / 3)
    now = next(r for r in rows(cli) if r["group"] == "Alice")
    assert now["yes"] == 1 and now["mean_probability"] == pytest.approx((0.75 + 0.5 + 0.22) / 3)


def test_scale_rescores_words_but_not_numbers(ledger_cli: Cli) -> None:
    seed(ledger_cli.db)
    alice = next(r for r in rows(ledger_cli, "--scale", "icd203") if r["group"] == "Alice")
    assert alice["mean_probability"] == pytest.approx((0.675 + 0.9 + 0.325) / 3)
    bob = next(r for r in rows(ledger_cli, "--scale", "icd203") if r["group"] == "Bob")
    assert bob["mean_probability"] == pytest.approx(0.6)


def test_period_filters_by_resolution_date(ledger_cli: Cli) -> None:
    seed(ledger_cli.db)
    pool = rows(ledger_cli, "-p", "2025-W24")[-1]  # 9-15 June: Bob's 0.6 (10 June)
    assert pool["n"] == 1
    pool = rows(ledger_cli, "-b", "2025-06-01", "-e", "2025-06-10")[-1]  # end exclusive
    assert pool["n"] == 2
    assert rows(ledger_cli, "-p", "from 2025-06-06 to 2025-06-21")[-1]["n"] == 3


@pytest.mark.parametrize("by", ["outlet", "tag", "phrase", "kind", "scale"])
def test_other_groupings(ledger_cli: Cli, by: str) -> None:
    seed(ledger_cli.db)
    found = {r["group"]: r["n"] for r in rows(ledger_cli, "--by", by)}
    assert found["(all)"] == 4
    expected = {"outlet": {"Daily": 3, "Weekly": 1}, "tag": {"(untagged)": 4},
                "phrase": {"likely": 1, "unlikely": 1, "(number)": 2},
                "kind": {"person": 4}, "scale": {"default": 2, "(number)": 2}}[by]
    assert {k: v for k, v in found.items() if k != "(all)"} == expected


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl", "markdown"])
def test_report_every_format(ledger_cli: Cli, fmt: str) -> None:
    seed(ledger_cli.db)
    text = ledger_cli.ok("report", "-f", fmt, "--min-n", "1").stdout
    if fmt in {"csv", "tsv"}:
        parsed = list(csv.DictReader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))
        assert [r["group"] for r in parsed] == ["Alice", "Bob", "(all)"]
    elif fmt == "jsonl":
        assert [json.loads(line)["group"] for line in text.splitlines()] == ["Alice", "Bob", "(all)"]
    else:
        assert "Alice" in text and "(all)" in text
    calibration = ledger_cli.ok("calibration", "-f", fmt).stdout
    assert calibration.strip()


def test_calibration_by_bins_and_phrase(ledger_cli: Cli, tmp_path: Path) -> None:
    seed(ledger_cli.db)
    bins = json.loads(ledger_cli.ok("calibration", "--bins", "2", "-f", "json").stdout)
    assert [(b["bin"], b["n"]) for b in bins] == [("0.00-0.50", 1), ("0.50-1.00", 3)]
    phrases = json.loads(ledger_cli.ok("calibration", "--source", "Alice", "--by", "phrase", "-f", "json").stdout)
    assert [(p["source"], p["phrase"], p["n"]) for p in phrases] == [
        ("Alice", "(number)", 1), ("Alice", "likely", 1), ("Alice", "unlikely", 1)]
    chart = tmp_path / "cal.png"
    result = ledger_cli.ok("calibration", "--source", "Alice", "--source", "Bob", "--plot", str(chart))
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "chart written" in result.stderr
    bad = ledger_cli("calibration", "--plot", str(tmp_path / "cal.gif"))
    assert bad.exit_code == 1 and ".png or .svg" in bad.stderr


def test_report_bad_options(ledger_cli: Cli) -> None:
    seed(ledger_cli.db)
    for args, message in ((["-p", "someday"], "cannot read period"),
                          (["-p", "2025", "-b", "2025-01-01"], "either --period"),
                          (["--clip", "0.7"], "--clip"), (["--scale", "nope"], "unknown scale")):
        result = ledger_cli("report", *args)
        assert result.exit_code == 1 and message in result.stderr, (args, result.stderr)


def test_figures_rederive_from_json_on_a_random_ledger(db_url: str) -> None:
    rng = random.Random(11)
    truth: dict[str, list[tuple[float, int]]] = {}
    with Ledger(db_url, today=date(2025, 12, 31)) as book:
        for index in range(60):
            source = f"S{rng.randint(1, 4)}"
            p = round(rng.random(), 2)
            outcome = rng.random() < p
            logged = book.add(NewForecast(statement=f"event {index}", source=source, probability=str(p),
                                          deadline="2025-12-01", made_on=date(2025, 1, 1)))
            book.resolve(logged.forecast["id"], "yes" if outcome else "no",
                         on=date(2025, 1, 1) + timedelta(days=index))
            truth.setdefault(source, []).append((p, int(outcome)))
    found = {r["group"]: r for r in rows(Cli(db_url))}
    for source, pairs in truth.items():
        assert found[source]["n"] == len(pairs)
        assert found[source]["brier"] == pytest.approx(sum((p - o) ** 2 for p, o in pairs) / len(pairs))


def test_report_works_on_an_sqlite_without_maths_functions(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Some SQLite builds lack ln(); the ledger then supplies it, with the same figures."""
    from ledger import store

    db = str(tmp_path / "ledger.db")
    seed(db)
    built_in = rows(Cli(db))
    monkeypatch.setattr(store, "has_sql_function", lambda connection, call: False)
    supplied = rows(Cli(db))
    assert supplied == built_in
    assert all(row["log_loss"] is not None for row in supplied)
    assert store.natural_log(None) is None and store.natural_log(0.0) is None
    assert store.natural_log(math.e) == pytest.approx(1.0)
