"""Accuracy reports and calibration tables."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import DATE, format_option, note, out, pass_state

GROUPINGS = ("source", "outlet", "tag", "phrase", "kind", "scale")
TABLE_COLUMNS = ("rank", "group", "n", "yes", "brier", "brier_95", "log_loss", "skill_vs_half",
                 "skill_vs_base_rate", "mean_probability", "base_rate")


def period_options(func: Any) -> Any:
    func = click.option("-e", "--end", type=DATE, help="End of the period (exclusive).")(func)
    func = click.option("-b", "--begin", type=DATE, help="Start of the period (inclusive).")(func)
    return click.option("-p", "--period", metavar="EXPR",
                        help="A period: 'this week', 'last month', '2025', '2025Q2', '2025-W23', "
                             "'from 2025-01-01 to 2025-07-01' (end exclusive).")(func)


def _period(state: Any, period: str | None, begin: Any, end: Any) -> Any:
    from ledger.periods import period_from_options

    return period_from_options(period, begin, end, state.effective_today)


def _rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = []
    for row in rows:
        view = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
        if row.get("brier_low") is not None:
            view["brier_95"] = f"{row['brier_low']:.3f}-{row['brier_high']:.3f}"
        shown.append(view)
    return shown


@click.command(epilog="""\b
Examples:
  ledger report
  ledger report --by outlet -p 2025 --min-n 10
  ledger report --scale icd203 --sort skill -f json
  ledger report --as-of 2025-06-30 -f markdown
""")
@click.option("--by", type=click.Choice(GROUPINGS), default="source", show_default=True,
              help="What to group forecasts by.")
@period_options
@click.option("--as-of", type=DATE, help="Count only what was known by the end of this day.")
@click.option("--scale", help="Re-read stored probability words under this scale (numbers stay numbers).")
@click.option("--min-n", type=click.IntRange(min=0), default=5, show_default=True,
              help="Groups with fewer resolved forecasts are listed apart, not ranked.")
@click.option("--sort", type=click.Choice(("brier", "skill", "n", "name")), default="brier",
              show_default=True, help="Order of the ranked groups.")
@click.option("--clip", type=float, default=0.001, show_default=True,
              help="Log loss clips probabilities to [clip, 1 - clip].")
@format_option()
@pass_state
def report(state: Any, by: str, period: str | None, begin: Any, end: Any, as_of: Any,
           scale: str | None, min_n: int, sort: str, clip: float, fmt: str) -> None:
    """Accuracy per source (or outlet, tag, phrase, kind, scale): Brier, log loss, skill.

    Each row has n and a 95% interval for its Brier score. Void and unresolved
    forecasts are left out; a forecast cited by many articles counts once; the
    last row, '(all)', is the pool.
    """
    from ledger.render import render_rows
    from ledger.reports import REPORT_KEYS

    chosen = _period(state, period, begin, end)
    rows = state.ledger.report(by=by, period=chosen, as_of=as_of, scale=scale, min_n=min_n,
                               sort=sort, clip=clip)
    pool = rows[-1]
    note(f"report by {by}: {pool['n']} resolved forecast(s), period {chosen.label()}"
         + (f", as of {as_of}" if as_of else "") + (f", scale {scale}" if scale else ""))
    unranked = sum(1 for r in rows[:-1] if not r["ranked"])
    if unranked:
        note(f"{unranked} group(s) with fewer than {min_n} resolved forecasts are listed after "
             "the ranking, unranked")
    if fmt == "table" or fmt == "markdown":
        out(render_rows(_rounded(rows), fmt, columns=TABLE_COLUMNS, empty="nothing resolved yet"))
        return
    out(render_rows(rows, fmt, columns=list(REPORT_KEYS) + ["rank"]))


@click.command(epilog="""\b
Examples:
  ledger calibration
  ledger calibration --source "Karoline Leavitt" --by phrase
  ledger calibration --source "Nate Silver" --source "Sam Wang" --bins 5 --plot cal.png
""")
@click.option("--source", "sources", multiple=True, help="One row set per source (repeatable); default: the pool.")
@click.option("--by", type=click.Choice(("bins", "phrase")), default="bins", show_default=True,
              help="Fixed probability bins, or one row per phrase ('what does this source mean by likely?').")
@click.option("--bins", type=click.IntRange(1, 100), default=10, show_default=True, help="Number of equal-width bins.")
@period_options
@click.option("--as-of", type=DATE, help="Count only what was known by the end of this day.")
@click.option("--scale", help="Re-read stored probability words under this scale.")
@click.option("--plot", metavar="FILE", help="Also draw the chart to FILE.png or FILE.svg (needs matplotlib).")
@format_option()
@pass_state
def calibration(state: Any, sources: tuple[str, ...], by: str, bins: int, period: str | None,
                begin: Any, end: Any, as_of: Any, scale: str | None, plot: str | None, fmt: str) -> None:
    """Stated probability against how often it happened, with 95% Wilson intervals."""
    from ledger.render import render_rows

    rows = state.ledger.calibration(sources=sources, by=by, bins=bins,
                                    period=_period(state, period, begin, end), as_of=as_of, scale=scale)
    if plot:
        from ledger.plot import calibration_chart

        title = "Calibration" + (f": {', '.join(sources)}" if sources else "")
        note(f"chart written to {calibration_chart(rows, plot, title)}")
    shown = _rounded(rows) if fmt in {"table", "markdown"} else rows
    out(render_rows(shown, fmt, empty="nothing resolved yet"))
