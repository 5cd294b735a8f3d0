"""`ledger review`: the weekly digest, an interactive walk, and a check for cron."""

from __future__ import annotations

import sys
from typing import Any

import click

from ledger.cli.common import out, pass_state

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


def _render_text(review: Any, fmt: str) -> str:
    from ledger.render import render_rows

    period = review.period
    lines: list[str] = []
    heading = "#" if fmt == "markdown" else ""
    lines.append(f"{heading} Forecast review: {period.text} ({period.label()})".strip())
    for section in ("due", "overdue", "undated", "resolved", "upcoming"):
        rows = review.sections[section]
        lines.append("")
        title = f"{TITLES[section]} ({len(rows)})"
        lines.append(f"## {title}" if fmt == "markdown" else f"{title}\n{'=' * len(title)}")
        if not rows:
            lines.append(EMPTY[section])
            continue
        sources: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            sources.setdefault(row["source"], []).append(row)
        for source, mine in sources.items():
            lines.append("")
            lines.append(f"### {source} ({len(mine)})" if fmt == "markdown" else f"{source} ({len(mine)})")
            if fmt == "markdown":
                lines.append("")
            lines.append(render_rows(mine, fmt, columns=COLUMNS[section], widths=WIDTHS))
        if section == "resolved" and review.resolved_by_source:
            lines.append("")
            lines.append("Per source this period:")
            for entry in review.resolved_by_source:
                lines.append(f"- {entry['source']}: {entry['n']} scored ({entry['yes']} yes, "
                             f"{entry['no']} no), Brier {entry['brier']:.3f}")
    return "\n".join(lines)


def _as_json(review: Any) -> str:
    from ledger.render import to_json

    last = review.period.label().split(" to ")[-1]
    data: dict[str, Any] = {"period": {"start": review.period.start, "end": last,
                                       "end_exclusive": review.period.end, "text": review.period.text}}
    data.update(review.sections)
    data["resolved_by_source"] = review.resolved_by_source
    return to_json(data)


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
    result = state.ledger.review(chosen)
    if check:
        due, overdue = len(result.sections["due"]), len(result.sections["overdue"])
        if due or overdue:
            out(f"{due + overdue} forecast(s) need resolving: {due} due {chosen.text}, "
                f"{overdue} overdue (run: ledger review --interactive)")
            sys.exit(3)
        return
    if interactive:
        from ledger.cli.walk import walk

        walk(state, result.needs_resolving())
        return
    out(_as_json(result) if fmt == "json" else _render_text(result, fmt))

