"""Whole calendar dates typed by users or found in files (no relative words here:
those are deadline words, read by ledger.language.timeframe)."""

from __future__ import annotations

from datetime import date, datetime

from ledger.errors import LedgerError


def parse_date(text: str, what: str = "date") -> date:
    """An ISO or common-form calendar date given by the user (no relative words)."""
    from dateutil import parser as date_parser  # only for the uncommon forms

    raw = text.strip()
    if not raw:
        raise LedgerError(f"{what}: empty date")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    try:
        one = date_parser.parse(raw, default=datetime(1, 1, 1))
        two = date_parser.parse(raw, default=datetime(2, 2, 2))
    except (ValueError, OverflowError):
        raise LedgerError(f"{what}: cannot read {raw!r} as a date (use YYYY-MM-DD)") from None
    if one != two:
        raise LedgerError(f"{what}: {raw!r} is not a whole date (use YYYY-MM-DD)")
    return one.date()
