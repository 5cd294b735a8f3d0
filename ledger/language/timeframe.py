"""Deadline words → an inclusive calendar date, relative to the day a forecast was made.

`parse_deadline("likely to talk this week", date(2025, 6, 2))` finds "this week" and
returns Sunday 8 June 2025. The grammar is a small set of regular-expression rules
(docs/deadlines.md lists them); among all the time expressions found in a text the
longest wins, so "by the end of next week" beats "next week". Words that give no date
("soon", "for the time being") come back with `date=None`, never an invented date.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from dateutil import parser as date_parser
from dateutil.easter import easter
from dateutil.relativedelta import TH, relativedelta

from ledger.errors import UnknownDeadline
from ledger.language.numbers import NUMBER_PATTERN, number_value

MAX_INPUT = 10_000


@dataclass(frozen=True)
class Deadline:
    """A reading of deadline words."""

    date: date | None  # the inclusive deadline, or None (vague, unknown event)
    start: date | None  # the window's first day, where one exists
    kind: str  # "exact" | "rolling" | "soft" | "event" | "vague"
    rule: str  # which rule fired, e.g. "R-PERIOD this"
    phrase: str  # the words matched
    ambiguous: bool = False
    alternatives: tuple[date, ...] = field(default_factory=tuple)
    note: str = ""

    def describe(self) -> str:
        if self.date is None:
            return f"{self.phrase} → no date ({self.kind})"
        return f"{self.phrase} → {self.date:%a %Y-%m-%d}, {self.kind}"


@dataclass(frozen=True)
class _Span:
    """What a rule found: the period's first and last day (before prepositions apply)."""

    first: date | None
    last: date | None
    kind: str
    rule: str
    ambiguous: bool = False
    alternatives: tuple[date, ...] = ()
    note: str = ""


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
DAY_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "twenty-first": 21, "twenty-second": 22, "twenty-third": 23, "twenty-fourth": 24, "twenty-fifth": 25,
    "twenty-sixth": 26, "twenty-seventh": 27, "twenty-eighth": 28, "twenty-ninth": 29, "thirtieth": 30,
    "thirty-first": 31,
}
DAY_WORD = "|".join(sorted((w.replace("-", "[- ]") for w in DAY_WORDS), key=len, reverse=True))
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
            "fourth": 4, "4th": 4, "final": 4, "last": 4}
SEASON_MONTHS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}

PREP = (r"(?:(?P<prep>by|before|ahead\s+of|prior\s+to|until|till|no\s+later\s+than|"
        r"not\s+later\s+than|in|on|during|over|at|within|for|sometime\s+in|some\s+time\s+in)"
        r"\s+)?(?P<endof>(?:the\s+)?end\s+of\s+(?:the\s+)?)?")
BY_PREPS = {"by", "until", "till", "no later than", "not later than"}
BEFORE_PREPS = {"before", "ahead of", "prior to"}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
UNIT_WORDS = (r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|fortnights?|months?|mos|quarters?"
              r"|years?|yrs?|decades?)")
PART = r"(?P<part>early|earlier|mid|middle\s+of|the\s+middle\s+of|late|later|the\s+start\s+of|start\s+of|the\s+beginning\s+of|beginning\s+of)"
NUM = NUMBER_PATTERN


def _week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), _month_end(year, first_month + 2)


# --- rule handlers: (match, R) -> _Span | None -------------------------------------


def _day(m: re.Match[str], r: date) -> _Span:
    word = " ".join(m.group("word").split())
    if word.endswith("day after tomorrow"):
        day = r + timedelta(days=2)
        return _Span(day, day, "exact", "R-DAY")
    if word.startswith("tomorrow"):
        day = r + timedelta(days=1)
        return _Span(day, day, "exact", "R-DAY")
    return _Span(r, r, "exact", "R-BY-END" if "end of" in word or word == "eod" else "R-DAY")


def _week(m: re.Match[str], r: date) -> _Span:
    which = (m.group("which") or "this").split()[-1]
    base = r + timedelta(days=1) if r.weekday() == 6 else r  # said on a Sunday
    if m.group("after_next"):  # "the week after next"
        which = "next"
        base += timedelta(days=7)
    if which in {"next", "following"}:
        base += timedelta(days=7)
    monday, sunday = _week_bounds(base)
    note = "said on a Sunday: the coming week" if r.weekday() == 6 else ""
    if m.group("weekend"):
        return _Span(sunday - timedelta(days=1), sunday, "exact", "R-PERIOD weekend", note=note)
    rule = "R-PERIOD next" if which in {"next", "following"} else "R-PERIOD this"
    return _Span(max(monday, r) if which == "this" else monday, sunday, "exact", rule, note=note)


def _weekday(m: re.Match[str], r: date) -> _Span:
    target = WEEKDAYS.index(m.group("wd"))
    which = m.group("which") or m.group("week")  # "Wednesday next week" is next week's
    if which == "next":
        monday, _ = _week_bounds(r)
        day = monday + timedelta(days=7 + target)
        plain = r + timedelta(days=(target - r.weekday()) % 7)
        return _Span(day, day, "exact", "R-WEEKDAY next", ambiguous=day != plain,
                     alternatives=(plain,) if day != plain else (),
                     note="'next <weekday>' read as that day of next week")
    if which == "this":
        monday, _ = _week_bounds(r)
        day = monday + timedelta(days=target)
        if day >= r:
            return _Span(day, day, "exact", "R-WEEKDAY this")
        later = day + timedelta(days=7)
        return _Span(later, later, "exact", "R-WEEKDAY this", ambiguous=True,
                     alternatives=(day,), note="that day of this week is past")
    day = r + timedelta(days=(target - r.weekday()) % 7)
    if day == r:
        return _Span(day, day, "exact", "R-WEEKDAY", ambiguous=True,
                     alternatives=(r + timedelta(days=7),),
                     note="same weekday as the day it was said: read as that day")
    return _Span(day, day, "exact", "R-WEEKDAY")


