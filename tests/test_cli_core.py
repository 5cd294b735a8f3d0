"""The first real case through the CLI, on SQLite and PostgreSQL, in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import Cli, snapshot

ARTICLE = ["--published", "2025-06-02", "--outlet", "Ledger Sample Wire",
           "--url", "https://example.org/ledger-sample/trump-xi-call"]
CALL = "Trump and Xi hold a phone call"


def log_first_case(cli: Cli) -> None:
    cli.ok("add", CALL, "-s", "Karoline Leavitt", "--role", "White House Press Secretary",
           "-P", "likely to talk this week", "-d", "this week",
           "--quote", "likely to talk this week", "-t", "us-china", *ARTICLE)
    cli.ok("add", CALL, "-s", "Kevin Hassett", "-P", "likely", "-d", "this week",
           "--made-on", "2025-06-01", *ARTICLE)
    cli.ok("add", "Xi takes Trump's call", "-s", "a person familiar with the trade negotiations",
           "--source-kind", "anonymous", "-P", "high probability", *ARTICLE)


def forecasts(cli: Cli, *args: str) -> list[dict]:
    return json.loads(cli.ok("list", "-f", "json", *args).stdout)


def test_first_case_logs_with_words_read(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    rows = forecasts(ledger_cli)
    assert [r["source"] for r in rows] == [
        "Karoline Leavitt", "Kevin Hassett", "a person familiar with the trade negotiations"]
    leavitt, hassett, person = rows
    assert (leavitt["probability"], leavitt["phrase"], leavitt["scale"]) == (0.75, "likely", "default")
    assert leavitt["deadline"] == "2025-06-08" and leavitt["deadline_phrase"] == "this week"
    assert leavitt["made_on"] == "2025-06-02" and leavitt["status"] == "due"
    # Said on Sunday 1 June, "this week" means the week of 2-8 June.
    assert hassett["made_on"] == "2025-06-01" and hassett["deadline"] == "2025-06-08"
    assert person["source_kind"] == "anonymous" and person["deadline"] is None
    assert person["status"] == "undated" and person["probability"] == pytest.approx(0.82)
    assert leavitt["tags"] == ["us-china"] and leavitt["outlet"] == "Ledger Sample Wire"


def test_add_echoes_interpretation(ledger_cli: Cli) -> None:
    result = ledger_cli.ok("add", CALL, "-s", "Karoline Leavitt", "-P", "likely to talk this week",
                           "-d", "this week", "--published", "2025-06-02")
    assert "logged forecast 1" in result.stdout
    assert "likely → 0.75 on scale default" in result.stdout
    assert "this week → Sun 2025-06-08, exact" in result.stdout


def test_json_contract_keys(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    required = {"id", "statement", "source", "source_kind", "probability", "phrase", "scale",
                "made_on", "deadline", "deadline_phrase", "status", "outcome", "void_reason",
                "resolved_on", "url", "outlet", "quote", "tags"}
    row = forecasts(ledger_cli)[0]
    assert required <= set(row)
    assert row["outcome"] is None
    detail = json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)
    assert required | {"citations", "resolutions", "revisions"} <= set(detail)


def test_resolve_correct_and_history(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    for forecast_id in ("1", "2", "3"):
        ledger_cli.ok("resolve", forecast_id, "yes", "--on", "2025-06-05", "--evidence", "readout")
    rows = forecasts(ledger_cli, "--status", "resolved")
    assert [(r["id"], r["outcome"], r["resolved_on"]) for r in rows] == [
        (1, "yes", "2025-06-05"), (2, "yes", "2025-06-05"), (3, "yes", "2025-06-05")]
    again = ledger_cli("resolve", "1", "no")
    assert again.exit_code == 1 and "already resolved yes by tester" in again.stderr
    ledger_cli.ok("resolve", "1", "no", "--correct", "--note", "test correction")
    detail = json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)
    assert detail["outcome"] == "no"
    assert [(r["outcome"], r["current"]) for r in detail["resolutions"]] == [("yes", False), ("no", True)]
    assert detail["resolutions"][1]["supersedes_id"] == detail["resolutions"][0]["id"]
    events = json.loads(ledger_cli.ok("history", "1", "-f", "json").stdout)
    assert [e["event"] for e in events] == ["logged", "cited", "resolved", "corrected"]
    assert "[superseded]" in events[2]["detail"]


def test_same_forecast_from_another_article_is_a_citation(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    result = ledger_cli.ok("add", CALL, "-s", "Caroline Leavitt", "-P", "likely", "-d", "this week",
                           "--published", "2025-06-02", "--url", "https://example.org/other",
                           "--outlet", "Other Paper")
    # Without the alias, "Caroline" is a new source: a new forecast.
    assert "logged forecast 4" in result.stdout
    ledger_cli.ok("sources", "merge", "Caroline Leavitt", "Karoline Leavitt")
    ledger_cli.ok("add", CALL, "-s", "Caroline Leavitt", "-P", "likely", "-d", "this week",
                  "--published", "2025-06-02", "--url", "https://example.org/third")
    detail = json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)
    assert [c["url"] for c in detail["citations"]] == [
        "https://example.org/ledger-sample/trump-xi-call", "https://example.org/third"]
    again = ledger_cli.ok("add", CALL, "-s", "Karoline Leavitt", "-P", "likely", "-d", "this week",
                          "--published", "2025-06-02", "--url", "https://example.org/third")
    assert "nothing added" in again.stderr


def test_alias_and_merge_keep_every_forecast(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    ledger_cli.ok("sources", "alias", "Karoline Leavitt", "Caroline Leavitt")
    assert [r["id"] for r in forecasts(ledger_cli, "--source", "caroline leavitt")] == [1]
    ledger_cli.ok("add", "Trump visits Beijing this year", "-s", "K. Leavitt", "-P", "0.4",
                  "-d", "this year", "--published", "2025-06-02")
    result = ledger_cli.ok("sources", "merge", "K. Leavitt", "Karoline Leavitt")
    assert "1 forecast(s) moved" in result.stdout
    assert [r["id"] for r in forecasts(ledger_cli, "--source", "Karoline Leavitt")] == [1, 4]
    assert [r["id"] for r in forecasts(ledger_cli, "--source", "K. Leavitt")] == [1, 4]
    sources = json.loads(ledger_cli.ok("sources", "-f", "json").stdout)
    leavitt = next(s for s in sources if s["name"] == "Karoline Leavitt")
    assert leavitt["aliases"] == ["Caroline Leavitt", "K. Leavitt"] and leavitt["forecasts"] == 2
    revisions = json.loads(ledger_cli.ok("show", "4", "-f", "json").stdout)["revisions"]
    assert [(r["field"], r["old"], r["new"]) for r in revisions] == [
        ("source", "K. Leavitt", "Karoline Leavitt")]


def test_amend_records_revisions(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    ledger_cli.ok("amend", "3", "--deadline", "2025-06-30", "--why", "the talks set a date")
    ledger_cli.ok("amend", "3", "--probability", "very likely", "--why", "re-read the quote")
    detail = json.loads(ledger_cli.ok("show", "3", "-f", "json").stdout)
    assert detail["deadline"] == "2025-06-30" and detail["status"] == "open"
    assert detail["probability"] == pytest.approx(0.875) and detail["phrase"] == "very likely"
    fields = [(r["field"], r["old"], r["new"]) for r in detail["revisions"]]
    assert ("deadline", None, "2025-06-30") in fields
    assert ("probability", "0.82", "0.875") in fields
    # Amending after the deadline is marked as such.
    ledger_cli.ok("amend", "1", "--criteria", "a call or a meeting", "--why", "clarify")
    revision = json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)["revisions"][0]
    assert revision["after_deadline"] is True and revision["after_resolution"] is False


def test_void_needs_a_reason_and_is_not_resolved(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    assert ledger_cli("resolve", "3", "void").exit_code == 1
    ledger_cli.ok("resolve", "3", "void", "--reason", "ambiguous")
    assert [r["id"] for r in forecasts(ledger_cli, "--status", "void")] == [3]
    row = forecasts(ledger_cli, "--status", "void")[0]
    assert row["void_reason"] == "ambiguous"


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl", "markdown"])
def test_every_format(ledger_cli: Cli, fmt: str) -> None:
    log_first_case(ledger_cli)
    ledger_cli.ok("resolve", "1", "yes", "--on", "2025-06-05")
    listed = ledger_cli.ok("list", "-f", fmt).stdout
    shown = ledger_cli.ok("show", "1", "-f", fmt).stdout
    history = ledger_cli.ok("history", "1", "-f", fmt).stdout
    sources = ledger_cli.ok("sources", "-f", fmt).stdout
    if fmt == "json":
        assert len(json.loads(listed)) == 3 and json.loads(shown)["id"] == 1
        assert isinstance(json.loads(history), list) and len(json.loads(sources)) == 3
    elif fmt == "jsonl":
        assert [json.loads(line)["id"] for line in listed.splitlines()] == [1, 2, 3]
    elif fmt in {"csv", "tsv"}:
        rows = list(csv.DictReader(io.StringIO(listed), delimiter="," if fmt == "csv" else "\t"))
        assert [r["source"] for r in rows][0] == "Karoline Leavitt" and rows[0]["outcome"] == "yes"
    elif fmt == "markdown":
        assert listed.splitlines()[1].startswith("|--")
    else:
        assert "Karoline Leavitt" in listed and "resolved" in listed
    assert "Trump and Xi" in shown


def test_list_filters(ledger_cli: Cli) -> None:
    log_first_case(ledger_cli)
    ledger_cli.ok("add", "The Fed cuts rates in September", "-s", "Jane Analyst", "-P", "70%",
                  "-d", "2025-09-30", "-t", "economy", "--outlet", "Money Daily")
    assert [r["id"] for r in forecasts(ledger_cli, "--status", "open")] == [4]
    assert [r["id"] for r in forecasts(ledger_cli, "--status", "due")] == [1, 2]
    assert [r["id"] for r in forecasts(ledger_cli, "--status", "undated")] == [3]
    assert [r["id"] for r in forecasts(ledger_cli, "--tag", "economy")] == [4]
    assert [r["id"] for r in forecasts(ledger_cli, "--outlet", "ledger sample wire")] == [1, 2, 3]
    assert forecasts(ledger_cli, "--status", "open", "--source", "Kevin Hassett") == []


BAD_INPUTS = [
    (["show", "99"], "no forecast with id 99"),
    (["resolve", "99", "yes"], "no forecast with id 99"),
    (["add", "X happens", "-s", "A", "-P", "1.5", "-d", "2025-07-01"], "outside 0 to 1"),
    (["add", "X happens", "-s", "A", "-P", "150%", "-d", "2025-07-01"], "outside 0 to 1"),
    (["add", "X happens", "-s", "A", "-P", "flibbertigibbet", "-d", "2025-07-01"], "cannot read a probability"),
    (["add", "X happens", "-s", "A", "-P", "0.5", "-d", "2025-05-01", "--made-on", "2025-06-01"],
     "before the forecast was made"),
    (["add", "X happens", "-s", "A", "-P", "0.5", "-d", "whenever the moon is blue"], "no time frame"),
    (["add", "X\x00 happens", "-s", "A", "-P", "0.5"], "control character"),
    (["add", "x" * 10_001, "-s", "A", "-P", "0.5"], "longer than 10,000"),
    (["resolve", "1", "yes", "--on", "2025-06-09"], "after the deadline"),
    (["resolve", "1", "yes", "--on", "2025-05-01"], "before the forecast was made"),
    (["resolve", "3", "yes"], "already resolved"),
    (["resolve", "2", "no", "--correct"], "no resolution to correct"),
    (["resolve", "2", "no", "--reason", "ambiguous"], "only for void"),
    (["sources", "merge", "Nobody", "Kevin Hassett"], "no source named 'Nobody'"),
    (["sources", "merge", "Kevin Hassett", "Kevin Hassett"], "same source"),
    (["sources", "alias", "Kevin Hassett", "Karoline Leavitt"], "already names another source"),
    (["amend", "1", "--deadline", "2025-05-01", "--why", "oops"], "before the forecast was made"),
    (["amend", "1", "--why", "nothing"], "nothing to amend"),
    (["list", "--source", "Nobody"], "no source named"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[" ".join(a)[:40] for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_and_changes_nothing(ledger_cli: Cli, args: list[str], message: str) -> None:
    log_first_case(ledger_cli)
    ledger_cli.ok("resolve", "3", "yes", "--on", "2025-06-05")
    before = snapshot(ledger_cli.db)
    result = ledger_cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert snapshot(ledger_cli.db) == before


def test_usage_errors_exit_2(ledger_cli: Cli) -> None:
    assert ledger_cli("resolve", "1", "maybe").exit_code == 2
    assert ledger_cli("add", "no source given", "-P", "0.5").exit_code == 2
    assert ledger_cli("list", "-f", "yaml").exit_code == 2
