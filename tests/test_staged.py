"""The staged import (ledger.interchange.staged) stores exactly what the row-at-a-time
import stores, and hands every file it does not take to that import.

Each test imports the same file twice into fresh SQLite ledgers, once each way, with the
same user and clock, and compares every table row by row, the journal included. The
staged path is SQLite only, so these tests use SQLite files; PostgreSQL imports always go
row by row and are covered by test_interchange.py.
"""

from __future__ import annotations

import csv
import io
import os
import random
import sqlite3
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger import Ledger, NewForecast
from ledger.book import statement_key
from ledger.interchange import keyworker
from ledger.interchange import staged as staged_module
from ledger.interchange.importer import import_file
from ledger.interchange.layout import ImportSummary
from ledger.interchange.records import CSV_COLUMNS, ImportProblems
from ledger.store import Store, database_url
from tests.conftest import snapshot

TODAY = date(2025, 12, 31)
NOW = datetime(2025, 12, 31, 9, 30, tzinfo=UTC)
ALWAYS = ["statement", "source", "probability", "made_on"]  # words are read relative to made_on
OPTIONAL = [c for c in CSV_COLUMNS if c not in ALWAYS and c not in ("url", "outlet", "title", "published", "quote")]


def random_row(rng: random.Random, index: int) -> dict[str, str]:
    """A valid row exercising the readers: words and numbers, padding, case, quoting."""
    made_on = date(2025, rng.randint(1, 7), rng.randint(1, 28))
    deadline = rng.choice(["", "", "this week", "next month", "within 30 days", "by the end of the month",
                           (made_on.replace(day=28)).isoformat(), f"{made_on.isoformat()}"])
    outcome = rng.choice(["", "", "yes", "no", " No ", "YES", "void"])
    statement = rng.choice([f"Event {index} happens", f"  Event {index}, \"quoted\" ", f"Évènement {index} 東京",
                            f"Event {index}\nover two lines", f"event {index} HAPPENS\tagain"])
    return {
        "statement": statement,
        "source": rng.choice(["Ann Lee", "ann lee", " Ann  Lee ", "Bo Chen", "The Daily", "an official"]),
        "source_kind": rng.choice(["", "person", "Organisation", "anonymous", "outlet"]),
        "role": rng.choice(["", "", "press secretary", " envoy "]),
        "probability": rng.choice(["0.7", "70%", "likely", "very unlikely", " 0.25 ", "2 in 3", "7 in 10", "0", "1"]),
        "phrase": rng.choice(["", "", "a good chance"]),
        "scale": rng.choice(["", "", "default", "kent"]),
        "made_on": rng.choice([made_on.isoformat(), made_on.isoformat(), made_on.strftime("%B %d, %Y")]),
        "deadline": deadline,
        "deadline_phrase": rng.choice(["", "", "soon", "this week"]),
        "criteria": rng.choice(["", "", f"criterion {index}", " padded criterion "]),
        "tags": rng.choice(["", "", "politics", "Politics; economy", "china,calls"]),
        "outcome": outcome,
        "void_reason": "ambiguous" if outcome == "void" else "",
        "resolved_on": rng.choice(["", made_on.isoformat()]) if outcome else "",
        "evidence": rng.choice(["", "seen", " reported later "]) if outcome else "",
        "note": rng.choice(["", "checked"]) if outcome else "",
    }


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def random_file(path: Path, seed: int, rows: int) -> Path:
    rng = random.Random(seed)
    columns = [*ALWAYS, *rng.sample(OPTIONAL, k=rng.randint(3, len(OPTIONAL)))]
    if "outcome" in columns and "void_reason" not in columns:
        columns.append("void_reason")
    rng.shuffle(columns)
    return write_csv(path, [random_row(rng, i) for i in range(rows)], columns)


