"""Report and review periods in hledger's words: "this week", "2025Q2", "from A to B".

A period is a half-open range of days [start, end): the end is exclusive, as in hledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from ledger.errors import LedgerError


@dataclass(frozen=True)
class Period:
    start: date | None  # None: open at the start
    end: date | None  # exclusive; None: open at the end
    text: str

    def next(self) -> Period:
        """The period of the same length right after this one (for "coming due")."""
        if self.start is None or self.end is None:
            raise LedgerError(f"period {self.text!r} is open-ended: it has no next period")
        length = self.end - self.start
        if self.start.day == 1 and self.end.day == 1:  # calendar months, quarters, years
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
            return Period(self.end, self.end + relativedelta(months=months), f"after {self.text}")
        return Period(self.end, self.end + length, f"after {self.text}")

    def label(self) -> str:
        if self.start is None and self.end is None:
            return "all time"
        last = self.end - timedelta(days=1) if self.end else None
        return f"{self.start or '…'} to {last or '…'}"


ALL = Period(None, None, "all")


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _relative(unit: str, offset: int, today: date) -> Period:
    if unit == "day":
        start = today + timedelta(days=offset)
        return Period(start, start + timedelta(days=1), "")
    if unit == "week":
        start = _week(today) + timedelta(weeks=offset)
        return Period(start, start + timedelta(weeks=1), "")
    if unit == "month":
        start = today.replace(day=1) + relativedelta(months=offset)
        return Period(start, start + relativedelta(months=1), "")
    if unit == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = first + relativedelta(months=3 * offset)
        return Period(start, start + relativedelta(months=3), "")
    start = date(today.year + offset, 1, 1)
    return Period(start, start + relativedelta(years=1), "")


def _single(text: str, today: date) -> Period | None:
    """One period word or date form, or None if the text is not one."""
    words = {"today": ("day", 0), "yesterday": ("day", -1), "tomorrow": ("day", 1)}
    if text in words:
        return _relative(*words[text], today)
    match = re.fullmatch(r"(this|last|next)\s+(day|week|month|quarter|year)", text)
    if match:
        offset = {"this": 0, "last": -1, "next": 1}[match.group(1)]
        return _relative(match.group(2), offset, today)
    match = re.fullmatch(r"(\d{4})", text)
    if match:
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year + 1, 1, 1), "")
    match = re.fullmatch(r"(\d{4})\s*-?\s*q([1-4])", text)
    if match:
        start = date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1)
        return Period(start, start + relativedelta(months=3), "")
    match = re.fullmatch(r"(\d{4})-?w(\d{1,2})", text)
    if match:
        try:
            start = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise LedgerError(f"{text!r} is not an ISO week") from None
        return Period(start, start + timedelta(weeks=1), "")
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})", text)
    if match:
        try:
            start = date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise LedgerError(f"{text!r} is not a month") from None
        return Period(start, start + relativedelta(months=1), "")
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    if match:
        try:
            start = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise LedgerError(f"{text!r} is not a date") from None
        return Period(start, start + timedelta(days=1), "")
    return None


def parse_period(text: str, today: date) -> Period:
    """A period expression; `from A to B` and `A..B` take A's start and B's start (exclusive)."""
    clean = " ".join(text.strip().lower().split())
    if not clean:
        raise LedgerError("empty period")
    if clean in {"all", "ever", "all time"}:
        return ALL
    match = re.fullmatch(r"(?:from\s+|since\s+)?(.+?)\s*(?:\s+to\s+|\.\.|\s+until\s+)\s*(.+)", clean) \
        if re.search(r"\bto\b|\.\.|\buntil\b", clean) else None
    if match:
        first, second = _single(match.group(1), today), _single(match.group(2), today)
        if first is None or second is None:
            raise LedgerError(f"cannot read period {text!r}")
        if second.start is not None and first.start is not None and second.start < first.start:
            raise LedgerError(f"period {text!r} ends before it starts")
        return Period(first.start, second.start, text)
    match = re.fullmatch(r"(?:from|since)\s+(.+)", clean)
    if match:
        first = _single(match.group(1), today)
        if first is None:
            raise LedgerError(f"cannot read period {text!r}")
        return Period(first.start, None, text)
    match = re.fullmatch(r"(?:until|to|before)\s+(.+)", clean)
    if match:
        last = _single(match.group(1), today)
        if last is None:
            raise LedgerError(f"cannot read period {text!r}")
        return Period(None, last.start, text)
    single = _single(clean, today)
    if single is None:
        raise LedgerError(
            f"cannot read period {text!r}: try 'this week', 'last month', '2025', '2025Q2', "
            "'2025-W23', '2025-06' or 'from 2025-01-01 to 2025-07-01'")
    return Period(single.start, single.end, text)


def period_from_options(period: str | None, begin: date | None, end: date | None,
                        today: date, default: str | None = None) -> Period:
    """`-p EXPR` or `-b/-e` (end exclusive), never both."""
    if period and (begin or end):
        raise LedgerError("give either --period or --begin/--end, not both")
    if period:
        return parse_period(period, today)
    if begin or end:
        if begin and end and end <= begin:
            raise LedgerError(f"--end {end} must be after --begin {begin} (the end is exclusive)")
        return Period(begin, end, f"{begin or '…'} to {end or '…'}")
    return parse_period(default, today) if default else ALL
