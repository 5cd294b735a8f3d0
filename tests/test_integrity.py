"""Integrity: the hash chain, tampering, concurrency, crashes and hostile input."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger, LedgerError, NewForecast
from ledger.errors import Conflict
from tests.conftest import Cli, snapshot
from tests.test_interchange import random_ledger

ROOT = Path(__file__).resolve().parents[1]


def verify(db: str) -> dict:
    result = Cli(db)("verify", "-f", "json")
    return json.loads(result.stdout)


def test_verify_passes_on_a_busy_ledger(db_url: str) -> None:
    random_ledger(db_url)
    with Ledger(db_url, today=date(2025, 12, 31)) as book:
        book.merge("Bo Chen", "Ann Lee")
    verdict = verify(db_url)
    assert verdict["ok"] is True and verdict["entries"] > 40
    head = Cli(db_url).ok("verify", "--head").stdout.strip()
    assert head == verdict["head"] and len(head) == 64
    assert Cli(db_url).ok("verify").stdout.startswith(f"ok: {verdict['entries']} entries, head {head}")


def _sql(db: str, statement: str) -> None:
    if "://" in db:
        from sqlalchemy import create_engine, text

        engine = create_engine(db)
        with engine.begin() as conn:
            conn.execute(text(statement))
        engine.dispose()
    else:
        with sqlite3.connect(db) as conn:
            conn.execute(statement)


@pytest.mark.parametrize(("statement", "message"), [
    ("UPDATE forecast SET probability = 0.99 WHERE id = 3", "forecast 3: probability"),
    ("UPDATE forecast SET statement = 'rewritten' WHERE id = 7", "forecast 7: statement"),
    ("UPDATE resolution SET outcome = 'yes' WHERE outcome = 'no'", "resolution"),
    ("DELETE FROM forecasttag WHERE forecast_id IN (SELECT min(forecast_id) FROM forecasttag)", "tags"),
    ("UPDATE source SET role = 'pundit' WHERE name = 'Ann Lee'", "source ann lee: role"),
])
def test_an_edited_row_is_named(db_url: str, statement: str, message: str) -> None:
    random_ledger(db_url)
    _sql(db_url, statement)
    result = Cli(db_url)("verify")
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert "journal entry" in result.stderr


def test_an_edited_journal_entry_is_named(db_url: str) -> None:
    random_ledger(db_url)
    _sql(db_url, "UPDATE journal SET payload = replace(payload, '\"who\":\"tester\"', '\"who\":\"mallory\"') "
                 "WHERE seq = 5")
    result = Cli(db_url)("verify")
    assert result.exit_code == 1
    assert "entry 5: its hash does not match its content" in result.stderr


def test_a_rewritten_chain_is_named(db_url: str) -> None:
    random_ledger(db_url)
    _sql(db_url, "DELETE FROM journal WHERE seq = 9")
    verdict = verify(db_url)
    assert verdict["ok"] is False and verdict["entry"] == 9


def test_a_row_inserted_outside_the_tool_is_found(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    random_ledger(db)
    _sql(db, "INSERT INTO forecast (source_id, statement, statement_key, probability, made_on, created_by, "
             "created_at) VALUES (1, 'sneaky', 'x', 0.5, '2025-01-01', 'x', '2025-01-01 00:00:00')")
    assert "in no journal entry" in verify(db)["problem"]


WORKER = """
import sys
from datetime import date
from ledger import Ledger, NewForecast
db, worker = sys.argv[1], sys.argv[2]
with Ledger(db, today=date(2025, 6, 10), user=f"worker{worker}") as book:
    for i in range(200):
        logged = book.add(NewForecast(statement=f"worker {worker} forecast {i}", source=f"S{i % 7}",
                                      probability="0.6", deadline="2025-06-08", made_on=date(2025, 6, 1)))
        if i % 10 == 0:
            book.resolve(logged.forecast["id"], "yes", on=date(2025, 6, 5))
