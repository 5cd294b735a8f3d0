"""Import and export: round trips, other trackers, bad files, idempotency, dry runs."""

from __future__ import annotations

import json
import math
import random
from datetime import date
from pathlib import Path

import pytest

from ledger import Ledger, NewForecast
from tests.conftest import Cli, snapshot

DATA = Path(__file__).resolve().parent / "data" / "import"


def random_ledger(db: str, seed: int = 5) -> None:
    """Forecasts with words and numbers, citations, corrections, voids, amendments, aliases."""
    rng = random.Random(seed)
    with Ledger(db, today=date(2025, 12, 31)) as book:
        for index in range(40):
            source = rng.choice(["Ann Lee", "Bo Chen", "the Daily", "an official"])
            logged = book.add(NewForecast(
                statement=f"Event {index} happens", source=source,
                source_kind="anonymous" if source == "an official" else None,
                probability=rng.choice(["likely", "0.3", "very unlikely", "7 in 10", "may", "I don't think"]),
                deadline=rng.choice(["this week", "2025-09-30", "within 90 days", None, "next month"]),
                made_on=date(2025, 6, 2), url=f"https://example.org/{index % 7}",
                outlet=rng.choice(["Daily", "Weekly"]), quote=f"quote {index}" if index % 3 else None,
                tags=rng.sample(["politics", "economy", "china"], k=rng.randint(0, 2))))
            forecast = logged.forecast
            if index % 5 == 0:
                book.add(NewForecast(statement=f"Event {index} happens", source=source,
                                     probability="0.5", deadline=forecast["deadline_phrase"],
                                     made_on=date(2025, 6, 2), url="https://example.org/other"))
            if index % 4 == 0:
                outcome = rng.choice(["yes", "no"])
                on = min(date(2025, 6, 2 + index % 5), forecast["deadline"] or date(2025, 12, 1))
                book.resolve(forecast["id"], outcome, on=on, evidence="seen")
                if index % 8 == 0:
                    book.resolve(forecast["id"], "no", on=on, correct=True, note="corrected")
            elif index % 7 == 0:
                book.resolve(forecast["id"], "void", reason="ambiguous", on=date(2025, 6, 3))
            if index % 6 == 1:
                book.amend(forecast["id"], {"criteria": f"criterion {index}"}, why="clarify")
        book.alias("Ann Lee", "A. Lee")


def export(cli: Cli, fmt: str = "jsonl") -> str:
    return cli.ok("export", "-f", fmt).stdout


def test_round_trip_is_identical(db_url: str, tmp_path: Path) -> None:
    random_ledger(db_url)
    first = export(Cli(db_url))
    assert first.count("\n") == 40
    path = tmp_path / "ledger.jsonl"
    path.write_text(first)
    target = Cli(str(tmp_path / "copy.db"))
    result = target.ok("import", str(path))
    assert "added 40 forecast(s)" in result.stdout
    assert export(target) == first
    for by in ("source", "outlet", "tag", "phrase"):
        args = ("report", "--by", by, "--min-n", "1", "-f", "json")
        assert Cli(db_url).ok(*args).stdout == target.ok(*args).stdout


def test_round_trip_into_postgres(tmp_path: Path, pg_empty_url: str) -> None:
    sqlite = str(tmp_path / "a.db")
    random_ledger(sqlite, seed=9)
    first = export(Cli(sqlite))
    (tmp_path / "a.jsonl").write_text(first)
    pg = Cli(pg_empty_url)
    pg.ok("db", "upgrade")
    pg.ok("import", str(tmp_path / "a.jsonl"))
    assert export(pg) == first
    assert pg.ok("report", "--min-n", "1", "-f", "json").stdout == Cli(sqlite).ok(
        "report", "--min-n", "1", "-f", "json").stdout


def test_import_twice_adds_nothing(ledger_cli: Cli) -> None:
    path = str(DATA / "ledger-words.csv")
    first = ledger_cli.ok("import", path)
    assert "added 4 forecast(s)" in first.stdout
    before = export(ledger_cli)
    second = ledger_cli.ok("import", path)
    assert "added 0 forecast(s), 0 citation(s), 0 resolution(s)" in second.stdout
    assert "4 already in the ledger" in second.stdout
    assert export(ledger_cli) == before


