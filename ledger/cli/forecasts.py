"""Commands on forecasts: add, list, show, resolve, amend, history."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import DATE, format_option, note, out, pass_state
from ledger.vocabulary import SOURCE_KINDS, STATUSES, VOID_REASONS

LIST_COLUMNS = ("id", "source", "statement", "probability", "phrase", "deadline", "status", "outcome")
WIDTHS = {"statement": 48, "source": 24}


def _forecast_keys() -> tuple[str, ...]:
    from ledger.views import EXTRA_KEYS, FORECAST_KEYS

    return FORECAST_KEYS + EXTRA_KEYS


@click.command(epilog="""\b
Examples:
  ledger add "Trump and Xi hold a phone call" -s "Karoline Leavitt" \\
      --role "White House Press Secretary" -P "likely to talk this week" \\
      -d "this week" --published 2025-06-02 --outlet Politico \\
      --quote "likely to talk this week" -t trade -t china
  ledger add "The Fed cuts rates in September" -s "Jane Doe" -P 70% -d 2025-09-30
  ledger add "Brent tops $100" -s "Oil desk" -P "3 to 1 against" -d "by the end of June"
""")
@click.argument("statement")
@click.option("-s", "--source", required=True, help="Who made the forecast (name or alias).")
@click.option("--source-kind", type=click.Choice(SOURCE_KINDS), help="For a new source (default person).")
@click.option("--role", help="The source's role, e.g. 'White House Press Secretary'.")
@click.option("-P", "--probability", required=True,
              help="A number (0.7, 70%, 7 in 10, 3:1) or words ('likely', 'high probability').")
@click.option("--scale", help="Scale for probability words (default: LEDGER_SCALE or 'default').")
@click.option("-d", "--deadline", "deadline",
              help="A date or words relative to --made-on ('this week', 'within 90 days'). "
                   "Omit for an undated forecast.")
@click.option("--made-on", type=DATE, help="Day the forecast was made (default --published, else today).")
@click.option("--url", help="Article URL.")
@click.option("--outlet", help="Outlet that reported it.")
@click.option("--title", help="Article title.")
@click.option("--published", type=DATE, help="Article publication date.")
@click.option("--quote", help="The words quoted in the article.")
@click.option("--criteria", help="What will count as borne out.")
@click.option("-t", "--tag", "tags", multiple=True, help="A topic word (repeatable).")
@format_option()
@pass_state
def add(state: Any, statement: str, source: str, source_kind: str | None, role: str | None,
        probability: str, scale: str | None, deadline: str | None, made_on: Any, url: str | None,
        outlet: str | None, title: str | None, published: Any, quote: str | None,
        criteria: str | None, tags: tuple[str, ...], fmt: str) -> None:
    """Log a forecast (or add a citation to one already logged).

    The same source making the same statement with the same deadline is one
    forecast: logging it again from another article adds a citation.
    """
    from ledger.book import NewForecast
    from ledger.render import render_record

    logged = state.ledger.add(NewForecast(
        statement=statement, source=source, probability=probability, deadline=deadline,
        source_kind=source_kind, role=role, scale=scale, made_on=made_on, url=url,
        outlet=outlet, title=title, published=published, quote=quote, criteria=criteria,
        tags=list(tags)))
    row = logged.forecast
    for line in logged.notes:
        note(f"note: {line}")
    if fmt == "table":
        verb = "logged forecast" if logged.created else "forecast"
        out(f"{verb} {row['id']}: {row['statement']}")
        out(f"  source       {row['source']} ({row['source_kind']})")
        out(f"  probability  {logged.probability.describe()}")
        deadline_text = logged.deadline.describe() if logged.deadline else "none (undated)"
        out(f"  deadline     {deadline_text}")
        out(f"  made on      {row['made_on']}")
        return
    row = {**row, "created": logged.created, "cited": logged.cited}
    out(render_record(row, fmt, list(_forecast_keys()) + ["created", "cited"]))


@click.command("list", epilog="""\b
Examples:
  ledger list --status due
  ledger list --source "Karoline Leavitt" -f json
  ledger list --tag china --outlet Politico -f csv > china.csv
""")
@click.option("--status", type=click.Choice(STATUSES),
              default="all", show_default=True,
              help="open: deadline ahead; due: deadline passed, unresolved; undated; resolved; void.")
@click.option("--source", help="Only this source (name or alias).")
@click.option("--tag", help="Only forecasts with this tag.")
@click.option("--outlet", help="Only forecasts cited from this outlet.")
@format_option()
@pass_state
def list_forecasts(state: Any, status: str, source: str | None, tag: str | None,
                   outlet: str | None, fmt: str) -> None:
    """List forecasts with their derived status."""
    from ledger.render import render_rows

    narrow = fmt in ("table", "markdown")  # these show LIST_COLUMNS only: fetch no more
    rows = state.ledger.list(status=status, source=source, tag=tag, outlet=outlet,
                             keys=LIST_COLUMNS if narrow else None)
    out(render_rows(rows, fmt, columns=_forecast_keys(), table_columns=LIST_COLUMNS,
                    widths=WIDTHS, empty="no forecasts match"))


@click.command(epilog="""\b
Examples:
  ledger show 1
  ledger show 1 -f json | jq .resolutions
