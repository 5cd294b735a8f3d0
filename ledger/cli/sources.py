"""Commands on sources: list, alias, merge."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import format_option, out, pass_state


@click.group(invoke_without_command=True, epilog="""\b
Examples:
  ledger sources
  ledger sources alias "Karoline Leavitt" "Caroline Leavitt"
  ledger sources merge "K. Leavitt" "Karoline Leavitt"
""")
@format_option()
@click.pass_context
def sources(ctx: click.Context, fmt: str) -> None:
    """List sources with their aliases and forecast counts."""
    if ctx.invoked_subcommand is not None:
        return
    from ledger.render import render_rows

    rows = ctx.obj.ledger.sources()
    out(render_rows(rows, fmt, columns=["id", "name", "kind", "role", "aliases", "forecasts", "resolved"],
                    empty="no sources yet"))


@sources.command(epilog="""\b
Example:
  ledger sources alias "Karoline Leavitt" "Caroline Leavitt"
""")
@click.argument("name")
@click.argument("alias")
@pass_state
def alias(state: Any, name: str, alias: str) -> None:
    """Let ALIAS name the source NAME (e.g. another spelling)."""
    result = state.ledger.alias(name, alias)
    if result["added"]:
        out(f"{result['alias']!r} now names {result['source']}")
    else:
        out(f"{result['alias']!r} already names {result['source']}: nothing to do")


@sources.command(epilog="""\b
Example:
  ledger sources merge "K. Leavitt" "Karoline Leavitt"
""")
@click.argument("from_name", metavar="FROM")
@click.argument("into_name", metavar="INTO")
@pass_state
def merge(state: Any, from_name: str, into_name: str) -> None:
    """Merge source FROM into INTO: forecasts move, FROM becomes an alias, the merge is recorded."""
    result = state.ledger.merge(from_name, into_name)
    out(f"merged {result['from']} into {result['into']}: {result['forecasts_moved']} forecast(s) moved")
