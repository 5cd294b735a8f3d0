"""Commands on the database itself: path, status, upgrade."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import format_option, out, pass_state


@click.group(epilog="""\b
Examples:
  ledger db path
  ledger db status
  ledger --db postgresql+psycopg://me@db.example/ledger db upgrade
""")
def db() -> None:
    """Where the ledger lives, its schema and its size."""


@db.command(epilog="""\b
Examples:
  ledger db path
  LEDGER_DB=team.db ledger db path
""")
@pass_state
def path(state: Any) -> None:
    """Print the database in use (a file path, or a URL with the password masked)."""
    from ledger.store import database_url, mask_url

    url = database_url(state.db)
    out(url[len("sqlite:///"):] if url.startswith("sqlite:///") else mask_url(url))


@db.command(epilog="""\b
Examples:
  ledger db status
  ledger --db postgresql+psycopg://me@db.example/ledger db status -f json
""")
@format_option()
@pass_state
def status(state: Any, fmt: str) -> None:
    """Show the URL, the schema revision against the tool's, and row counts."""
    from ledger.migrations import HEAD
    from ledger.render import render_record
    from ledger.store import Store, database_url, mask_url

    store = Store(database_url(state.db))
    try:
        revision = store.revision()
        record: dict[str, Any] = {
            "url": mask_url(store.url), "schema": revision, "head": HEAD,
            "up_to_date": revision == HEAD,
        }
        if revision is not None:
            record.update(store.counts())
    finally:
        store.dispose()
    out(render_record(record, fmt))


@db.command(epilog="""\b
Examples:
  ledger db upgrade
  ledger --db postgresql+psycopg://me@db.example/ledger db upgrade
""")
@pass_state
def upgrade(state: Any) -> None:
    """Bring the schema up to date (an SQLite file is backed up first)."""
    from ledger.store import Store, database_url, mask_url

    store = Store(database_url(state.db))
    try:
        before, after = store.upgrade()
    finally:
        store.dispose()
    if before == after:
        out(f"{mask_url(store.url)} is up to date (schema {after})")
    else:
        out(f"upgraded {mask_url(store.url)} from {before or 'empty'} to {after}")


@db.command(epilog="""\b
Examples:
  ledger db backup ~/backups/ledger-2025-06-30.db
  ledger --db postgresql+psycopg://me@db.example/ledger db backup team-2025-06-30.jsonl
""")
@click.argument("target", metavar="FILE")
@pass_state
def backup(state: Any, target: str) -> None:
    """Copy the ledger to FILE: SQLite's online backup, or a JSONL export for PostgreSQL."""
    count = state.ledger.backup(target)
    if count is None:
        out(f"backed up to {target}")
    else:
        out(f"exported {count} forecast(s) to {target} (restore with: ledger import {target})")