def load(db: Path, path: Path, staged_allowed: bool = True, source: str | None = None) -> ImportSummary:
    store = Store(database_url(str(db)))
    try:
        return import_file(store, path, forced=None, default_source=source, user="tester", today=TODAY,
                           now=NOW, staged_allowed=staged_allowed)
    finally:
        store.dispose()


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in id order."""
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version'")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2').fetchall() for t in tables}


def both_ways(tmp_path: Path, path: Path, prepare=None, source: str | None = None) -> tuple[ImportSummary, ...]:
    """Import `path` staged and row by row into two copies of one ledger (made by
    `prepare`, if given); assert they end up holding the same."""
    start = tmp_path / "start.db"
    if prepare:
        prepare(str(start))
    results = []
    for name, allowed in (("staged.db", True), ("rows.db", False)):
        db = tmp_path / name
        if prepare:  # the backup API copies what is still in the write-ahead log too
            with sqlite3.connect(start) as source, sqlite3.connect(db) as target:
                source.backup(target)
        results.append(load(db, path, allowed, source))
    staged, rows = results
    assert dump(tmp_path / "staged.db") == dump(tmp_path / "rows.db")
    assert {**vars(staged), "loaded_by": ""} == {**vars(rows), "loaded_by": ""}
    assert rows.loaded_by == "rows"
    return staged, rows


@pytest.mark.parametrize("seed", range(8))
def test_staged_import_stores_what_the_row_import_stores(tmp_path: Path, seed: int) -> None:
    staged, _ = both_ways(tmp_path, random_file(tmp_path / "f.csv", seed, rows=150))
    assert staged.loaded_by == "staged"
    assert staged.added == 150


@pytest.mark.parametrize("seed", range(3))
def test_staged_import_with_keys_from_a_second_process(tmp_path: Path, seed: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Big files get their statement keys from keyworker (small ones from an SQL function,
    as in the tests above): the same result either way."""
    monkeypatch.setattr(keyworker, "MIN_BYTES", 0)
    path = random_file(tmp_path / "f.csv", seed, rows=150)
    assert keyworker.usable(path) == ((os.cpu_count() or 1) > 1)
    staged, _ = both_ways(tmp_path, path)
    assert staged.loaded_by == "staged"


def test_key_worker_gives_each_rows_statement_key(tmp_path: Path) -> None:
    path = random_file(tmp_path / "f.csv", 3, rows=40)
    with path.open(newline="", encoding="utf-8") as handle:
        statements = [row["statement"] for row in csv.DictReader(handle)]
    keys = keyworker.statement_keys(str(path))
    assert keys is not None and len(keys) == 40 * keyworker.KEY_DIGITS
    assert [keys[i * 64:(i + 1) * 64].decode() for i in range(40)] == [statement_key(s) for s in statements]
    bad = write_csv(tmp_path / "bad.csv", [{"statement": "   ", "source": "A", "probability": "0.5"}],
                    ["statement", "source", "probability"])
    assert keyworker.statement_keys(str(bad)) is None


def test_keys_from_a_file_changed_meanwhile_are_not_used(tmp_path: Path) -> None:
    path = random_file(tmp_path / "f.csv", 3, rows=40)
    with keyworker.keys_in_background(path) as pending:
        if pending is None:
            pytest.skip("this machine cannot start a second process")
        same = staged_module._Keys(pending, path, staged_module._identity(path))
        assert "substr(:keys" in same.sql(40)[0]
        assert same.sql(41) == ("ledger_statement_key(s.statement)", {})  # other rows than the worker's
        changed = staged_module._Keys(pending, path, (0, 0, 0))
        assert changed.sql(40) == ("ledger_statement_key(s.statement)", {})


def test_staged_journal_is_chunked_like_the_row_import(tmp_path: Path) -> None:
    """More rows than one journal entry holds, with new sources arriving in later chunks."""
    rng = random.Random(3)
    rows = [random_row(rng, i) for i in range(4500)]
    for index in (2100, 4400):
        rows[index]["source"] = f"Late Source {index}"
    path = write_csv(tmp_path / "big.csv", rows, list(CSV_COLUMNS))
    staged, _ = both_ways(tmp_path, path)
    assert staged.loaded_by == "staged"
    with sqlite3.connect(tmp_path / "staged.db") as conn:
        assert conn.execute("SELECT count(*) FROM journal WHERE kind = 'forecasts.imported'").fetchone()[0] == 3
    with Ledger(str(tmp_path / "staged.db"), today=TODAY) as book:
        assert book.verify().ok


