"""The interactive review walk: one forecast at a time, each answer committed at once."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from ledger.cli.common import DATE, out
from ledger.vocabulary import VOID_REASONS

KEYS = "[y]es  [n]o  [v]oid  [s]kip  [d]eadline  [q]uit"


def _show(detail: dict[str, Any], position: int, total: int) -> None:
    out("")
    out(f"[{position}/{total}] forecast {detail['id']}: {detail['statement']}")
    out(f"  source       {detail['source']} ({detail['source_kind']})")
    words = f" ({detail['phrase']!r}, scale {detail['scale']})" if detail["phrase"] else ""
    out(f"  probability  {detail['probability']:.2f}{words}")
    phrase = f" ({detail['deadline_phrase']!r})" if detail["deadline_phrase"] else ""
    out(f"  deadline     {detail['deadline']}{phrase}, made on {detail['made_on']}")
    if detail.get("criteria"):
        out(f"  criteria     {detail['criteria']}")
    for cite in detail["citations"]:
        where = " · ".join(str(x) for x in (cite["outlet"], cite["title"], cite["url"]) if x) or "no article"
        quote = f' — "{cite["quote"]}"' if cite["quote"] else ""
        out(f"  cited        {where}{quote}")


def _default_date(detail: dict[str, Any], outcome: str, today: date) -> date:
    deadline = date.fromisoformat(str(detail["deadline"])) if detail["deadline"] else None
    if deadline is None:
        return today
    if outcome == "no":
        return deadline if deadline < today else today
    return min(today, deadline)


def walk(state: Any, rows: list[dict[str, Any]]) -> None:
    """Ask about each forecast; every answer is its own transaction."""
    from ledger.errors import Conflict, LedgerError

    book = state.ledger
    if not rows:
        out("Nothing needs resolving.")
        return
    done = 0
    for position, row in enumerate(rows, start=1):
        detail = book.show(row["id"])
        if detail["outcome"] is not None:
            latest = detail["resolutions"][-1]
            out(f"\nforecast {detail['id']} was resolved {latest['outcome']} meanwhile by "
                f"{latest['recorded_by']}: skipped")
            continue
        _show(detail, position, len(rows))
        while True:
            key = click.prompt(KEYS, type=click.Choice(list("ynvsdq")), show_choices=False).lower()
            if key == "q":
                out(f"stopped: {done} answer(s) recorded")
                return
            if key == "s":
                break
            try:
                if key == "d":
                    words = click.prompt("new deadline (date or words)")
                    why = click.prompt("why", default="deadline clarified during review")
                    book.amend(detail["id"], {"deadline": words}, why=why)
                    out(f"forecast {detail['id']}: deadline amended")
                    done += 1
                    break
                outcome = {"y": "yes", "n": "no", "v": "void"}[key]
                reason = None
                if outcome == "void":
                    reason = click.prompt("reason", type=click.Choice(VOID_REASONS))
                on = click.prompt("date it happened or became known", type=DATE,
                                  default=_default_date(detail, outcome, book.today).isoformat())
                evidence = click.prompt("evidence (optional)", default="", show_default=False) or None
                note_text = click.prompt("note (optional)", default="", show_default=False) or None
                book.resolve(detail["id"], outcome, reason=reason, on=on, evidence=evidence, note=note_text)
                out(f"forecast {detail['id']}: resolved {outcome} on {on}")
                done += 1
                break
            except Conflict as exc:
                out(f"not recorded: {exc}")
                break
            except LedgerError as exc:
                out(f"not recorded: {exc}; try again")
    out(f"\ndone: {done} answer(s) recorded")