def _month_period(m: re.Match[str], r: date) -> _Span | None:
    which = " ".join((m.group("which") or "").split())
    part = _part_word(m.group("part"))
    if which in {"next", "the following"}:
        nxt = r + relativedelta(months=1)
        year, month, rule = nxt.year, nxt.month, "R-PERIOD next"
    elif which == "later this" or (part == "later" and which == "this"):
        return _Span(r, _month_end(r.year, r.month), "exact", "R-REST-OF")
    else:
        year, month, rule = r.year, r.month, "R-PERIOD this"
    if part:  # "early next month", "mid-next month", "late this month"
        span = _month_part(year, month, part)
        return span if span.last is not None and span.last >= r else None
    first = r.replace(day=1) if rule == "R-PERIOD this" else date(year, month, 1)
    return _Span(first, _month_end(year, month), "exact", rule)


def _month_part(year: int, month: int, part: str) -> _Span:
    """early = days 1-10, mid = to the 15th, late = the 21st to the end."""
    first, last = date(year, month, 1), _month_end(year, month)
    if part == "mid":
        return _Span(first, date(year, month, 15), "exact", "R-PART-OF")
    if part == "early":
        return _Span(first, date(year, month, 10), "exact", "R-PART-OF")
    if part in {"late", "later"}:
        return _Span(date(year, month, 21), last, "exact", "R-PART-OF")
    return _Span(first, last, "exact", "R-PERIOD named")


def _week_of_month(m: re.Match[str], r: date) -> _Span | None:
    """'the first week of July' = the 1st to the 7th; 'the last week of June' = its last seven days."""
    if m.group("month"):
        month = MONTHS[m.group("month")]
        year = int(m.group("year")) if m.group("year") else (r.year if month >= r.month else r.year + 1)
    else:
        base = r + relativedelta(months=1) if m.group("which") == "next" else r
        year, month = base.year, base.month
    end = _month_end(year, month)
    nth = m.group("nth")
    if nth in {"last", "final"}:
        return _Span(end - timedelta(days=6), end, "exact", "R-PERIOD named")
    first = date(year, month, 1) + timedelta(days=7 * ORDINALS[nth] - 7)
    return _Span(first, first + timedelta(days=6), "exact", "R-PERIOD named")


def _day_of_relative_month(m: re.Match[str], r: date) -> _Span | None:
    """'the first of next month', 'the 15th of this month'."""
    which = " ".join(m.group("which").split())
    base = r + relativedelta(months=1) if which in {"next", "the following"} else r
    day = _day_number(m.group("day") or m.group("dayword"))
    try:
        found = date(base.year, base.month, day)
    except ValueError:
        return None
    return _Span(found, found, "exact", "R-DATE")