def test_staged_import_uses_sources_the_ledger_already_has(tmp_path: Path) -> None:
    def prepare(db: str) -> None:
        with Ledger(db, today=TODAY) as book:
            book.add(NewForecast(statement="placeholder", source="Ann Lee", probability="0.5"))
            book.alias("Ann Lee", "The Daily")
        with sqlite3.connect(db) as conn:  # keep the sources, not the forecast
            for table in ("forecasttag", "citation", "resolution", "revision", "forecast"):
                conn.execute(f"DELETE FROM {table}")

    staged, _ = both_ways(tmp_path, random_file(tmp_path / "f.csv", 11, rows=60), prepare)
    assert staged.loaded_by == "staged"


def test_default_source_fills_empty_cells(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [{"statement": "A", "source": "", "probability": "0.3"},
                                          {"statement": "B", "source": "Bo", "probability": "0.6"}],
                     ["statement", "source", "probability"])
    staged, _ = both_ways(tmp_path, path, source="Me Myself")
    assert staged.loaded_by == "staged" and staged.sources_added == 2


@pytest.mark.parametrize("change", [
    "repeat", "citation", "blank line", "created_at column", "ragged row", "tab in a statement",
])
def test_files_the_staged_path_does_not_take_go_row_by_row(tmp_path: Path, change: str) -> None:
    rng = random.Random(1)
    rows = [random_row(rng, i) for i in range(40)]
    columns = ["statement", "source", "probability", "made_on", "deadline", "outcome", "void_reason", "resolved_on",
               "url"]
    for row in rows:
        row["url"] = ""
    text = None
    if change == "repeat":  # the second brings a resolution the first lacks
        rows.append({**rows[0], "outcome": "no", "resolved_on": ""})
        rows[0]["outcome"] = ""
    elif change == "citation":
        rows[5]["url"] = "https://example.org/a"
    elif change == "created_at column":
        columns.append("created_at")
        for row in rows:
            row["created_at"] = "2025-01-01T00:00:00Z"
    elif change == "tab in a statement":  # allowed: not a control character to check_text
        rows[3]["statement"] = "tab\tis fine"
    path = write_csv(tmp_path / "f.csv", rows, columns)
    if change == "blank line":
        text = path.read_text().replace("\n", "\n\n", 3)
    elif change == "ragged row":
        lines = path.read_text().splitlines()
        lines[4] += ",extra"
        text = "\n".join(lines) + "\n"
    if text is not None:
        path.write_text(text)
    if change == "ragged row":
        with pytest.raises(ImportProblems) as caught:
            load(tmp_path / "staged.db", path)
        assert caught.value.problems.items[0][:2] == (5, "row")
        return
    staged, _ = both_ways(tmp_path, path)
    assert staged.loaded_by == ("staged" if change == "tab in a statement" else "rows")


def test_bad_row_lists_its_line_and_writes_nothing(tmp_path: Path) -> None:
    rng = random.Random(2)
    rows = [{**random_row(rng, i), "statement": f"Event {i}"} for i in range(30)]  # one line each
    rows[9]["probability"] = "1.5"
    rows[20]["made_on"] = "2025-13-45"
    rows[25]["statement"] = "a bell \x07 rings"
    path = write_csv(tmp_path / "f.csv", rows, list(CSV_COLUMNS))
    db = tmp_path / "ledger.db"
    with Ledger(str(db), today=TODAY) as book:
        book.sources()  # creates the empty ledger
    before = snapshot(str(db))
    with pytest.raises(ImportProblems) as caught:
        load(db, path)
    found = {(line, column) for line, column, _ in caught.value.problems.items}
    assert {(11, "probability"), (22, "made_on"), (27, "statement")} <= found
    assert snapshot(str(db)) == before


def test_ledger_with_forecasts_goes_row_by_row(tmp_path: Path) -> None:
    def prepare(db: str) -> None:
        with Ledger(db, today=TODAY) as book:
            book.add(NewForecast(statement="Already here", source="Ann Lee", probability="0.5"))

    staged, _ = both_ways(tmp_path, random_file(tmp_path / "f.csv", 4, rows=30), prepare)
    assert staged.loaded_by == "rows"


