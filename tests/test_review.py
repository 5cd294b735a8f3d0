"""`ledger review`: sections by the rules, interactive walks, --check, period boundaries."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ledger import Ledger, NewForecast
from ledger.periods import parse_period
from tests.conftest import Cli


def scripted(db: str) -> None:
    """Forecasts over several weeks of June 2025 (weeks: W23 2-8, W24 9-15, W25 16-22)."""
    with Ledger(db, today=date(2025, 6, 30)) as book:
        def add(statement: str, source: str, deadline: str | None, made_on: date = date(2025, 5, 20),
                probability: str = "0.7") -> int:
            return book.add(NewForecast(statement=statement, source=source, probability=probability,
                                        deadline=deadline, made_on=made_on)).forecast["id"]

        add("overdue one", "Alice", "2025-05-30")                         # 1: before W24
        add("due in W24", "Alice", "2025-06-11")                          # 2
        add("due on Sunday of W24", "Bob", "2025-06-15")                  # 3: boundary
        add("due on Monday of W25", "Bob", "2025-06-16")                  # 4: next period
        add("undated", "Bob", "for the time being")                       # 5
        add("soft", "Alice", "in the coming days", made_on=date(2025, 6, 10))  # 6: provisional, 17 June
        resolved = add("resolved in W24", "Alice", "2025-06-20")          # 7
        book.resolve(resolved, "yes", on=date(2025, 6, 12))
        late = add("resolved after W24", "Bob", "2025-06-30")             # 8
        book.resolve(late, "no", on=date(2025, 6, 16))
        void = add("voided in W24", "Bob", "2025-06-30")                  # 9
        book.resolve(void, "void", reason="ambiguous", on=date(2025, 6, 9))


def sections(cli: Cli, period: str, today: str) -> dict:
    return json.loads(cli.ok("review", "-p", period, "-f", "json", today=today).stdout)


def ids(rows: list[dict]) -> list[int]:
    return sorted(r["id"] for r in rows)


def test_sections_follow_the_rules(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    week = sections(ledger_cli, "this week", "2025-06-12")  # Thursday of W24
    assert week["period"]["start"] == "2025-06-09" and week["period"]["end"] == "2025-06-15"
    assert ids(week["due"]) == [2, 3]
    assert ids(week["overdue"]) == [1]
    assert ids(week["undated"]) == [5, 6]
    assert ids(week["resolved"]) == [7, 9]
    assert ids(week["upcoming"]) == [4, 6]
    resolved = {r["id"]: r for r in week["resolved"]}
    assert resolved[7]["brier"] == pytest.approx(0.09) and resolved[9]["brier"] is None
    assert {"id", "statement", "source", "status", "outcome"} <= set(week["due"][0])


def test_other_weeks(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    w25 = sections(ledger_cli, "2025-W25", "2025-06-18")
    assert ids(w25["due"]) == [4, 6] and ids(w25["overdue"]) == [1, 2, 3]
    assert ids(w25["resolved"]) == [8] and ids(w25["upcoming"]) == []
    last = sections(ledger_cli, "last week", "2025-06-16")  # Monday of W25: last week is W24
    assert last["period"]["start"] == "2025-06-09"
    assert ids(last["due"]) == [2, 3]


def test_table_and_markdown_digest(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    markdown = ledger_cli.ok("review", "-f", "markdown", today="2025-06-12").stdout
    assert markdown.startswith("# Forecast review: this week (2025-06-09 to 2025-06-15)")
    assert "## Fell due in the period, unresolved (2)" in markdown
    assert "### Alice (1)" in markdown and "| id" in markdown
    assert "- Alice: 1 scored (1 yes, 0 no), Brier 0.090" in markdown
    empty = ledger_cli.ok("review", "-p", "2024-W01", "-f", "table", today="2025-06-12").stdout
    assert "Nothing fell due." in empty and "Nothing resolved." in empty


def test_check_exit_codes(ledger_cli: Cli) -> None:
    quiet = ledger_cli("review", "--check", "-p", "2024-W01", today="2024-01-03")
    assert quiet.exit_code == 0 and quiet.output == ""
    scripted(ledger_cli.db)
    loud = ledger_cli("review", "--check", today="2025-06-12")
    assert loud.exit_code == 3
    assert loud.stdout.strip() == "3 forecast(s) need resolving: 2 due this week, 1 overdue (run: ledger review --interactive)"


def test_interactive_session(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    # Walk order: overdue 1, then due 2 and 3. Answers:
    #   1: no, accept the default date (its deadline), evidence, no note
    #   2: skip
    #   3: new deadline, with a reason
    answers = "n\n\nno call happened\n\ns\nd\n2025-06-30\nthe source gave a new date\n"
    result = ledger_cli("review", "--interactive", input=answers, today="2025-06-12")
    assert result.exit_code == 0, result.output
    assert "[1/3] forecast 1: overdue one" in result.stdout
    detail = json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)
    assert (detail["outcome"], detail["resolved_on"]) == ("no", "2025-05-30")
    assert detail["resolutions"][0]["evidence"] == "no call happened"
    assert json.loads(ledger_cli.ok("show", "2", "-f", "json").stdout)["outcome"] is None
    amended = json.loads(ledger_cli.ok("show", "3", "-f", "json").stdout)
    assert amended["deadline"] == "2025-06-30"
    assert amended["revisions"][0]["why"] == "the source gave a new date"


def test_interactive_yes_defaults_and_void(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    answers = "y\n2025-05-29\n\n\nv\nambiguous\n\n\n\nq\n"
    result = ledger_cli("review", "--interactive", input=answers, today="2025-06-12")
    assert result.exit_code == 0, result.output
    assert json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)["outcome"] == "yes"
    second = json.loads(ledger_cli.ok("show", "2", "-f", "json").stdout)
    assert (second["outcome"], second["void_reason"]) == ("void", "ambiguous")
    assert json.loads(ledger_cli.ok("show", "3", "-f", "json").stdout)["outcome"] is None
    assert "stopped: 2 answer(s) recorded" in result.stdout


def test_a_yes_after_the_deadline_is_asked_again(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    answers = "y\n2025-06-05\n\n\ns\nq\n"  # 5 June is after forecast 1's deadline (30 May)
    result = ledger_cli("review", "--interactive", input=answers, today="2025-06-12")
    assert "not recorded:" in result.stdout and "after the deadline" in result.stdout
    assert json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)["outcome"] is None


def test_interrupted_session_keeps_what_was_answered(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    # Answer forecast 1, then the input ends in the middle of forecast 2's questions.
    result = ledger_cli("review", "--interactive", input="n\n\n\n\ny\n", today="2025-06-12")
    assert result.exit_code == 1  # aborted
    assert json.loads(ledger_cli.ok("show", "1", "-f", "json").stdout)["outcome"] == "no"
    second = json.loads(ledger_cli.ok("show", "2", "-f", "json").stdout)
    assert second["outcome"] is None and second["resolutions"] == []


def test_resolved_meanwhile_is_not_resolved_twice(ledger_cli: Cli) -> None:
    scripted(ledger_cli.db)
    from ledger.cli.walk import walk

    class State:
        def __init__(self, book: Ledger) -> None:
            self.ledger = book

    with Ledger(ledger_cli.db, today=date(2025, 6, 12)) as book:
        with book.reviewing(parse_period("this week", date(2025, 6, 12))) as review:
            rows = review.needs_resolving()
        with Ledger(ledger_cli.db, today=date(2025, 6, 12), user="someone else") as other:
            other.resolve(rows[0]["id"], "no")
        from click.testing import CliRunner

        runner = CliRunner()
        import click

        @click.command()
        def run() -> None:
            walk(State(book), rows)

        result = runner.invoke(run, input="s\nq\n")
    assert "resolved no meanwhile by someone else: skipped" in result.output
    detail = json.loads(ledger_cli.ok("show", str(rows[0]["id"]), "-f", "json").stdout)
    assert len(detail["resolutions"]) == 1


@pytest.mark.parametrize(("text", "today", "start", "end"), [
    ("this week", date(2025, 6, 8), date(2025, 6, 2), date(2025, 6, 9)),    # Sunday
    ("this week", date(2025, 6, 9), date(2025, 6, 9), date(2025, 6, 16)),   # Monday
    ("this week", date(2025, 12, 31), date(2025, 12, 29), date(2026, 1, 5)),  # year end
    ("2026-W01", date(2025, 6, 1), date(2025, 12, 29), date(2026, 1, 5)),   # ISO week 1
    ("2020-W53", date(2025, 6, 1), date(2020, 12, 28), date(2021, 1, 4)),
    ("last week", date(2026, 1, 1), date(2025, 12, 22), date(2025, 12, 29)),
    ("2025Q2", date(2025, 6, 1), date(2025, 4, 1), date(2025, 7, 1)),
    ("from 2025-06-01 to 2025-06-15", date(2025, 6, 1), date(2025, 6, 1), date(2025, 6, 15)),
    ("last month", date(2025, 1, 15), date(2024, 12, 1), date(2025, 1, 1)),
])
def test_period_boundaries(text: str, today: date, start: date, end: date) -> None:
    period = parse_period(text, today)
    assert (period.start, period.end) == (start, end)


def test_next_period_follows_calendar_months() -> None:
    period = parse_period("2025-01", date(2025, 6, 1)).next()
    assert (period.start, period.end) == (date(2025, 2, 1), date(2025, 3, 1))


def test_review_year_end_boundary(ledger_cli: Cli) -> None:
    with Ledger(ledger_cli.db, today=date(2025, 12, 1)) as book:
        for day in ("2025-12-28", "2025-12-29", "2026-01-04", "2026-01-05"):
            book.add(NewForecast(statement=f"due {day}", source="Carol", probability="0.5",
                                 deadline=day, made_on=date(2025, 12, 1)))
    week = sections(ledger_cli, "this week", "2025-12-31")
    assert [r["deadline"] for r in week["due"]] == ["2025-12-29", "2026-01-04"]
    assert [r["deadline"] for r in week["overdue"]] == ["2025-12-28"]
    assert [r["deadline"] for r in week["upcoming"]] == ["2026-01-05"]


def test_json_is_streamed_as_one_object_equal_to_the_sections(ledger_cli: Cli) -> None:
    from ledger.cli.review import _json_lines
    from ledger.render import to_json

    scripted(ledger_cli.db)
    period = parse_period("this week", date(2025, 6, 12))
    with Ledger(ledger_cli.db, today=date(2025, 6, 12)) as book, book.reviewing(period) as review:
        streamed = "\n".join(_json_lines(review))
        whole = {"period": {"start": period.start, "end": date(2025, 6, 15), "end_exclusive": period.end,
                            "text": period.text},
                 **review.sections(), "resolved_by_source": review.resolved_by_source()}
    assert streamed == to_json(whole)
    assert json.loads(streamed)["resolved_by_source"] == [
        {"source": "Alice", "n": 1, "yes": 1, "no": 0, "brier": pytest.approx(0.09)}]


def test_sections_are_grouped_by_source_ignoring_case_undated_last(ledger_cli: Cli) -> None:
    with Ledger(ledger_cli.db, today=date(2025, 6, 1)) as book:
        for source, deadline in [("Zed", "2025-06-11"), ("adam", "2025-06-12"), ("Bob", None),
                                 ("adam", None), ("Bob", "2025-06-10"), ("adam", "2025-06-10")]:
            book.add(NewForecast(statement=f"{source} {deadline}", source=source, probability="0.6",
                                 deadline=deadline, made_on=date(2025, 6, 1)))
    week = sections(ledger_cli, "this week", "2025-06-12")
    assert [(r["source"], r["deadline"]) for r in week["due"]] == [
        ("adam", "2025-06-10"), ("adam", "2025-06-12"), ("Bob", "2025-06-10"), ("Zed", "2025-06-11")]
    assert [r["source"] for r in week["undated"]] == ["adam", "Bob"]
    table = ledger_cli.ok("review", today="2025-06-12").stdout
    assert table.index("adam (2)") < table.index("Bob (1)") < table.index("Zed (1)")


def test_a_review_reads_one_snapshot(ledger_cli: Cli) -> None:
    """Counts and rows agree even when someone adds a forecast in the middle of a review."""
    scripted(ledger_cli.db)
    period = parse_period("this week", date(2025, 6, 12))
    with Ledger(ledger_cli.db, today=date(2025, 6, 12)) as book, book.reviewing(period) as review:
        counted = review.count("due")
        with Ledger(ledger_cli.db, today=date(2025, 6, 12), user="colleague") as other:
            other.add(NewForecast(statement="added meanwhile", source="Carol", probability="0.5",
                                  deadline="2025-06-13", made_on=date(2025, 6, 1)))
        assert len(list(review.rows("due"))) == counted == 2
    assert len(sections(ledger_cli, "this week", "2025-06-12")["due"]) == 3


def test_streamed_rows_keep_their_tags_across_chunks(ledger_cli: Cli) -> None:
    from ledger import views

    with Ledger(ledger_cli.db, today=date(2025, 6, 1)) as book:
        for index in range(7):
            book.add(NewForecast(statement=f"tagged {index}", source="Alice", probability="0.5",
                                 deadline="2025-06-20", made_on=date(2025, 6, 1),
                                 tags=[f"t{index}", "all"] if index % 3 else []))
        with book.store.session() as session:
            query = views.forecast_select(date(2025, 6, 1), views.Filters())
            chunked = list(views.stream_forecast_rows(session, query, chunk=2))
    assert [r["tags"] for r in chunked] == [
        [], ["all", "t1"], ["all", "t2"], [], ["all", "t4"], ["all", "t5"], []]
