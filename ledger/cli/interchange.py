"""`ledger import` and `ledger export`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from ledger.cli.common import note, out, pass_state
from ledger.vocabulary import STATUSES


@click.command("export", epilog="""\b
Examples:
  ledger export -o backup.jsonl
  ledger export -f csv --source "Karoline Leavitt" > leavitt.csv
  ledger export -f json --status resolved --tag us-china
""")
@click.option("-f", "--format", "fmt", type=click.Choice(("csv", "jsonl", "json")), default="jsonl",
              show_default=True, help="csv: one row per forecast; jsonl/json: the whole record, lossless.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE (atomically) instead of standard output.")
@click.option("--status", type=click.Choice(STATUSES),
              default="all", show_default=True, help="Only forecasts with this status.")
@click.option("--source", help="Only this source (name or alias).")
@click.option("--tag", help="Only forecasts with this tag.")
@click.option("--outlet", help="Only forecasts cited from this outlet.")
@pass_state
def export_command(state: Any, fmt: str, output: str | None, status: str, source: str | None,
                   tag: str | None, outlet: str | None) -> None:
    """Export forecasts in the ledger's interchange format (docs/formats.md)."""
    options = {"status": status, "source": source, "tag": tag, "outlet": outlet}
    if output is None:
        count = state.ledger.export(sys.stdout, fmt, **options)
        note(f"exported {count} forecast(s)")
        return
    from ledger.errors import LedgerError

    target = Path(output)
    try:
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", delete=False,
                                             dir=target.parent if str(target.parent) else ".",
                                             prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:  # no such directory, not writable, disk full …
        raise LedgerError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with handle:
            count = state.ledger.export(handle, fmt, **options)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    note(f"exported {count} forecast(s) to {target}")


@click.command("import", epilog="""\b
Examples:
  ledger import forecasts.csv --dry-run
  ledger import backup.jsonl
  ledger import fatebook-forecasts.csv --from fatebook --source "Ana Ruiz"
  ledger export | ledger --db team.db import -
  ledger import election2016.csv --from wide --outcome-column dem_win \\
      --statement "Democratic candidate wins {state}" --made-on 2016-11-07 --deadline 2016-11-08
""")
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--from", "forced", type=click.Choice(("ledger", "fatebook", "predictionbook", "wide")),
              help="The file's layout (default: guessed from its header). wide: one row per question, "
                   "one column of probabilities per forecaster.")
@click.option("--dry-run", is_flag=True, help="Check every row and report what would be added; write nothing.")
@click.option("--source", help="Source for rows that name none (other trackers' own forecasts; "
                                "default: your OS user).")
@click.option("--outcome-column", metavar="NAME", help="wide: the column of outcomes (1/0, yes/no).")
@click.option("--statement", "statement_template", metavar="TEMPLATE",
              help="wide: the statement, with {column} placeholders (default: the first column).")
@click.option("--made-on", metavar="DATE", help="wide: the day the forecasts were made.")
@click.option("--deadline", metavar="WHEN", help="wide: the deadline (date or words).")
@click.option("--forecaster", "forecasters", multiple=True, metavar="COLUMN",
              help="wide: a forecaster column (repeatable; default: every column of probabilities).")
@pass_state
def import_command(state: Any, file: str, forced: str | None, dry_run: bool, source: str | None,
                   outcome_column: str | None, statement_template: str | None, made_on: str | None,
                   deadline: str | None, forecasters: tuple[str, ...]) -> None:
    """Import forecasts from a file, all or nothing (docs/formats.md).

    Every row is checked first; one bad row means nothing is imported, and every
    problem is listed with its line and column. Importing the same file twice adds
    nothing the second time. A plain CSV into a ledger with no forecasts yet (SQLite)
    is loaded in bulk, several times faster, with the same result.
    """
    from ledger.errors import LedgerError
    from ledger.interchange.importer import spool_stdin
    from ledger.interchange.records import ImportProblems

    path = spool_stdin() if file == "-" else Path(file)
    if file != "-" and not path.is_file():
        raise LedgerError(f"no such file: {file}")
    from ledger.interchange.readers import WideLayout

    wide = (outcome_column, statement_template, made_on, deadline) != (None,) * 4 or forecasters
    if wide and forced != "wide":
        raise click.UsageError("--outcome-column, --statement, --made-on, --deadline and "
                               "--forecaster go with --from wide")
    layout = WideLayout(outcome_column, statement_template, made_on, deadline, forecasters)
    bar = _Progress() if sys.stderr.isatty() else None
    try:
        summary = state.ledger.import_file(path, forced=forced, source=source, dry_run=dry_run,
                                           progress=bar.advance if bar else None, layout=layout,
                                           name="standard input" if file == "-" else None)
    except ImportProblems as exc:
        for line in exc.problems.lines():
            note(f"  {line}")
        raise
    finally:
        if bar:
            bar.close()
        if file == "-":
            path.unlink(missing_ok=True)
    verb = "would add" if summary.dry_run else "added"
    out(f"{'dry run: ' if summary.dry_run else ''}{summary.rows} row(s) read ({summary.tracker}): "
        f"{verb} {summary.added} forecast(s), {summary.cited} citation(s), {summary.resolved} "
        f"resolution(s), {summary.sources_added} new source(s); {summary.unchanged} already in the ledger")


class _Progress:
    """A progress bar on a terminal (never when piped)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def advance(self, step: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="importing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
