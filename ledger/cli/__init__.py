"""The `ledger` command line: a thin click layer over ledger.book.

Subcommands are loaded lazily and import the database stack only when they run, so
`ledger --help` starts in a fraction of the time an import of SQLAlchemy takes.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from ledger import __version__
from ledger.cli.common import DATE, LedgerContext, UserError
from ledger.errors import LedgerError

COMMANDS = {
    "add": "ledger.cli.forecasts:add",
    "list": "ledger.cli.forecasts:list_forecasts",
    "show": "ledger.cli.forecasts:show",
    "resolve": "ledger.cli.forecasts:resolve",
    "amend": "ledger.cli.forecasts:amend",
    "history": "ledger.cli.forecasts:history",
    "sources": "ledger.cli.sources:sources",
    "scales": "ledger.cli.language:scales",
    "parse-deadline": "ledger.cli.language:parse_deadline_command",
    "review": "ledger.cli.review:review",
    "report": "ledger.cli.reports:report",
    "calibration": "ledger.cli.reports:calibration",
    "extract": "ledger.cli.extract:extract",
    "import": "ledger.cli.interchange:import_command",
    "export": "ledger.cli.interchange:export_command",
    "verify": "ledger.cli.verify:verify",
    "db": "ledger.cli.db:db",
}


# Each command's summary (its help's first sentence), so that `ledger --help` lists the
# commands without importing them; tests/test_startup.py checks each against the command.
SUMMARIES = {
    "add": "Log a forecast (or add a citation to one already logged).",
    "list": "List forecasts with their derived status.",
    "show": "Show one forecast with its citations, resolutions and revisions.",
    "resolve": "Resolve a forecast as yes (borne out), no (not borne out) or void.",
    "amend": "Correct a forecast's fields; every change is kept as a revision.",
    "history": "Everything that happened to a forecast, oldest first.",
    "sources": "List sources with their aliases and forecast counts.",
    "scales": "List the probability scales (phrase tables) available.",
    "parse-deadline": "Preview how deadline WORDS are read, without logging anything.",
    "review": "The weekly review: due, overdue, undated, resolved and upcoming forecasts.",
    "report": "Accuracy per source (or outlet, tag, phrase, kind, scale): Brier, log loss, skill.",
    "calibration": "Stated probability against how often it happened, with 95% Wilson intervals.",
    "extract": "Find the forecasts in an article and draft ledger entries.",
    "import": "Import forecasts from a file, all or nothing (docs/formats.md).",
    "export": "Export forecasts in the ledger's interchange format (docs/formats.md).",
    "verify": "Recompute the journal's hash chain and check the tables against it (exit 1 if broken).",
    "db": "Where the ledger lives, its schema and its size.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; its own help lists them
    from their summaries, importing none."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None,
                 summaries: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}
        self.summaries = summaries or {}
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if self._listing and name in self.summaries:  # a stand-in, for the listing only
            return click.Command(name, help=self.summaries[name])
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LedgerError as exc:
            raise UserError(str(exc)) from None
        finally:
            state = ctx.find_object(LedgerContext)
            if state is not None:
                state.close()


EPILOG = """\b
Examples:
  ledger add "Trump and Xi hold a phone call" --source "Karoline Leavitt" \\
      -P "likely" -d "this week" --published 2025-06-02
  ledger list --status due
  ledger resolve 1 yes --on 2025-06-05 --evidence "White House readout"
  ledger history 1
  ledger --db postgresql+psycopg://me@db.example/ledger report --by source
"""


@click.group(cls=LazyGroup, lazy=COMMANDS, summaries=SUMMARIES, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ledger")
@click.option("--db", metavar="PATH|URL", envvar="LEDGER_DB",
              help="SQLite file path or database URL (env LEDGER_DB). "
                   "Default: ledger.db in your user data directory.")
@click.option("--today", type=DATE, envvar="LEDGER_TODAY", metavar="DATE",
              help="Treat DATE as today (env LEDGER_TODAY), for reproducible reviews.")
@click.pass_context
def cli(ctx: click.Context, db: str | None, today: Any) -> None:
    """Forecast Ledger: log forecasts from the news, resolve them, score their sources."""
    ctx.obj = LedgerContext(db=db, today=today)


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    try:
        cli.main(prog_name="ledger")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line, keep the details out of sight
        from ledger.store import mask_url

        if os.environ.get("LEDGER_DEBUG"):
            raise
        click.echo(f"error: internal error ({type(exc).__name__}): {mask_url(str(exc))[:300]}; "
                   "set LEDGER_DEBUG=1 for details", err=True)
        sys.exit(1)