""")
@click.argument("forecast_id", type=int)
@format_option()
@pass_state
def show(state: Any, forecast_id: int, fmt: str) -> None:
    """Show one forecast with its citations, resolutions and revisions."""
    from ledger.render import render_record, render_rows

    detail = state.ledger.show(forecast_id)
    if fmt in {"json", "jsonl"}:
        out(render_record(detail, fmt, list(_forecast_keys()) + ["citations", "resolutions", "revisions"]))
        return
    out(render_record(detail, fmt, _forecast_keys()))
    for section in ("citations", "resolutions", "revisions"):
        out(f"\n{section}:" if fmt == "table" else f"\n## {section}\n" if fmt == "markdown" else "")
        out(render_rows(detail[section], fmt, empty=f"no {section}"))


@click.command(epilog="""\b
Examples:
  ledger resolve 1 yes --on 2025-06-05 --evidence "https://example.org/readout"
  ledger resolve 2 no
  ledger resolve 3 void --reason ambiguous --note "no readout from either side"
  ledger resolve 1 no --correct --note "the call was postponed after all"
""")
@click.argument("forecast_id", type=int)
@click.argument("outcome", type=click.Choice(("yes", "no", "void")))
@click.option("--reason", type=click.Choice(VOID_REASONS), help="Why void (required with void).")
@click.option("--on", "on", type=DATE,
              help="When it happened or became known (default: today for yes, never after the "
                   "deadline; the deadline for no once it has passed).")
@click.option("--evidence", help="A URL or text showing the outcome.")
@click.option("--note", "note_text", help="A remark kept with the resolution.")
@click.option("--by", help="Who records it (default: LEDGER_USER or your OS user).")
@click.option("--correct", is_flag=True, help="Supersede an existing resolution (the old one stays in history).")
@format_option()
@pass_state
def resolve(state: Any, forecast_id: int, outcome: str, reason: str | None, on: Any,
            evidence: str | None, note_text: str | None, by: str | None, correct: bool,
            fmt: str) -> None:
    """Resolve a forecast as yes (borne out), no (not borne out) or void."""
    from ledger.render import render_record

    row = state.ledger.resolve(forecast_id, outcome, reason=reason, on=on, evidence=evidence,
                               note=note_text, by=by, correct=correct)
    if fmt == "table":
        verb = "corrected" if correct else "resolved"
        extra = f" ({row['void_reason']})" if row["void_reason"] else ""
        out(f"{verb} forecast {forecast_id}: {row['outcome']}{extra} on {row['resolved_on']}")
        return
    out(render_record(row, fmt, _forecast_keys()))


@click.command(epilog="""\b
Examples:
  ledger amend 4 --deadline 2025-07-31 --why "the article gave the date later"
  ledger amend 4 --probability "very likely" --why "misread the quote"
  ledger amend 4 --statement "Trump and Xi speak by phone" --why "typo"
""")
@click.argument("forecast_id", type=int)
@click.option("--statement", help="New statement.")
@click.option("--probability", help="New probability (number or words).")
@click.option("--scale", help="Re-read the stored words under this scale.")
@click.option("--deadline", help="New deadline (date or words, relative to made_on).")
@click.option("--made-on", help="New date the forecast was made (YYYY-MM-DD).")
@click.option("--criteria", help="New resolution criteria.")
@click.option("--why", required=True, help="Why the change is made (kept in history).")
@click.option("--by", help="Who makes it (default: LEDGER_USER or your OS user).")
@format_option()
@pass_state
def amend(state: Any, forecast_id: int, statement: str | None, probability: str | None,
          scale: str | None, deadline: str | None, made_on: str | None, criteria: str | None,
          why: str, by: str | None, fmt: str) -> None:
    """Correct a forecast's fields; every change is kept as a revision."""
    from ledger.render import render_record

    changes = {name: value for name, value in (
        ("statement", statement), ("probability", probability), ("deadline", deadline),
        ("made_on", made_on), ("criteria", criteria)) if value is not None}
    row = state.ledger.amend(forecast_id, changes, why=why, who=by, scale=scale)
    if row["deadline"] is None and "deadline" in changes:
        note(f"note: {changes['deadline']!r} gives no date: the forecast is undated")
    if fmt == "table":
        out(f"amended forecast {forecast_id}: {', '.join(changes) or 'scale'}")
        return
    out(render_record(row, fmt, _forecast_keys()))


@click.command(epilog="""\b
Examples:
  ledger history 1
  ledger history 1 -f markdown
""")
@click.argument("forecast_id", type=int)
@format_option()
@pass_state
def history(state: Any, forecast_id: int, fmt: str) -> None:
    """Everything that happened to a forecast, oldest first."""
    from ledger.render import render_rows

    events = state.ledger.history(forecast_id)
    out(render_rows(events, fmt, columns=["at", "event", "who", "detail"]))
