"""Deadline words (ledger.parse_deadline)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import LedgerError, UnknownDeadline, parse_deadline

CASES = Path(__file__).resolve().parent / "data" / "deadline-cases.csv"
MONDAY = date(2025, 6, 2)


def _cases() -> list[dict[str, str]]:
    with CASES.open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["phrase"])
def test_worked_cases(case: dict[str, str]) -> None:
    reading = parse_deadline(case["phrase"], date.fromisoformat(case["made_on"]))
    assert reading.kind == case["kind"]
    assert reading.date == (date.fromisoformat(case["deadline"]) if case["deadline"] else None)
    assert reading.start == (date.fromisoformat(case["window_start"]) if case["window_start"] else None)
    assert reading.rule.split()[0] == case["rule"].split()[0]


def test_case_table_is_complete() -> None:
    assert len(_cases()) == 75


@pytest.mark.parametrize(("words", "said_on", "deadline"), [
    ("this week", date(2025, 6, 1), date(2025, 6, 8)),      # Sunday: the coming week
    ("by the end of the week", date(2025, 6, 1), date(2025, 6, 8)),
    ("next week", date(2025, 6, 1), date(2025, 6, 15)),
    ("this week", date(2025, 6, 8), date(2025, 6, 15)),
    ("this week", date(2025, 6, 7), date(2025, 6, 8)),      # Saturday: still this week
])
def test_sunday_rule(words: str, said_on: date, deadline: date) -> None:
    assert parse_deadline(words, said_on).date == deadline


@pytest.mark.parametrize(("words", "said_on", "deadline"), [
    ("within a month", date(2025, 1, 31), date(2025, 2, 28)),
    ("within a month", date(2024, 1, 31), date(2024, 2, 29)),
    ("within a year", date(2024, 2, 29), date(2025, 2, 28)),
    ("by February 29", date(2025, 6, 2), date(2028, 2, 29)),
    ("by February 29", date(2024, 1, 10), date(2024, 2, 29)),
    ("by the end of February", date(2024, 1, 10), date(2024, 2, 29)),
    ("by March", date(2025, 6, 2), date(2026, 3, 31)),
    ("in January", date(2025, 12, 21), date(2026, 1, 31)),
    ("next month", date(2025, 12, 5), date(2026, 1, 31)),
    ("next quarter", date(2025, 11, 5), date(2026, 3, 31)),
    ("this week", date(2025, 12, 31), date(2026, 1, 4)),     # ISO week 1 of 2026
    ("by the 31st", date(2025, 6, 2), date(2025, 7, 31)),
    ("in week 1", date(2025, 12, 29), date(2026, 1, 4)),
])
def test_calendar_arithmetic(words: str, said_on: date, deadline: date) -> None:
    assert parse_deadline(words, said_on).date == deadline


@pytest.mark.parametrize(("words", "deadline"), [
    ("2025-06-15", date(2025, 6, 15)), ("June 15", date(2025, 6, 15)),
    ("15 June 2025", date(2025, 6, 15)), ("6/15/2025", date(2025, 6, 15)),
    ("the 15th", date(2025, 6, 15)), ("June 15th, 2026", date(2026, 6, 15)),
    ("the talks are likely to end by June 20", date(2025, 6, 20)),
    ("the first of March", date(2026, 3, 1)), ("March the 3rd", date(2026, 3, 3)),
    ("on the twenty-first of July", date(2025, 7, 21)), ("3rd of March 2026", date(2026, 3, 3)),
    ("next March", date(2026, 3, 31)), ("by next June", date(2026, 6, 30)), ("this July", date(2025, 7, 31)),
])
def test_explicit_dates(words: str, deadline: date) -> None:
    assert parse_deadline(words, MONDAY).date == deadline


@pytest.mark.parametrize("words", ["at 3pm", "by 5:30 p.m.", "at noon", "before midnight", "at 8 o'clock",
                                   "in 15 minutes", "within the next 30 minutes"])
def test_times_of_day_and_minutes_are_the_same_day(words: str) -> None:
    reading = parse_deadline(words, MONDAY)
    assert (reading.date, reading.kind) == (MONDAY, "exact" if "minutes" not in words else "rolling")


def test_finds_time_words_inside_a_quote() -> None:
    reading = parse_deadline("the leaders are likely to talk this week", MONDAY)
    assert (reading.phrase, reading.date) == ("this week", date(2025, 6, 8))


def test_longest_expression_wins() -> None:
    assert parse_deadline("by the end of next week", MONDAY).date == date(2025, 6, 15)
    assert parse_deadline("early next year", MONDAY).date == date(2026, 4, 30)


def test_ambiguity_is_reported_with_alternatives() -> None:
    reading = parse_deadline("next Tuesday", MONDAY)
    assert reading.ambiguous and reading.date == date(2025, 6, 10)
    assert reading.alternatives == (date(2025, 6, 3),)
    assert parse_deadline("by 2030", MONDAY).alternatives == (date(2029, 12, 31),)


def test_soft_event_and_vague_kinds() -> None:
    assert parse_deadline("in the coming days", MONDAY).kind == "soft"
    event = parse_deadline("before the election", MONDAY)
    assert (event.kind, event.date) == ("event", None)
    known = parse_deadline("ahead of the midterms", MONDAY)
    assert (known.kind, known.date) == ("event", date(2026, 11, 2))
    for words in ("soon", "for the time being", "in the long run", "until further notice"):
        reading = parse_deadline(words, MONDAY)
        assert (reading.kind, reading.date) == ("vague", None)


def test_two_days_joined_by_or_give_the_later() -> None:
    assert parse_deadline("late on Monday or early Tuesday", date(2019, 9, 1)).date == date(2019, 9, 3)


def test_past_periods_are_not_deadlines() -> None:
    with pytest.raises(UnknownDeadline):
        parse_deadline("last week", MONDAY)


def test_words_without_time_meaning_raise() -> None:
    with pytest.raises(UnknownDeadline, match="no time frame"):
        parse_deadline("when pigs fly", MONDAY)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
       st.integers(min_value=0, max_value=4000))
def test_iso_dates_parse_to_themselves(day: date, days_before: int) -> None:
    made_on = max(date(1900, 1, 1), day - timedelta(days=days_before))
    assert parse_deadline(day.isoformat(), made_on).date == day


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80), st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 1, 1)))
def test_no_input_raises_anything_but_the_projects_error(text: str, made_on: date) -> None:
    try:
        reading = parse_deadline(text, made_on)
    except LedgerError:
        return
    assert reading.date is None or reading.date >= made_on or reading.rule == "R-DATE"


WORDS = ["by", "the", "end", "of", "next", "this", "week", "month", "year", "within", "in", "90",
         "days", "june", "15", "2025", "before", "mid", "early", "late", "q3", "summer", "christmas",
         "monday", "or", "tuesday", "a", "few", "weeks", "coming", "decade", "2030s", "w25", "-"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=7),
       st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_time_word_salad_never_crashes(words: list[str], made_on: date) -> None:
    try:
        reading = parse_deadline(" ".join(words), made_on)
    except LedgerError:
        return
    assert reading.kind in {"exact", "rolling", "soft", "event", "vague"}


TRIGGER_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 .:'-/"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=TRIGGER_ALPHABET, max_size=60),
                 st.lists(st.sampled_from(WORDS + ["a.m.", "5pm", "o'clock", "1990s", "from now", "new year's",
                                                   "world cup", "primaries", "h1", "3rd", "12:30"]),
                          max_size=8).map(" ".join)))
def test_rule_filter_never_drops_a_rule_whose_words_are_there(text: str) -> None:
    """The word look-up that picks which rules to try may let extra rules through, but
    never skips one with a trigger word in the text (that would lose a reading)."""
    from ledger.language import timeframe

    exact = {order for order, (_, handler) in enumerate(timeframe.RULES)
             if any(word in text for word in timeframe.TRIGGERS[handler])}
    assert exact <= set(timeframe._candidate_rules(text))


@pytest.mark.parametrize(("words", "deadline", "kind"), [
    ("the day after tomorrow", date(2025, 6, 4), "exact"),
    ("by the middle of next year", date(2026, 8, 31), "exact"),     # "the middle of" = mid
    ("by the start of 2026", date(2026, 4, 30), "exact"),
    ("the beginning of July", date(2025, 7, 10), "exact"),
    ("the first of next month", date(2025, 7, 1), "exact"),
    ("by the 15th of this month", date(2025, 6, 15), "exact"),
    ("early next month", date(2025, 7, 10), "exact"),
    ("mid-next month", date(2025, 7, 15), "exact"),
    ("late this month", date(2025, 6, 30), "exact"),
    ("25.12.2025", date(2025, 12, 25), "exact"),                    # dotted dates are day first
    ("by month's end", date(2025, 6, 30), "exact"),
    ("by the year's end", date(2025, 12, 31), "exact"),
    ("by EOY", date(2025, 12, 31), "exact"),
    ("by eow", date(2025, 6, 8), "exact"),
    ("within the hour", date(2025, 6, 2), "exact"),
    ("in half an hour", date(2025, 6, 2), "exact"),
    ("in 2 wks", date(2025, 6, 16), "rolling"),
    ("within 5 yrs", date(2030, 6, 2), "rolling"),
    ("the next two weeks", date(2025, 6, 16), "rolling"),
    ("the next few weeks", date(2025, 6, 23), "soft"),
    ("in the weeks ahead", date(2025, 7, 2), "soft"),
    ("the coming months", date(2026, 6, 2), "soft"),
    ("at some point next year", date(2026, 12, 31), "exact"),      # a date beats vague words
    ("officials said talks are likely to resume next week", date(2025, 6, 15), "exact"),  # and unknown events
    ("on Tuesday, June 10", date(2025, 6, 10), "exact"),            # the written date, not this Tuesday
    ("by Wednesday next week", date(2025, 6, 11), "exact"),
    ("the week after next", date(2025, 6, 22), "exact"),
    ("by the new year", date(2026, 1, 1), "exact"),
    ("by mid-year", date(2025, 8, 31), "exact"),                    # the middle third, as "mid-2026"
    ("in two to three weeks", date(2025, 6, 23), "soft"),           # a range: its far end, provisional
    ("in 2-3 weeks", date(2025, 6, 23), "soft"),
    ("between June 10 and June 20", date(2025, 6, 20), "exact"),   # two days joined: the later
    ("June 10-20", date(2025, 6, 20), "exact"),
    ("the first week of July", date(2025, 7, 7), "exact"),
    ("the last week of June", date(2025, 6, 30), "exact"),
    ("2 weeks", date(2025, 6, 16), "rolling"),                      # a duration alone: within it
])
def test_more_news_forms(words: str, deadline: date, kind: str) -> None:
    reading = parse_deadline(words, MONDAY)
    assert (reading.date, reading.kind) == (deadline, kind)


@pytest.mark.parametrize("words", ["next week", "the next week", "over the next decade", "for the time being"])
def test_new_forms_leave_old_readings_alone(words: str) -> None:
    expected = {"next week": date(2025, 6, 15), "the next week": date(2025, 6, 15),
                "over the next decade": date(2035, 6, 2), "for the time being": None}[words]
    assert parse_deadline(words, MONDAY).date == expected