"""


def test_four_processes_adding_at_once_lose_nothing(db_url: str) -> None:
    Cli(db_url).ok("list")  # create the SQLite file before the race
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, str(n)], env=env,
                                stderr=subprocess.PIPE, text=True) for n in range(4)]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    rows = json.loads(Cli(db_url).ok("list", "-f", "json").stdout)
    assert len(rows) == 800 and len({r["statement"] for r in rows}) == 800
    assert sum(1 for r in rows if r["outcome"] == "yes") == 80
    verdict = verify(db_url)
    assert verdict["ok"] is True and verdict["entries"] == 880


def test_two_reviewers_resolving_at_once_one_wins(db_url: str) -> None:
    with Ledger(db_url, today=date(2025, 6, 10)) as book:
        book.add(NewForecast(statement="It happens", source="Ann", probability="0.7",
                             deadline="2025-06-08", made_on=date(2025, 6, 1)))
    for attempt in range(3):  # several races, each on a fresh forecast
        with Ledger(db_url, today=date(2025, 6, 10)) as book:
            forecast_id = book.add(NewForecast(statement=f"Race {attempt}", source="Ann", probability="0.7",
                                               deadline="2025-06-08", made_on=date(2025, 6, 1))).forecast["id"]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def reviewer(name: str, outcome: str, forecast_id: int = forecast_id,
                     barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes) -> None:
            with Ledger(db_url, today=date(2025, 6, 10), user=name) as book:
                book.store.ensure_schema()
                barrier.wait()
                try:
                    book.resolve(forecast_id, outcome, on=date(2025, 6, 5))
                    outcomes.append(f"won:{name}")
                except Conflict as exc:
                    outcomes.append(f"lost:{exc}")

        threads = [threading.Thread(target=reviewer, args=("alice", "yes")),
                   threading.Thread(target=reviewer, args=("bob", "no"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [o for o in outcomes if o.startswith("won:")]
        losers = [o for o in outcomes if o.startswith("lost:")]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        winner = winners[0].split(":")[1]
        assert f"already resolved {'yes' if winner == 'alice' else 'no'} by {winner} at" in losers[0]
        detail = json.loads(Cli(db_url).ok("show", str(forecast_id), "-f", "json").stdout)
        assert len(detail["resolutions"]) == 1
    assert verify(db_url)["ok"] is True


def test_a_killed_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    rows = 30_000
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write("statement,source,probability,made_on,deadline,outcome,resolved_on\n")
        for i in range(rows):
            handle.write(f"Event {i},Source {i % 50},0.{i % 9 + 1},2025-01-01,2025-03-01,"
                         f"{'yes' if i % 2 else 'no'},2025-02-01\n")
    db = str(tmp_path / "ledger.db")
    Cli(db).ok("add", "Before the crash", "-s", "Ann", "-P", "0.5")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEDGER_TODAY": "2025-06-01"}
    rng = random.Random(int(time.time()))
    delay = rng.uniform(0.5, 3.0)
    process = subprocess.Popen([sys.executable, "-m", "ledger", "--db", db, "import", str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT count(*) FROM forecast").fetchone()[0]
        resolutions = conn.execute("SELECT count(*) FROM resolution").fetchone()[0]
    assert (count, resolutions) in {(1, 0), (rows + 1, rows)}, (delay, count, resolutions)
    assert verify(db)["ok"] is True


@pytest.mark.parametrize("text", [
    "Robert'); DROP TABLE forecast;--", "1 OR 1=1", "' UNION SELECT * FROM journal --",
    "Ünïcödé ✓ 中文 עברית", "50% of \"quotes\" and 'apostrophes'",
])
def test_sql_looking_and_unicode_text_is_stored_verbatim(db_url: str, text: str) -> None:
    cli = Cli(db_url)
    cli.ok("add", text, "-s", text, "-P", "0.5", "--quote", text, "--outlet", text)
    row = json.loads(cli.ok("list", "-f", "json").stdout)[0]
    assert (row["statement"], row["source"], row["quote"], row["outlet"]) == (text, text, text, text)
    assert verify(db_url)["ok"] is True


@pytest.mark.parametrize("field", ["statement", "--quote", "--evidence", "-s"])
def test_control_characters_and_bad_unicode_are_refused(tmp_path: Path, field: str) -> None:
    db = str(tmp_path / "l.db")
    cli = Cli(db)
    cli.ok("add", "Fine", "-s", "Ann", "-P", "0.5")
    before = snapshot(db)
    for bad in ("bell\x07", "null\x00byte", "lone \udcff surrogate"):
        args = {"statement": ["add", bad, "-s", "Ann", "-P", "0.5"],
                "--quote": ["add", "X", "-s", "Ann", "-P", "0.5", "--quote", bad],
                "--evidence": ["resolve", "1", "yes", "--on", "2025-06-10", "--evidence", bad],
                "-s": ["add", "X", "-s", bad, "-P", "0.5"]}[field]
        result = cli(*args)
        assert result.exit_code == 1 and "control character or invalid text" in result.stderr
    assert snapshot(db) == before


def test_corrupt_database_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    Cli(str(db)).ok("add", "Fine", "-s", "Ann", "-P", "0.5")
    raw = bytearray(db.read_bytes())
    raw[100:4096] = os.urandom(3996)  # keep the magic header, wreck the rest of page 1
    db.write_bytes(bytes(raw))
    before = db.read_bytes()
    result = Cli(str(db))("list")
    assert result.exit_code == 1 and result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before


def test_backup_sqlite_and_postgres(db_url: str, tmp_path: Path) -> None:
    random_ledger(db_url)
    target = tmp_path / ("copy.db" if "://" not in db_url else "copy.jsonl")
    cli = Cli(db_url)
    cli.ok("db", "backup", str(target))
    if "://" in db_url:
        fresh = Cli(str(tmp_path / "restored.db"))
        fresh.ok("import", str(target))
        assert fresh.ok("export").stdout == cli.ok("export").stdout
    else:
        assert verify(str(target))["ok"] is True
        assert Cli(str(target)).ok("export").stdout == cli.ok("export").stdout
    again = cli("db", "backup", str(target))
    assert again.exit_code == 1 and "already exists" in again.stderr


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("fuzz") / "fuzz.db")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statement=st.text(max_size=40), source=st.text(max_size=20), probability=st.text(max_size=20),
       deadline=st.one_of(st.none(), st.text(max_size=20)))
def test_add_never_raises_anything_but_ledger_errors(fuzz_db: str, statement: str, source: str,
                                                     probability: str, deadline: str | None) -> None:
    with Ledger(fuzz_db, today=date(2025, 6, 10)) as book:
        try:
            book.add(NewForecast(statement=statement, source=source, probability=probability,
                                 deadline=deadline, made_on=date(2025, 6, 1)))
        except LedgerError:
            pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_import_never_raises_anything_but_ledger_errors(fuzz_db: str, content: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
        handle.write(b"statement,source,probability,deadline,outcome\n" + content)
    try:
        with Ledger(fuzz_db, today=date(2025, 6, 10)) as book:
            try:
                book.import_file(handle.name)
            except LedgerError:
                pass
    finally:
        os.unlink(handle.name)