def test_words_are_read_relative_to_made_on(ledger_cli: Cli) -> None:
    ledger_cli.ok("import", str(DATA / "ledger-words.csv"))
    rows = {r["source"]: r for r in json.loads(ledger_cli.ok("list", "-f", "json").stdout)}
    assert rows["Karoline Leavitt"]["probability"] == 0.75 and rows["Karoline Leavitt"]["phrase"] == "likely"
    assert rows["Kevin Hassett"]["deadline"] == "2025-06-08"  # said on Sunday
    assert rows["Washington"]["deadline"] is None and rows["Washington"]["deadline_phrase"] == "for the time being"
    assert rows["Analyst"]["deadline"] == "2025-06-30" and rows["Analyst"]["outcome"] == "no"
    assert rows["Karoline Leavitt"]["tags"] == ["calls", "us-china"]


def test_dry_run_writes_nothing(ledger_cli: Cli) -> None:
    ledger_cli.ok("list")  # create the ledger
    before = snapshot(ledger_cli.db)
    result = ledger_cli.ok("import", str(DATA / "ledger-words.csv"), "--dry-run")
    assert result.stdout.startswith("dry run: 4 row(s) read (ledger): would add 4 forecast(s)")
    assert snapshot(ledger_cli.db) == before


def test_fatebook_export(ledger_cli: Cli) -> None:
    result = ledger_cli.ok("import", str(DATA / "fatebook-export.csv"), today="2024-12-31")
    assert "(fatebook)" in result.stdout and "added 4 forecast(s)" in result.stdout
    rows = {r["statement"]: r for r in json.loads(ledger_cli.ok("list", "-f", "json").stdout)}
    library = rows["Will the library reopen by March?"]
    assert library["probability"] == 0.8  # the latest forecast before resolution
    assert (library["outcome"], library["resolved_on"], library["source"]) == ("yes", "2024-03-02", "Ana Ruiz")
    assert library["tags"] == ["council", "local"]
    snow = rows["Will it snow in Lisbon this winter?"]
    assert (snow["outcome"], snow["deadline"]) == ("no", "2024-02-29")
    merger = rows["Will the merger close this quarter?"]
    assert (merger["outcome"], merger["void_reason"]) == ("void", "ambiguous")
    assert rows["Will the bridge open before summer?"]["status"] == "due"
    assert "Which team wins the cup?" not in rows  # multiple choice: not a yes/no forecast


def test_fatebook_spreadsheet_layout_and_default_source(ledger_cli: Cli) -> None:
    ledger_cli.ok("import", str(DATA / "fatebook-sheet.csv"), "--source", "Me Myself", today="2025-01-31")
    rows = {r["statement"]: r for r in json.loads(ledger_cli.ok("list", "-f", "json").stdout)}
    ferry = rows["Will the ferry strike end this month?"]
    assert (ferry["probability"], ferry["source"], ferry["outcome"]) == (0.7, "Me Myself", "yes")
    assert rows["Will rents fall this year?"]["probability"] == 0.15
    assert rows["Will rents fall this year?"]["tags"] == ["economy", "housing"]


def test_predictionbook_csv_and_json(ledger_cli: Cli) -> None:
    ledger_cli.ok("import", str(DATA / "predictionbook.csv"), today="2014-01-01")
    rows = {r["statement"]: r for r in json.loads(ledger_cli.ok("list", "-f", "json").stdout)}
    assert rows["The new stadium opens on schedule"]["outcome"] == "yes"
    assert rows["The new stadium opens on schedule"]["url"] == "https://predictionbook.com/predictions/101"
    assert rows["The council bans cars from the square"]["probability"] == 0.2
    assert (rows["The mayor resigns"]["outcome"], rows["The mayor resigns"]["void_reason"]) == ("void", "retracted")
    assert rows["It rains on the parade"]["status"] == "due" and rows["It rains on the parade"]["source"] == "lee"
    ledger_cli.ok("import", str(DATA / "predictionbook.json"), "--from", "predictionbook", today="2014-01-01")
    rows = {r["statement"]: r for r in json.loads(ledger_cli.ok("list", "-f", "json").stdout)}
    assert rows["A new bakery opens on Elm Street"]["source"] == "Kim"
    assert rows["The old mill is demolished"]["outcome"] == "no"