def journal_mode(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_bulk_load_returns_the_ledger_to_wal(tmp_path: Path) -> None:
    """The load runs with a rollback journal (Store._rollback_journal) and puts WAL back,
    after a good file and after a bad one."""
    path = random_file(tmp_path / "f.csv", 5, rows=50)
    db = tmp_path / "ledger.db"
    assert load(db, path).loaded_by == "staged"
    assert journal_mode(db) == "wal"
    bad = write_csv(tmp_path / "bad.csv", [{"statement": "A", "source": "Bo", "probability": "2"}],
                    ["statement", "source", "probability"])
    with pytest.raises(ImportProblems):
        load(tmp_path / "other.db", bad)
    assert journal_mode(tmp_path / "other.db") == "wal"


def test_bulk_load_with_the_ledger_open_elsewhere_stays_in_wal(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    with Ledger(str(db), today=TODAY) as book:
        book.sources()
    reader = sqlite3.connect(db)
    try:
        reader.execute("SELECT count(*) FROM forecast").fetchone()  # the file is open here too
        summary = load(db, random_file(tmp_path / "f.csv", 6, rows=50))
        assert summary.loaded_by == "staged" and summary.added == 50
        assert reader.execute("SELECT count(*) FROM forecast").fetchone()[0] == 50
    finally:
        reader.close()
    assert journal_mode(db) == "wal"
    with Ledger(str(db), today=TODAY) as book:
        assert book.verify().ok


def test_staged_import_leaves_no_temporary_tables(tmp_path: Path) -> None:
    """The stage and its lookup tables go with the load, from the connection that stays in
    the pool."""
    db = tmp_path / "ledger.db"
    store = Store(database_url(str(db)))
    try:
        summary = import_file(store, random_file(tmp_path / "f.csv", 7, rows=30), forced=None, default_source=None,
                              user="tester", today=TODAY, now=NOW)
        assert summary.loaded_by == "staged"
        with store.session() as session:
            raw = session.connection().connection.driver_connection
            assert raw.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'").fetchall() == []
    finally:
        store.dispose()


@pytest.mark.parametrize("staged_allowed", [True, False])
def test_progress_reaches_every_row_once(tmp_path: Path, staged_allowed: bool) -> None:
    """Either path reports progress in steps that add up to the rows, never going back."""
    rng = random.Random(8)
    path = write_csv(tmp_path / "f.csv", [random_row(rng, i) for i in range(4500)], list(CSV_COLUMNS))
    steps: list[tuple[int, int | None]] = []
    store = Store(database_url(str(tmp_path / "ledger.db")))
    try:
        summary = import_file(store, path, forced=None, default_source=None, user="tester", today=TODAY,
                              now=NOW, staged_allowed=staged_allowed, progress=lambda n, total: steps.append((n, total)))
    finally:
        store.dispose()
    assert summary.loaded_by == ("staged" if staged_allowed else "rows")
    assert len(steps) >= 3 and all(n > 0 for n, _ in steps)
    assert sum(n for n, _ in steps) == 4500


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bar_only_on_a_terminal(tmp_path: Path, terminal: bool) -> None:
    import pty
    import subprocess

    rng = random.Random(9)
    path = write_csv(tmp_path / "f.csv", [random_row(rng, i) for i in range(3000)], list(CSV_COLUMNS))
    env = {**os.environ, "LEDGER_TODAY": "2025-12-31"}
    argv = [sys.executable, "-m", "ledger", "--db", str(tmp_path / "ledger.db"), "import", str(path)]
    if terminal:
        leader, follower = pty.openpty()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            shown += chunk
        os.close(leader)
        stdout = process.stdout.read()
        assert process.wait() == 0
    else:
        done = subprocess.run(argv, env=env, capture_output=True, check=True)
        shown, stdout = done.stderr, done.stdout
    assert b"added 3000 forecast(s)" in stdout
    assert (b"importing" in shown) is terminal


def test_no_room_to_stage_goes_row_by_row(tmp_path: Path) -> None:
    """A staging table that fills SQLite's temporary space (here capped on the pooled
    connection) leaves the import to the row path, which needs none."""
    db = tmp_path / "ledger.db"
    store = Store(database_url(str(db)))
    try:
        with store.session() as session:
            session.connection().connection.driver_connection.execute("PRAGMA temp.max_page_count = 8")
        summary = import_file(store, random_file(tmp_path / "f.csv", 12, rows=400), forced=None,
                              default_source=None, user="tester", today=TODAY, now=NOW)
    finally:
        store.dispose()
    assert (summary.loaded_by, summary.added) == ("rows", 400)
    assert journal_mode(db) == "wal"