def _unit_end(m: re.Match[str], r: date) -> _Span:
    """'by month's end', 'by eoy': the end of the current day, week, month, quarter or year."""
    unit = m.group("unit") or {"w": "week", "m": "month", "q": "quarter", "y": "year"}[m.group("short")]
    if unit == "day":
        last = r
    elif unit == "week":
        last = _week_bounds(r + timedelta(days=1) if r.weekday() == 6 else r)[1]
    elif unit == "month":
        last = _month_end(r.year, r.month)
    elif unit == "quarter":
        last = _quarter_bounds(r.year, (r.month - 1) // 3 + 1)[1]
    else:
        last = date(r.year, 12, 31)
    return _Span(r, last, "exact", "R-BY-END")


def _quarter_period(m: re.Match[str], r: date) -> _Span:
    current = (r.month - 1) // 3 + 1
    which = m.group("which")
    if which in {"next", "following"}:
        quarter, year = (1, r.year + 1) if current == 4 else (current + 1, r.year)
        return _Span(*_quarter_bounds(year, quarter), "exact", "R-PERIOD next")
    return _Span(*_quarter_bounds(r.year, current), "exact", "R-PERIOD this")


def _named_quarter(m: re.Match[str], r: date) -> _Span:
    quarter = int(m.group("qn")) if m.group("qn") else ORDINALS[m.group("qord")]
    year = _relative_year(m, r)
    if year is None:
        year = r.year
        if _quarter_bounds(year, quarter)[1] < r:
            year += 1
    return _Span(*_quarter_bounds(year, quarter), "exact", "R-PERIOD named")


def _half(m: re.Match[str], r: date) -> _Span:
    half = 1 if (m.group("hn") == "1" or m.group("hord") == "first") else 2
    year = _relative_year(m, r)
    first, last = (date(r.year, 1, 1), date(r.year, 6, 30)) if half == 1 else (
        date(r.year, 7, 1), date(r.year, 12, 31))
    if year is None:
        year = r.year + (1 if last < r else 0)
    return _Span(first.replace(year=year), last.replace(year=year), "exact", "R-PERIOD named")


def _relative_year(m: re.Match[str], r: date) -> int | None:
    rel = m.groupdict().get("rel")
    if rel:
        rel = " ".join(rel.split())
        if rel.endswith("next year"):
            return r.year + 1
        if rel.endswith(("this year", "the year", "the current year")):
            return r.year
        digits = re.search(r"\d{4}", rel)
        if digits:
            return int(digits.group(0))
    return None


_PARTS = {"early": "early", "earlier": "early", "start": "early", "beginning": "early", "mid": "mid",
          "middle": "mid", "late": "late", "later": "later"}


def _part_word(part: str | None) -> str:
    """Which part, in one word: 'the middle of' → 'mid', 'the start of' → 'early'; 'later'
    stays apart ('later this year' is the rest of the year); '' for none."""
    words = [word for word in (part or "").split() if word not in {"the", "of"}]
    return _PARTS.get(words[0], "") if words else ""


def _thirds(year: int, part: str | None) -> tuple[date, date]:
    """early = Jan-Apr, mid = May-Aug, late = Sep-Dec; no part = the whole year."""
    part = _part_word(part)
    if part == "early":
        return date(year, 1, 1), date(year, 4, 30)
    if part == "mid":
        return date(year, 5, 1), date(year, 8, 31)
    if part in {"late", "later"}:
        return date(year, 9, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def _year_period(m: re.Match[str], r: date) -> _Span:
    which = " ".join((m.group("which") or "this").split())
    if which == "the" and " ".join((m.group("prep") or "").split()) == "within":
        which = "within the"
    part = m.group("part")
    year = r.year + 1 if which in {"next", "following"} else r.year
    if which == "within the":
        return _Span(r, date(r.year, 12, 31), "exact", "R-BY-END", ambiguous=True,
                     alternatives=(r + relativedelta(years=1),),
                     note="'within the year' read as this calendar year; rolling reading differs")
    if _part_word(part) == "later" and year == r.year:
        return _Span(r, date(year, 12, 31), "exact", "R-REST-OF")
    first, last = _thirds(year, part)
    rule = "R-PART-OF" if part else ("R-PERIOD next" if year > r.year else "R-PERIOD this")
    return _Span(first, last, "exact", rule)


def _year_end(m: re.Match[str], r: date) -> _Span:
    return _Span(r, date(r.year, 12, 31), "exact", "R-BY-END")


def _mid_year(m: re.Match[str], r: date) -> _Span:
    """'by mid-year': the middle third of this year (May-August), or of next once it has passed."""
    first, last = _thirds(r.year, "mid")
    if last < r:
        first, last = _thirds(r.year + 1, "mid")
    return _Span(first, last, "exact", "R-PART-OF")


def _numbered_year(m: re.Match[str], r: date) -> _Span:
    year = int(m.group("year"))
    first, last = _thirds(year, m.group("part"))
    prep = " ".join((m.group("prep") or "").split())
    if prep == "by" and not m.group("endof") and not m.group("part") and year > r.year:
        return _Span(first, last, "exact", "R-BY-PERIOD", ambiguous=True,
                     alternatives=(date(year - 1, 12, 31),),
                     note=f"'by {year}' read as the end of {year}; strict reading: before it starts")
    return _Span(first, last, "exact", "R-PART-OF" if m.group("part") else "R-PERIOD year")


def _decade(m: re.Match[str], r: date) -> _Span:
    which = m.group("which")
    if m.group("decade_year"):
        start = int(m.group("decade_year"))
    else:
        start = r.year - r.year % 10 + (10 if which in {"next", "following"} else 0)
    return _Span(date(start, 1, 1), date(start + 9, 12, 31), "exact", "R-PERIOD decade",
                 note="decades run 2020-2029 (popular reading)")


def _named_month(m: re.Match[str], r: date) -> _Span | None:
    name = m.group("month")
    month = MONTHS[name]
    prep, part = m.group("prep"), m.group("part")
    year = _relative_year(m, r)
    which = m.group("which")
    if name in {"may", "march", "mar", "jun", "jul", "aug", "dec", "sep", "oct", "nov",
                "jan", "feb", "apr"} and not (prep or part or which or m.group("endof") or m.group("rel")):
        return None  # "may" and "march" are also ordinary words
    if year is None:
        year = r.year if month >= r.month else r.year + 1
        if which == "next" and month == r.month:
            year += 1
    if part:
        return _month_part(year, month, _part_word(part))
    rule = "R-BY-PERIOD" if prep and prep in BY_PREPS else "R-PERIOD named"
    return _Span(date(year, month, 1), _month_end(year, month), "exact", rule)


def _next_on_or_after(r: date, month: int, day: int) -> date | None:
    for year in (r.year, r.year + 1, r.year + 2, r.year + 3, r.year + 4):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= r:
            return candidate
    return None


def _day_number(text: str) -> int:
    text = text.strip().lower().replace(" ", "-")
    return DAY_WORDS[text] if text in DAY_WORDS else int(text)


def _month_day(m: re.Match[str], r: date) -> _Span | None:
    month = MONTHS[m.group("month")]
    day = _day_number(m.group("day"))
    year = m.group("year")
    try:
        found = date(int(year), month, day) if year else _next_on_or_after(r, month, day)
    except ValueError:
        return None
    if found is None:
        return None
    upto = m.groupdict().get("dayto")
    if upto:  # "June 10-20": the window's far end
        try:
            last = found.replace(day=int(upto))
        except ValueError:
            return None
        return _Span(found, last, "exact", "R-DATE", note="a range of days: read as its last day") \
            if last >= found else None
    return _Span(found, found, "exact", "R-DATE")


def _clock(m: re.Match[str], r: date) -> _Span:
    """A time of day with no date ("at 3pm", "at noon"): that day."""
    return _Span(r, r, "exact", "R-TIME", note="a time of day: the day it was said")


def _day_of_month(m: re.Match[str], r: date) -> _Span | None:
    day = int(m.group("day"))
    for months_ahead in range(0, 3):
        base = r + relativedelta(months=months_ahead)
        try:
            candidate = base.replace(day=day)
        except ValueError:
            continue
        if candidate >= r:
            return _Span(candidate, candidate, "exact", "R-DATE")
    return None


_ISO_PARTS = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _explicit_date(m: re.Match[str], r: date) -> _Span | None:
    """Numeric and ISO dates through dateutil, never filling missing parts from today."""
    text = m.group("date")
    dotted = _DOTTED.fullmatch(text)
    if dotted:  # 25.12.2025: the European order, day first
        try:
            day = date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1)))
        except ValueError:
            return None
        return _Span(day, day, "exact", "R-DATE")
    iso = _ISO_PARTS.fullmatch(text)
    if iso:  # the common form: no need for dateutil's general parser
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
        return _Span(day, day, "exact", "R-DATE")
    try:
        one = date_parser.parse(text, default=datetime(1, 1, 1), dayfirst=False)
        two = date_parser.parse(text, default=datetime(2, 2, 2), dayfirst=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if one.year != two.year:
        found = _next_on_or_after(r, one.month, one.day) if one.day == two.day else None
        if found is None:
            return None
        return _Span(found, found, "exact", "R-DATE")
    if one.day != two.day:
        return _Span(one.date().replace(day=1), _month_end(one.year, one.month), "exact", "R-DATE")
    return _Span(one.date(), one.date(), "exact", "R-DATE")


def _season(m: re.Match[str], r: date) -> _Span:
    season = m.group("season")
    start_month = SEASON_MONTHS[season]
    which = m.group("which")
    explicit = m.group("syear")

    def bounds(year: int) -> tuple[date, date]:
        first = date(year, start_month, 1)
        end = first + relativedelta(months=3) - timedelta(days=1)
        return first, end

    if explicit:
        return _Span(*bounds(int(explicit)), "exact", "R-SEASON")
    year = r.year if not (start_month == 12 and r.month <= 2) else r.year - 1
    first, last = bounds(year)
    if last < r:
        first, last = bounds(year + 1)
    if which in {"next", "following"}:
        if first <= r:  # the season has begun: next means next year's
            first, last = bounds(first.year + 1)
    return _Span(first, last, "exact", "R-SEASON", note="meteorological seasons, northern hemisphere")


def _holiday_date(name: str, year: int) -> date:
    if name == "easter":
        return easter(year)
    if name == "thanksgiving":
        return date(year, 11, 1) + relativedelta(weekday=TH(+4))
    if name == "labor day":
        return date(year, 9, 1) + relativedelta(weekday=0)
    if name == "memorial day":
        return date(year, 5, 31) - timedelta(days=date(year, 5, 31).weekday())
    fixed = {"christmas eve": (12, 24), "christmas": (12, 25), "christmas day": (12, 25),
             "boxing day": (12, 26), "new year's eve": (12, 31), "new year's day": (1, 1),
             "new year": (1, 1), "halloween": (10, 31), "valentine's day": (2, 14),
             "independence day": (7, 4), "the fourth of july": (7, 4), "july 4th": (7, 4),
             "bastille day": (7, 14)}
    month, day = fixed[name]
    return date(year, month, day)


def _holiday(m: re.Match[str], r: date) -> _Span:
    name = " ".join(m.group("holiday").replace("\u2019", "'").split())
    name = name.replace("xmas", "christmas").replace("new years", "new year's")
    if name == "the new year":
        name = "new year"
    day = _holiday_date(name, r.year)
    if day < r:
        day = _holiday_date(name, r.year + 1)
    return _Span(day, day, "exact", "R-HOLIDAY")


def _iso_week(m: re.Match[str], r: date) -> _Span | None:
    week = int(m.group("week") or m.group("isoweek"))
    year = int(m.group("wyear") or m.group("isoyear") or r.isocalendar()[0])
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return _Span(monday, monday + timedelta(days=6), "exact", "R-ISO-WEEK")


UNIT_ALIASES = {"hour": "hours", "day": "days", "week": "weeks", "fortnight": "fortnights",
                "month": "months", "quarter": "quarters", "year": "years", "decade": "decades",
                "hr": "hours", "wk": "weeks", "mo": "months", "yr": "years", "min": "minutes", "sec": "seconds"}


def _add(r: date, n: float, unit: str) -> date:
    unit = UNIT_ALIASES.get(unit.rstrip("s"), unit)
    if unit in {"minute", "minutes", "second", "seconds"}:
        return r  # within the day it was said (the time of day is not known)
    if unit == "hours":
        return r + timedelta(days=-(-n // 24))
    if unit == "fortnights":
        return r + timedelta(days=14 * n)
    if unit == "quarters":
        return r + relativedelta(months=int(3 * n))
    if unit == "decades":
        return r + relativedelta(years=int(10 * n))
    whole = int(n)
    if n != whole and unit in {"years", "months"}:
        months = round(n * (12 if unit == "years" else 1))
        return r + relativedelta(months=months)
    return r + relativedelta(**{unit: whole if n == whole else n})


def _duration(m: re.Match[str], r: date) -> _Span | None:
    lead = " ".join((m.group("lead") or "").split())
    unit = m.group("unit")
    count = m.group("n")
    if count is None:
        if unit.endswith("s") or lead in {"in", "within"}:
            return None  # bare plurals are soft; "in year" is not English
        count = "1"
    n = number_value(count)
    if n is None or n <= 0 or n > 1000:
        return None
    vague_count = count.strip() in {"a few", "few", "several", "a couple of", "a couple", "couple of"}
    if m.group("upto"):  # "in two to three weeks": the far end, provisional
        upper = number_value(m.group("upto"))
        if upper is None or upper < n or upper > 1000:
            return None
        return _Span(r, _add(r, upper, unit), "soft", "R-SOFT range", note="a range: read as its far end")
    end = _add(r, n, unit)
    if lead in {"in", "inside of"} and not m.group("ago") and not vague_count:
        return _Span(end, end, "rolling", "R-IN-DURATION")
    if vague_count:
        return _Span(r, end, "soft", "R-SOFT few=3", note="'a few' read as 3")
    return _Span(r, end, "rolling", "R-WITHIN")


def _from_now(m: re.Match[str], r: date) -> _Span | None:
    n = 1.0 if m.group("n2") else number_value(m.group("n"))
    if n is None or n <= 0 or n > 1000:
        return None
    end = _add(r, n, m.group("unit") or m.group("unit2"))
    return _Span(end, end, "rolling", "R-IN-DURATION")


SOFT_BOUNDS = {"hours": relativedelta(days=1), "days": relativedelta(weeks=1),
               "weeks": relativedelta(months=1), "months": relativedelta(years=1)}


def _soft(m: re.Match[str], r: date) -> _Span:
    unit = m.group("sunit") or m.group("sunit2")
    if unit == "years":
        return _Span(None, None, "vague", "R-VAGUE", note="bare 'years' is too vague to date")
    return _Span(r, r + SOFT_BOUNDS[unit], "soft", "R-SOFT bare-plural",
                 note=f"bare '{unit}': provisional deadline, confirm it")


def _vague(m: re.Match[str], r: date) -> _Span:
    return _Span(None, None, "vague", "R-VAGUE", note="no date in these words")


@lru_cache(maxsize=1)
def known_events() -> tuple[tuple[re.Pattern[str], date, date, str], ...]:
    text = resources.files("ledger.data").joinpath("events.csv").read_text("utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        pattern = re.compile(r"\b(?:" + row["pattern"] + r")\b")
        rows.append((pattern, date.fromisoformat(row["start"]), date.fromisoformat(row["end"]),
                     row["name"]))
    return tuple(rows)


def _event(m: re.Match[str], r: date) -> _Span:
    words = m.group("event")
    for pattern, start, end, name in known_events():
        if pattern.search(words) and end >= r:
            return _Span(start, end, "event", "R-EVENT", note=f"{name}: {start} to {end}")
    return _Span(None, None, "event", "R-EVENT",
                 note="an event with no known date: give its date with --deadline")


_WD = "|".join(WEEKDAYS)
_EVENT_NOUNS = (r"(?:summit|election|elections|midterms?|vote|referendum|meeting|conference|"
                r"talks|deadline|olympics|world\s+cup|fiscal\s+year|budget|inauguration|"
                r"ceasefire\s+deadline|hearing|trial|verdict|congress|convention|primaries|primary)")

RULES: list[tuple[str, re.Pattern[str], object]] = [
    (r"(?P<word>today|tonight|this\s+(?:morning|afternoon|evening)|(?:the\s+)?day\s+after\s+tomorrow"
     r"|tomorrow(?:\s+(?:morning|afternoon|evening|night))?|(?:the\s+)?end\s+of\s+(?:the\s+)?day"
     r"|end\s+of\s+business|close\s+of\s+business|later\s+today|the\s+hour|half\s+an\s+hour|eod)", _day),
    (r"(?P<which>this|next|the\s+following|the|later\s+this)?\s*(?:week(?P<weekend>end)|week)"
     r"(?P<after_next>\s+after\s+next)?", _week),
    (r"(?P<which>this|next)?\s*(?P<wd>" + _WD + r")(?:s)?(?:\s+(?:morning|afternoon|evening|night))?"
     r"(?:,?\s+(?P<week>this|next)\s+week)?", _weekday),
    (r"(?:" + PART + r"[-\s]+)?(?P<which>this|next|the\s+following|the|later\s+this|the\s+current)\s+month",
     _month_period),
    (r"(?:the\s+)?(?P<nth>first|second|third|fourth|last|final)\s+week\s+of\s+(?:(?P<month>" + MONTH_NAMES
     + r")|(?P<which>this|next)\s+month)(?:\s+(?P<year>(?:19|20)\d\d))?", _week_of_month),
    (r"(?:the\s+)?(?:(?P<day>\d{1,2})(?:st|nd|rd|th)|(?P<dayword>" + DAY_WORD + r"))\s+of\s+(?P<which>this|next|the\s+following)"
     r"\s+month", _day_of_relative_month),
    (r"(?P<which>this|next|the\s+following|the|the\s+current)\s+quarter", _quarter_period),
    (r"(?:(?:the\s+)?(?P<qord>first|second|third|fourth|final|1st|2nd|3rd|4th)\s+quarter|q(?P<qn>[1-4]))"
     r"(?P<rel>\s+(?:of\s+)?(?:this\s+year|next\s+year|the\s+year|(?:19|20)\d\d))?", _named_quarter),
    (r"(?:(?:the\s+)?(?P<hord>first|second)\s+half|h(?P<hn>[12]))"
     r"(?P<rel>\s+(?:of\s+)?(?:this\s+year|next\s+year|the\s+year|(?:19|20)\d\d))?", _half),
    (PART[:-1] + r")?\s*(?P<which>this|next|the\s+following|the\s+current|within\s+the|the)\s+year", _year_period),
    (r"(?:year[-\s]end|end[-\s]of[-\s]year|the\s+year[-\s]end)", _year_end),
    (r"mid[-\s]?year", _mid_year),
    (r"(?:(?:the\s+)?(?P<unit>day|week|month|quarter|year)'s\s+end|eo(?P<short>[wmqy]))", _unit_end),
    (PART + r"?[-\s]*(?P<year>(?:19|20)\d\d)(?!\s*-\s*\d)", _numbered_year),
    (r"(?:(?P<which>this|next|the\s+following|the)\s+decade|the\s+(?P<decade_year>(?:19|20)\d0)s)", _decade),
    (r"(?:(?P<which>this|next|coming|this\s+coming)\s+)?" + PART + r"?[-\s]*(?P<month>" + MONTH_NAMES + r")\b\.?"
     r"(?P<rel>\s+(?:of\s+)?(?:this\s+year|next\s+year|(?:19|20)\d\d))?", _named_month),
    (r"(?:(?:" + _WD + r"),?\s+)?(?P<month>" + MONTH_NAMES + r")\.?\s+(?:the\s+)?(?P<day>\d{1,2}(?=st|nd|rd|th|\b)|"
     + DAY_WORD + r")"
     r"(?:st|nd|rd|th)?(?:\s*(?:-|–|to|through)\s*(?P<dayto>\d{1,2})(?:st|nd|rd|th)?(?![\w/.:-]))?"
     r"(?:,?\s+(?P<year>(?:19|20)\d\d))?", _month_day),
    (r"(?:the\s+)?(?P<day>\d{1,2}|" + DAY_WORD + r")(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>" + MONTH_NAMES
     + r")\.?(?:,?\s+(?P<year>(?:19|20)\d\d))?", _month_day),
    (r"(?P<clock>(?:at\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}|noon|midday|midnight|"
     r"\d{1,2}\s+o'clock))", _clock),
    (r"the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)(?!\s+(?:of\s+)?(?:" + MONTH_NAMES + r"|century))", _day_of_month),
    (r"(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{1,2}|\d{4}/\d{1,2}/\d{1,2}"
     r"|\d{1,2}\.\d{1,2}\.\d{4})", _explicit_date),
    (r"(?P<which>this|next|the\s+following|the|this\s+coming)?\s*(?P<season>spring|summer|fall|autumn|winter)"
     r"(?:\s+(?:of\s+)?(?P<syear>(?:19|20)\d\d))?", _season),
    (r"(?P<holiday>christmas\s+eve|christmas\s+day|christmas|xmas|boxing\s+day|new\s+year(?:'s|s)?\s+eve"
     r"|new\s+year(?:'s|s)?\s+day|the\s+new\s+year|new\s+year|easter|thanksgiving|labor\s+day|memorial\s+day"
     r"|halloween|valentine's\s+day|independence\s+day|the\s+fourth\s+of\s+july|bastille\s+day)", _holiday),
    (r"(?:(?:iso\s+)?week\s+(?P<week>\d{1,2})(?:\s+of\s+(?P<wyear>(?:19|20)\d\d))?"
     r"|(?P<isoyear>(?:19|20)\d\d)-?w(?P<isoweek>\d{2}))", _iso_week),
    (r"(?P<lead>within|in\s+the\s+next|over\s+the\s+next|in\s+the\s+coming|during\s+the\s+next|"
     r"for\s+the\s+next|over\s+the\s+coming|within\s+the\s+next|within\s+the\s+coming|in\s+the\s+following|"
     r"in\s+the\s+space\s+of|inside\s+of|in|over\s+the\s+following|within\s+the\s+following|"
     r"in\s+less\s+than|in\s+under|less\s+than|(?:the\s+)?next(?=\s+(?:" + NUM + r")\s*[-\s]?" + UNIT_WORDS + r"))"
     r"\s+(?:(?P<n>" + NUM + r")(?:\s*(?:-|to|or)\s*(?P<upto>" + NUM + r"))?\s*[-\s]?)?(?P<unit>" + UNIT_WORDS + r")"
     r"(?:'s|')?(?:\s+time)?(?P<ago>)", _duration),
    (r"(?P<n>" + NUM + r")\s+(?P<unit>" + UNIT_WORDS + r")\s+(?:from\s+now|from\s+today|hence)"
     r"|this\s+time\s+(?P<n2>next)\s+(?P<unit2>week|month|year)", _from_now),
    (r"(?:within|in\s+the\s+coming|over\s+the\s+coming|in\s+the\s+next|over\s+the\s+next|in\s+coming|"
     r"in\s+the\s+following|over\s+the\s+following|in\s+a\s+matter\s+of|in\s+the\s+upcoming|the\s+coming"
     r"|the\s+upcoming)\s+(?P<sunit>hours|days|weeks|months|years)"
     r"|(?:in|over|during|for)\s+the\s+(?P<sunit2>hours|days|weeks|months|years)\s+ahead", _soft),
    (r"(?:soon|shortly|sooner\s+or\s+later|eventually|(?:for|in)\s+the\s+time\s+being|in\s+the\s+long\s+(?:run|term)"
     r"|in\s+the\s+near\s+(?:term|future)|in\s+the\s+short\s+(?:run|term)|in\s+the\s+medium\s+term"
     r"|(?:in|for)\s+the\s+foreseeable\s+future|in\s+the\s+future|until\s+further\s+notice|at\s+some\s+point"
     r"|some\s+day|someday|one\s+day|in\s+due\s+course|before\s+long|any\s+(?:day|time)\s+now"
     r"|imminently|in\s+time|down\s+the\s+(?:road|line)|near(?:\s+term)?|impending|imminent|upcoming)", _vague),
    (r"(?:the\s+)?(?P<event>(?:(?:next|upcoming|coming|\w+)\s+)?(?:[a-z0-9]+\s+)?" + _EVENT_NOUNS + r")", _event),
]

_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DIGITS = tuple("0123456789")
# A rule runs only when one of its words is in the text: most rules never match a given
# quote, and looking words up costs far less than running a regular expression.
TRIGGERS: dict[Any, tuple[str, ...]] = {
    _day: ("today", "tonight", "tomorrow", "morning", "afternoon", "evening", "day", "business", "hour", "eod"),
    _week: ("week",), _weekday: tuple(WEEKDAYS), _month_period: ("month",), _quarter_period: ("quarter",),
    _named_quarter: ("quarter", "q1", "q2", "q3", "q4"), _half: ("half", "h1", "h2"),
    _year_period: ("year",), _year_end: ("year",), _mid_year: ("year",), _unit_end: ("'s", "eow", "eom", "eoq", "eoy"),
    _day_of_relative_month: ("month",),
    _week_of_month: ("first week", "second week", "third week", "fourth week", "last week", "final week"),
    _numbered_year: ("19", "20"), _decade: ("decade", "0s"),
    _named_month: _MONTH_STEMS, _month_day: _MONTH_STEMS, _day_of_month: ("st", "nd", "rd", "th"),
    _clock: ("am", "a.m", "pm", "p.m", ":", "noon", "midday", "midnight", "o'clock"),
    _explicit_date: ("-", "/", "."), _season: ("spring", "summer", "fall", "autumn", "winter"),
    _holiday: ("christmas", "xmas", "boxing", "new year", "easter", "thanksgiving", "labor", "memorial",
               "halloween", "valentine", "independence", "july", "bastille"),
    _iso_week: ("week", "w"),
    _duration: ("hour", "day", "week", "fortnight", "month", "quarter", "year", "decade", "min", "sec", "hr", "wk",
                "mos", "yr"),
    _from_now: ("from now", "from today", "hence", "this time next"), _soft: ("hours", "days", "weeks", "months", "years"),
    _vague: ("soon", "shortly", "eventually", "time being", "long run", "long term", "near", "short", "medium",
             "foreseeable", "future", "further notice", "some point", "some day", "someday", "one day",
             "due course", "before long", "now", "imminent", "in time", "down the", "impending", "upcoming"),
    _event: ("summit", "election", "midterm", "vote", "referendum", "meeting", "conference", "talks", "deadline",
             "olympics", "world cup", "fiscal", "budget", "inauguration", "hearing", "trial", "verdict", "congress",
             "convention", "primar"),
}


_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern[str], Any]]:
    """The rules compiled on first use, so that importing this module costs nothing."""
    return [_compile_rule(pattern, handler) for pattern, handler in RULES]


@lru_cache(maxsize=1)
def _trigger_pieces() -> tuple[tuple[str, ...], ...]:
    """Each rule's trigger words cut to one token-sized piece apiece (the rarest).

    When a trigger word occurs in a text, each of its pieces lies inside one of the
    text's tokens, so testing pieces against tokens can only let more rules through,
    never fewer: it is a safe filter."""
    return tuple(tuple(max(_TOKEN.findall(word), key=_selectivity) for word in TRIGGERS[handler])
                 for _, handler in RULES)


def _selectivity(piece: str) -> tuple[int, bool]:
    """Longer pieces are rarer, and so is punctuation beside a letter ("a.m" → ".")."""
    return len(piece), not piece.isalnum()


@lru_cache(maxsize=8192)
def _rules_for_token(token: str) -> frozenset[int]:
    return frozenset(order for order, pieces in enumerate(_trigger_pieces())
                     if any(piece in token for piece in pieces))


def _candidate_rules(clean: str) -> list[int]:
    """The rules whose trigger words may be in the text, in rule order: a few dictionary
    look-ups per word instead of one search per rule."""
    found: set[int] = set()
    for token in set(_TOKEN.findall(clean)):
        found |= _rules_for_token(token)
    return sorted(found)


def _compile_rule(pattern: str, handler: Any) -> tuple[re.Pattern[str], Any]:
    prefix = r"(?<![\w-])(?<!last )(?<!past )(?<!previous )(?<!earlier )(?<!since )"
    return re.compile(prefix + PREP + "(?:" + pattern + r")(?![\w])"), handler


def _apply_prep(span: _Span, match: re.Match[str], r: date) -> tuple[date | None, date | None, str, str]:
    """Turn a period into (start, deadline, rule, note) by its preposition."""
    prep = " ".join((match.group("prep") or "").split())  # every rule has PREP's groups
    endof = match.group("endof")
    rule, note = span.rule, span.note
    if span.last is None:
        return None, None, rule, note
    if rule == "R-TIME":  # "by 5 pm", "before midnight": the same day, whatever the preposition
        return r, r, "R-DAY", note
    if endof:
        if "R-BY-END" not in rule:
            rule = "R-BY-END" if span.rule.startswith(("R-PERIOD", "R-BY", "R-REST", "R-DAY")) \
                else "R-BY-END + " + rule
        return r, span.last, rule, note
    if prep in BEFORE_PREPS:
        if span.first is None:
            return None, None, rule, note
        return r, span.first - timedelta(days=1), (
            "R-BEFORE" if span.kind == "exact" else rule + " + R-BEFORE"), note
    if prep in BY_PREPS:
        if span.rule == "R-PART-OF":
            rule = "R-PART-OF + R-BY-PERIOD" if span.last.month != 7 or span.last.day != 15 else rule
        elif span.rule.startswith("R-PERIOD") and "weekend" not in span.rule and "decade" not in span.rule:
            rule = "R-BY-PERIOD"
        elif "weekend" in span.rule:
            rule = "R-BY-PERIOD"
        return r, span.last, rule, note
    if span.kind in {"rolling", "soft"} or span.rule.startswith(("R-REST", "R-BY")):
        return span.first, span.last, rule, note
    if span.kind == "event":
        return r, span.last, rule, note
    return span.first, span.last, rule, note


_ISO = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*")


def parse_deadline(text: str, made_on: date) -> Deadline:
    """Read the deadline in `text` relative to `made_on`; raise UnknownDeadline if none."""
    if not isinstance(text, str):
        raise UnknownDeadline("deadline words must be text")
    iso = _ISO.fullmatch(text)
    if iso:  # the common case in files
        return _iso_reading(iso.group(1))
    if len(text) <= 200:
        return _parse_cached(text, made_on)
    return _parse(text, made_on)


@lru_cache(maxsize=8192)
def _iso_reading(text: str) -> Deadline:
    day = _iso_whole(text)
    assert day is not None
    return Deadline(day, day, "exact", "R-DATE", text)


@lru_cache(maxsize=8192)
def _parse_cached(text: str, made_on: date) -> Deadline:
    return _parse(text, made_on)


def _parse(text: str, made_on: date) -> Deadline:
    if len(text) > MAX_INPUT:
        raise UnknownDeadline(f"deadline text longer than {MAX_INPUT} characters")
    clean = " ".join(text.replace("\u2019", "'").replace("\u2018", "'").lower().split())
    if not clean:
        raise UnknownDeadline("empty deadline: give a date such as 2025-06-15 or words such as 'this week'")
    iso = _iso_whole(clean)
    if iso is not None:
        return Deadline(iso, iso, "exact", "R-DATE", clean)
    best: tuple[tuple[bool, int, int], Deadline] | None = None
    found: list[tuple[re.Match[str], Deadline]] = []
    starts = _starts(clean)
    rules = _compiled()
    for order in _candidate_rules(clean):
        pattern, handler = rules[order]
        end = 0
        for start in starts:  # the same matches as pattern.finditer(clean), tried at the starts only
            if start < end:
                continue
            match = pattern.match(clean, start)
            if match is None or match.end() == start:
                continue
            end = match.end()
            try:
                span = handler(match, made_on)
            except (ValueError, OverflowError, KeyError):
                span = None
            if span is None:
                continue
            reading = _reading(span, match, made_on)
            if reading is None:
                continue
            found.append((match, reading))
            # the longest wins; but words that give a date beat words that give none
            # ("at some point next year" is next year; "talks ... next week" is next week)
            key = (reading.date is None, -len(match.group(0)), order)
            if best is None or key < best[0]:
                best = (key, reading)
    if best is not None:
        best = (best[0], _later_alternative(clean, best[1], found))
    if best is None:
        if _BARE_DURATION.fullmatch(clean):  # "-d '2 weeks'": a duration on its own means within it
            return replace(_parse("within " + clean, made_on), phrase=clean)
        raise UnknownDeadline(
            f"no time frame found in {clean[:60]!r}: give a date (2025-06-15) or words such "
            "as 'this week', 'by Friday', 'within 90 days', 'later this year'"
        )
    return best[1]


_BARE_DURATION = re.compile(r"(?:" + NUM + r")\s*[-\s]?" + UNIT_WORDS)


_START = re.compile(r"(?<![\w-])")


def _starts(clean: str) -> list[int]:
    r"""Where a rule can begin: every rule opens with `(?<![\w-])`, so only these positions
    can start a match, and trying them alone is much cheaper than scanning every one."""
    return [m.start() for m in _START.finditer(clean)]


_JOINER = re.compile(r"\s*(?:or|to|and|-|or\s+by)\s+(?:early|late|on|by|possibly|perhaps)?\s*")


def _later_alternative(clean: str, chosen: Deadline,
                       found: list[tuple[re.Match[str], Deadline]]) -> Deadline:
    """'late Monday or early Tuesday': two days joined by 'or' give the later one."""
    if len(found) < 2:
        return chosen
    spans = [(m, d) for m, d in found if d.date is not None and d.kind == chosen.kind
             and not any(o.start() <= m.start() and m.end() <= o.end() and o.end() - o.start() > m.end() - m.start()
                         for o, _ in found)]  # "June" inside "June 20" is not a second day
    for first, first_reading in spans:
        if first_reading != chosen:
            continue
        for second, second_reading in spans:
            between = clean[first.end():second.start()]
            if second.start() >= first.end() and _JOINER.fullmatch(between or " "):
                if second_reading.date and chosen.date and second_reading.date > chosen.date:
                    return replace(second_reading, phrase=clean[first.start():second.end()],
                                   start=chosen.start)
    return chosen


def _reading(span: _Span, match: re.Match[str], made_on: date) -> Deadline | None:
    start, deadline, rule, note = _apply_prep(span, match, made_on)
    if deadline is not None and deadline < made_on:
        return None  # a past period is not a deadline ("last week")
    alternatives = tuple(a for a in span.alternatives if a != deadline)
    return Deadline(
        date=deadline, start=start, kind=span.kind, rule=rule,
        phrase=" ".join(match.group(0).split()), ambiguous=span.ambiguous,
        alternatives=alternatives, note=note,
    )


_ISO_WHOLE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_whole(clean: str) -> date | None:
    if _ISO_WHOLE.fullmatch(clean):
        try:
            return date.fromisoformat(clean)
        except ValueError:
            raise UnknownDeadline(f"{clean!r} is not a calendar date") from None
    return None

