"""`ledger verify`: prove that the ledger was not edited behind the tool's back."""

from __future__ import annotations

import sys
from typing import Any

import click

from ledger.cli.common import out, pass_state


@click.command(epilog="""\b
Examples:
  ledger verify
  ledger verify --head          # publish this hash; later, prove nothing before it changed
  ledger verify -f json
""")
@click.option("--head", "head_only", is_flag=True, help="Print only the newest entry's hash.")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True, help="Output format.")
@pass_state
def verify(state: Any, head_only: bool, fmt: str) -> None:
    """Recompute the journal's hash chain and check the tables against it (exit 1 if broken)."""
    from ledger.render import to_json

    if head_only:
        entries, digest = state.ledger.head()
        out(to_json({"entries": entries, "head": digest}) if fmt == "json" else digest)
        return
    verdict = state.ledger.verify()
    if fmt == "json":
        out(to_json(verdict.as_dict()))
    elif verdict.ok:
        out(f"ok: {verdict.entries} entries, head {verdict.head}")
    else:
        click.echo(f"error: {verdict.problem}", err=True)
    if not verdict.ok:
        sys.exit(1)
