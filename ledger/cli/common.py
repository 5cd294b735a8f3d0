"""Shared pieces of the CLI: the context object, parameter types, output helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ledger.book import Ledger

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")


class UserError(click.ClickException):
    """A request that could not be done: one line on stderr, exit 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class DateType(click.ParamType):
    """A calendar date: YYYY-MM-DD or another whole date dateutil can read."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from ledger.dates import parse_date
        from ledger.errors import LedgerError

        try:
            return parse_date(str(value), param.name if param else "date")
        except LedgerError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()


class LedgerContext:
    """Global options, and the Ledger opened on first use (not for --help)."""

    def __init__(self, db: str | None, today: date | None) -> None:
        self.db = db
        self.today = today
        self._ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            from ledger.book import Ledger

            self._ledger = Ledger(self.db, today=self.today)
        return self._ledger

    @property
    def effective_today(self) -> date:
        return self.today or date.today()

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


pass_state = click.make_pass_decorator(LedgerContext)


def format_option(default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default=default,
                        show_default=True, help="Output format.")


def out(text: str) -> None:
    """Data: stdout."""
    if text:
        click.echo(text)


def out_lines(lines: Iterable[str], batch: int = 1000) -> None:
    """Data written as it is made: the same text as `out("\\n".join(lines))`, never held whole."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == batch:
            click.echo("\n".join(chunk))
            chunk.clear()
    if chunk:
        click.echo("\n".join(chunk))


def note(text: str) -> None:
    """Notes and warnings: stderr, so that piped data stays clean."""
    click.echo(text, err=True)