BAD_FILES = {
    "missing-columns.csv": ("statement,probability\nX happens,0.5\n", "line 1: header: missing column(s): source"),
    "bad-date.csv": ("statement,source,probability,deadline\nX happens,Ann,0.5,2025-13-45\n", "line 2: deadline"),
    "bad-probability.csv": ("statement,source,probability\nX happens,Ann,1.7\nY happens,Ann,zork\n",
                            "line 3: probability"),
    "invalid-utf8.csv": (b"statement,source,probability\nX happens,Ann,0.5\nY \xff\xfe happens,Ann,0.5\n",
                         "invalid UTF-8"),
    "truncated.csv": ('statement,source,probability,quote\nX happens,Ann,0.5,"fine"\nY happens,Ann,0.5,"cut o',
                      "line 3"),
    "short-row.csv": ("statement,source,probability,made_on\nX happens,Ann,0.5,2025-01-01\nY happens,Ann\n",
                      "2 of 4 columns"),
    "empty.csv": ("", "the file is empty"),
    "truncated.jsonl": ('{"statement": "X happens", "source": "Ann", "probability": 0.5}\n{"statement": "Y',
                        "line 2: line: not valid JSON"),
    "bad-outcome.csv": ("statement,source,probability,outcome\nX happens,Ann,0.5,perhaps\n", "line 2: outcome"),
    "yes-late.csv": ("statement,source,probability,made_on,deadline,outcome,resolved_on\n"
                     "X happens,Ann,0.5,2025-01-01,2025-02-01,yes,2025-03-01\n", "after the deadline"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_import_nothing(ledger_cli: Cli, tmp_path: Path, name: str) -> None:
    content, message = BAD_FILES[name]
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    ledger_cli.ok("add", "Already here", "-s", "Ann", "-P", "0.5")
    before = snapshot(ledger_cli.db)
    result = ledger_cli("import", str(path))
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "nothing imported" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(ledger_cli.db) == before


def test_every_bad_row_is_listed_up_to_fifty(ledger_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("statement,source,probability\n" + "".join(f"S{i},Ann,{2 + i}\n" for i in range(60)))
    result = ledger_cli("import", str(path))
    listed = [line for line in result.stderr.splitlines() if line.strip().startswith("line ")]
    assert len(listed) == 50 and "... and 10 more problem(s)" in result.stderr
    assert "60 problem(s)" in result.stderr


def test_export_filters_and_csv(ledger_cli: Cli, tmp_path: Path) -> None:
    ledger_cli.ok("import", str(DATA / "ledger-words.csv"))
    text = ledger_cli.ok("export", "-f", "csv", "--status", "resolved").stdout
    lines = text.strip().splitlines()
    assert lines[0].startswith("statement,source,source_kind,role,probability,phrase,scale,made_on")
    assert len(lines) == 4
    target = tmp_path / "out.json"
    ledger_cli.ok("export", "-f", "json", "--source", "Washington", "-o", str(target))
    data = json.loads(target.read_text())
    assert [d["source"] for d in data] == ["Washington"]
    # a CSV export imports back
    (tmp_path / "back.csv").write_text(text)
    fresh = Cli(str(tmp_path / "fresh.db"))
    fresh.ok("import", str(tmp_path / "back.csv"))
    assert len(json.loads(fresh.ok("list", "-f", "json").stdout)) == 3


def test_import_from_stdin(ledger_cli: Cli) -> None:
    content = (DATA / "ledger-words.csv").read_text()
    result = ledger_cli("import", "-", input=content)
    assert result.exit_code == 0 and "added 4 forecast(s)" in result.stdout
    bad = ledger_cli("import", "-", input="statement,source,probability\nX happens,Ann,7\n")
    assert bad.exit_code == 1
    assert bad.stderr.strip().splitlines()[-1] == "error: standard input: 1 problem(s); nothing imported"


@pytest.mark.parametrize(("tracker", "message"), [
    ("fatebook", "not a Fatebook file: missing column(s) Question title, Forecast (scale = 0-1)"),
    ("predictionbook", "not a PredictionBook file: missing column(s) description, mean_confidence or confidence"),
])
def test_a_file_read_as_the_wrong_tracker_gets_one_header_problem(ledger_cli: Cli, tmp_path: Path,
                                                                   tracker: str, message: str) -> None:
    """Not a complaint about every row: one line that says what the layout lacks."""
    path = tmp_path / "ours.csv"
    path.write_text("statement,source,probability\n" + "".join(f"S{i} happens,Ann,0.5\n" for i in range(80)))
    ledger_cli.ok("add", "Already here", "-s", "Ann", "-P", "0.5")
    before = snapshot(ledger_cli.db)
    result = ledger_cli("import", str(path), "--from", tracker)
    assert result.exit_code == 1
    assert [line.strip() for line in result.stderr.splitlines()] == [
        f"line 1: header: {message}", "error: ours.csv: 1 problem(s); nothing imported"]
    assert snapshot(ledger_cli.db) == before


PUBLISHED_BRIER = {
    "fivethirtyeight": 0.066, "crosstab": 0.070, "princeton_electoral_consortium": 0.077,
    "new_york_times": 0.076, "poll_savvy": 0.080, "slate": 0.076, "predictwise": 0.076,
    "daily_kos": 0.080, "huffington_post": 0.090, "map_2012": 0.125,
}


def test_election_2016_reproduces_published_brier_scores(ledger_cli: Cli) -> None:
    """Ten named forecasters, 56 contests: every published Brier score, to the digit given."""
    path = Path(__file__).resolve().parent / "data" / "election2016.csv"
    result = ledger_cli.ok("import", str(path), "--from", "wide", "--outcome-column", "dem_win",
                           "--statement", "Democratic candidate wins {state}", "--made-on", "2016-11-07",
                           "--deadline", "2016-11-08", today="2017-01-01")
    assert "added 560 forecast(s)" in result.stdout and "560 resolution(s)" in result.stdout
    rows = {r["group"]: r for r in json.loads(ledger_cli.ok("report", "-f", "json").stdout)}
    for name, published in PUBLISHED_BRIER.items():
        assert rows[name]["n"] == 56 and rows[name]["yes"] == 22
        assert round(rows[name]["brier"], 3) == published, name
    ranked = [r["group"] for r in json.loads(ledger_cli.ok("report", "-f", "json").stdout) if r["ranked"]]
    assert ranked[0] == "fivethirtyeight" and ranked[-1] == "map_2012"
    # map_2012 said exactly 0 and 1: its log loss is finite only because of the clip
    # (7 confident misses, 49 confident hits, each clipped to 0.001 / 0.999)
    expected = -(7 * math.log(0.001) + 49 * math.log(0.999)) / 56
    assert rows["map_2012"]["log_loss"] == pytest.approx(expected, rel=1e-9)


def test_wide_layout_problems(ledger_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("question,alice,bob,result\nRain on Monday,0.3,0.6,maybe\n")
    result = ledger_cli("import", str(path), "--from", "wide")
    assert result.exit_code == 1 and "line 2: result: 'maybe' is not an outcome" in result.stderr
    usage = ledger_cli("import", str(path), "--outcome-column", "result")
    assert usage.exit_code == 2


def _index_names(db: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(Ledger(db).store.url) if "://" in db else create_engine(f"sqlite:///{db}")
    try:
        inspector = inspect(engine)
        return {index["name"] for table in ("forecast", "forecasttag") for index in inspector.get_indexes(table)}
    finally:
        engine.dispose()


def test_import_into_an_empty_ledger_keeps_every_index(db_url: str, tmp_path: Path) -> None:
    """SQLite builds the forecast indexes after the rows: they must all be there after an
    import, and after one that failed half-way."""
    Cli(db_url).ok("add", "seed", "-s", "Ann", "-P", "0.5")
    expected = _index_names(db_url)
    assert {"ix_forecast_dedup", "ix_forecast_deadline", "ix_forecast_source_deadline"} <= expected
    # SQLite: a new ledger file, so the indexes are deferred; PostgreSQL never defers them.
    empty = str(tmp_path / "empty.db") if "://" not in db_url else db_url
    rows = "".join(f"Event {i} happens,Src {i % 7},0.{i % 9 + 1},2025-01-01,2025-03-01,economy\n" for i in range(3000))
    good = tmp_path / "good.csv"
    good.write_text("statement,source,probability,made_on,deadline,tags\n" + rows)
    bad = tmp_path / "bad.csv"
    bad.write_text("statement,source,probability,made_on,deadline,tags\n" + rows + "Broken,Src,1.7,2025-01-01,,\n")
    target = Cli(empty)
    assert target("import", str(bad)).exit_code == 1
    assert _index_names(empty) == expected
    target.ok("import", str(good))
    assert _index_names(empty) == expected
    assert target.ok("list", "--source", "Src 3", "-f", "json").stdout.count('"statement"') == 429


def test_big_import_into_postgres_refreshes_planner_statistics(pg_empty_url: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL only: SQLite plans without ANALYZE statistics."""
    from sqlalchemy import create_engine, text

    from ledger.interchange import importer

    monkeypatch.setattr(importer, "ANALYZE_AFTER", 100)
    db_url = pg_empty_url
    Cli(db_url).ok("db", "upgrade")
    rows = "".join(f"Event {i} happens,Src {i % 3},0.5,2025-01-01,2025-03-01\n" for i in range(150))
    path = tmp_path / "rows.csv"
    path.write_text("statement,source,probability,made_on,deadline\n" + rows)
    Cli(db_url).ok("import", str(path))
    engine = create_engine(Ledger(db_url).store.url)
    try:
        with engine.connect() as conn:
            tuples = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'forecast'::regclass")).scalar()
    finally:
        engine.dispose()
    assert tuples == 150  # -1 until the table is analysed


@pytest.mark.parametrize("enabled", [True, False])
def test_import_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    """The import pauses cyclic garbage collection for speed; a program that imports
    through the API must get its collector back as it was, after a good file and a bad one."""
    import gc

    from ledger.interchange.records import ImportProblems

    good = tmp_path / "good.csv"
    good.write_text("statement,source,probability\nIt rains,Ann,0.7\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("statement,source,probability\nIt snows,Ann,1.7\n")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with Ledger(str(tmp_path / "gc.db"), today=date(2025, 12, 31)) as book:
            assert book.import_file(good).added == 1
            assert gc.isenabled() is enabled
            with pytest.raises(ImportProblems):
                book.import_file(bad)
            assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_export_of_every_other_forecast_keeps_each_ones_own_children(db_url: str) -> None:
    """Ann's forecasts are ids 1, 3, 5, …: dense enough that a page's tags, citations and
    resolutions are read by id range, which also matches Bo's. None of Bo's may leak into
    Ann's records, and none of Ann's may be missed at either end of the range."""
    with Ledger(db_url, today=date(2025, 12, 31)) as book:
        for i in range(30):
            logged = book.add(NewForecast(
                statement=f"Event {i}", source="Ann" if i % 2 == 0 else "Bo", probability="0.6",
                made_on=date(2025, 6, 2), url=f"https://example.org/{i}", quote=f"quote {i}", tags=[f"t{i}"]))
            book.resolve(logged.forecast["id"], "yes", on=date(2025, 6, 3), evidence=f"evidence {i}")
    lines = Cli(db_url).ok("export", "--source", "Ann").stdout.splitlines()
    assert len(lines) == 15
    for line in lines:
        record = json.loads(line)
        number = record["statement"].split()[-1]
        assert record["tags"] == [f"t{number}"]
        assert [c["quote"] for c in record["citations"]] == [f"quote {number}"]
        assert [r["evidence"] for r in record["resolutions"]] == [f"evidence {number}"]


def test_text_that_copy_must_escape_arrives_intact(pg_empty_url: str, tmp_path: Path) -> None:
    """PostgreSQL imports by COPY, whose text format gives tabs, newlines, backslashes
    and a bare \\N meanings of their own: such text must arrive as written."""
    odd = ["tab\there", "new\nline", "back\\slash", "\\N", "quote \" and 'single'", "Ünïcode “quotes” 中文"]
    rows = [{"statement": f"Event {i}: {text}", "source": f"Source {text}", "probability": 0.5,
             "made_on": "2025-06-02", "criteria": text, "tags": ["odd"],
             "citations": [{"url": None, "outlet": text, "title": text, "published": None, "quote": text}],
             "resolutions": [{"outcome": "no", "resolved_on": "2025-06-03", "evidence": text, "note": text}]}
            for i, text in enumerate(odd)]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    pg = Cli(pg_empty_url)
    pg.ok("db", "upgrade")
    pg.ok("import", str(path))
    exported = {record["statement"]: record for record in map(json.loads, export(pg).splitlines())}
    for i, text in enumerate(odd):
        record = exported[f"Event {i}: {text}"]
        assert record["source"] == " ".join(f"Source {text}".split())  # names are kept with single spaces
        assert record["criteria"] == text
        assert [(c["outlet"], c["title"], c["quote"]) for c in record["citations"]] == [(text, text, text)]
        assert [(r["evidence"], r["note"]) for r in record["resolutions"]] == [(text, text)]
    assert pg.ok("verify").stdout.startswith("ok")


def test_export_into_a_missing_directory_is_one_clear_error(ledger_cli: Cli, tmp_path: Path) -> None:
    ledger_cli.ok("add", "It rains", "-s", "Ann", "-P", "0.5")
    target = tmp_path / "no-such-dir" / "backup.jsonl"
    result = ledger_cli("export", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"error: cannot write {target}: No such file or directory"]
    assert not target.parent.exists()
