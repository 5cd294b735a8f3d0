"""`ledger review`: the weekly digest, an interactive walk, and a check for cron."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Any

import click

from ledger.cli.common import out, out_lines, pass_state

TITLES = {
    "due": "Fell due in the period, unresolved",
    "overdue": "Overdue from before the period",
    "undated": "Undated or provisional: needs a date",
    "resolved": "Resolved during the period",
    "upcoming": "Coming due in the next period",
}
EMPTY = {"due": "Nothing fell due.", "overdue": "Nothing overdue.",
         "undated": "Nothing needs a date.", "resolved": "Nothing resolved.",
         "upcoming": "Nothing comes due next period."}
COLUMNS = {
    "due": ("id", "statement", "probability", "deadline", "status"),
    "overdue": ("id", "statement", "probability", "deadline"),
    "undated": ("id", "statement", "probability", "deadline", "deadline_phrase"),
    "resolved": ("id", "statement", "probability", "outcome", "resolved_on", "brier"),
    "upcoming": ("id", "statement", "probability", "deadline"),
}
WIDTHS = {"statement": 60}


def _text_lines(review: Any, fmt: str) -> Iterator[str]:
    """The digest as table or markdown, a source's table at a time (each spooled, so a
    source with a hundred thousand overdue forecasts costs no more memory than one)."""
    from ledger.render import SpooledTable
    from ledger.review import SECTIONS

    period = review.period
    heading = "#" if fmt == "markdown" else ""
    yield f"{heading} Forecast review: {period.text} ({period.label()})".strip()
    for section in SECTIONS:
        count, rows = review.section(section)
        yield ""
        title = f"{TITLES[section]} ({count})"
        yield f"## {title}" if fmt == "markdown" else f"{title}\n{'=' * len(title)}"
        if not count:
            yield EMPTY[section]
            continue
        for source, mine in groupby(rows, key=itemgetter("source")):
            table = SpooledTable(COLUMNS[section], fmt, widths=WIDTHS)
            for row in mine:
                table.add(row)
            yield ""
            yield f"### {source} ({table.count})" if fmt == "markdown" else f"{source} ({table.count})"
            if fmt == "markdown":
                yield ""
            yield from table.lines()
        summary = review.resolved_by_source() if section == "resolved" else []
        if summary:
            yield ""
            yield "Per source this period:"
            for entry in summary:
                yield (f"- {entry['source']}: {entry['n']} scored ({entry['yes']} yes, "
                       f"{entry['no']} no), Brier {entry['brier']:.3f}")


def _json_lines(review: Any) -> Iterator[str]:
    """The digest as one JSON object, its sections streamed (see docs/review.md)."""
    from ledger.render import json_object_lines
    from ledger.review import SECTIONS

    period = review.period
    last = period.label().split(" to ")[-1]
    fields: list[tuple[str, Any]] = [
        ("period", {"start": period.start, "end": last, "end_exclusive": period.end, "text": period.text})]
    # each list is queried only when the writer reaches it, so one cursor is open at a time
    fields += [(section, _when_reached(partial(review.rows, section))) for section in SECTIONS]
    fields.append(("resolved_by_source", _when_reached(review.resolved_by_source)))
    yield from json_object_lines(fields)


def _when_reached(make: Callable[[], Iterable[Any]]) -> Iterator[Any]:
    yield from make()


@click.command(epilog="""\b
Examples:
  ledger review
  ledger review -p "last week" -f markdown | mail -s "Forecast review" desk@example.org
  ledger review -p 2025-W23 -f json
  ledger review --interactive
  ledger review --check || echo "forecasts need resolving"
""")
@click.option("-p", "--period", default="this week", show_default=True, metavar="EXPR",
              help="The period: 'this week', 'last week', '2025-W23', 'from 2025-06-01 to 2025-06-15'.")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "markdown", "json")), default="table",
              show_default=True, help="Output format.")
@click.option("--interactive", is_flag=True, help="Walk the due and overdue forecasts and resolve them.")
@click.option("--check", is_flag=True, help="Print nothing and exit 0 when nothing needs resolving; "
                                             "else one line and exit 3.")
@pass_state
def review(state: Any, period: str, fmt: str, interactive: bool, check: bool) -> None:
    """The weekly review: due, overdue, undated, resolved and upcoming forecasts."""
    from ledger.periods import parse_period

    if interactive and check:
        raise click.UsageError("--interactive and --check do not go together")
    chosen = parse_period(period, state.effective_today)
    with state.ledger.reviewing(chosen) as result:
        if check:
            due, overdue = result.count("due"), result.count("overdue")
        elif interactive:
            pending = result.needs_resolving()
        else:
            out_lines(_json_lines(result) if fmt == "json" else _text_lines(result, fmt))
            return
    if check:
        if due or overdue:
            out(f"{due + overdue} forecast(s) need resolving: {due} due {chosen.text}, "
                f"{overdue} overdue (run: ledger review --interactive)")
            sys.exit(3)
        return
    from ledger.cli.walk import walk

    walk(state, pending)
