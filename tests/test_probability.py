"""Probability words and numbers (ledger.parse_probability)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import LedgerError, UnknownProbability, parse_probability, rescore
from ledger.language.probability import ALIASES
from ledger.language.scales import BUILTIN_SCALES, load_scale, parse_scale_csv

SURVEYS = Path(__file__).resolve().parent / "data" / "phrase-surveys.csv"

SCALE_ROWS = [(name, phrase) for name in BUILTIN_SCALES for phrase in load_scale(name).rows]


@pytest.mark.parametrize(("scale", "phrase"), SCALE_ROWS)
def test_every_phrase_of_every_scale_reads_as_its_row(scale: str, phrase: str) -> None:
    row = load_scale(scale).rows[phrase]
    reading = parse_probability(phrase, scale)
    assert (reading.value, reading.phrase, reading.kind) == (row.probability, phrase, "phrase")
    assert reading.low == row.low and reading.high == row.high
    # ... also inside a longer quote, in other case
    assert parse_probability(f"Officials said it is {phrase.upper()} to happen", scale).value == row.probability


def _survey_rows() -> list[dict[str, str]]:
    with SURVEYS.open() as handle:
        return list(csv.DictReader(handle))


def test_every_survey_phrase_falls_inside_its_readers_range() -> None:
    rows = _survey_rows()
    assert len(rows) > 90
    for row in rows:
        value = parse_probability(row["phrase"]).value
        assert float(row["p10"]) / 100 - 1e-9 <= value <= float(row["p90"]) / 100 + 1e-9, row


def test_every_alias_points_at_a_default_phrase() -> None:
    default = load_scale("default")
    assert all(target in default.rows for target in ALIASES.values())


@pytest.mark.parametrize(("text", "value"), [
    ("0.7", 0.7), (".7", 0.7), ("0", 0.0), ("1", 1.0), ("70%", 0.7), ("70 %", 0.7),
    ("70 percent", 0.7), ("70 per cent", 0.7), ("a 70% chance", 0.7), ("7 in 10", 0.7),
    ("seven in ten", 0.7), ("1-in-5", 0.2), ("one in five", 0.2), ("3 out of 4", 0.75),
    ("two-thirds", 2 / 3), ("two thirds", 2 / 3), ("three quarters", 0.75),
    ("three-quarters", 0.75), ("3:1", 0.75), ("3 to 1", 0.75), ("3 to 1 against", 0.25),
    ("1:3", 0.25), ("50-50", 0.5), ("fifty-fifty", 0.5), ("even odds", 0.5),
    ("a 12.5% probability", 0.125),
])
def test_numbers(text: str, value: float) -> None:
    reading = parse_probability(text)
    assert reading.kind == "number" and reading.phrase is None
    assert reading.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["1.5", "150%", "70", "-0.2", "11 in 10", "0:0"])
def test_out_of_range_numbers_are_errors(text: str) -> None:
    with pytest.raises(LedgerError):
        parse_probability(text)


@pytest.mark.parametrize(("text", "phrase", "low", "high"), [
    ("likely to talk this week", "likely", 0.55, 0.80),
    ("a high probability Xi takes the call", "high probability", 0.80, 0.95),
    ("cardinal changes are unlikely for the time being", "unlikely", 0.20, 0.45),
    ("I don't think Xi is too interested in exporting", "probably not", 0.20, 0.45),
    ("skeptical about the likelihood of this call", "probably not", 0.20, 0.45),
    ("this is not likely to happen again", "not likely", 0.20, 0.45),
    ("is not expected to pass", "probably not", 0.20, 0.45),
    ("doesn't expect a deal", "probably not", 0.20, 0.45),
    ("the storm is expected to weaken", "expected", 0.55, 0.80),
    ("the bill is set to pass", "set to", 0.80, 0.95),
    ("the deal will close on Friday", "will", 0.95, 0.99),
    ("the deal won't close", "will not", 0.01, 0.05),
    ("rates may rise", "may", 0.45, 0.55),
    ("it is highly possible", "may", 0.45, 0.55),
    ("almost certainly", "almost certain", 0.95, 0.99),
    ("a toss-up", "about even", 0.45, 0.55),
])
def test_news_wordings_land_in_the_right_icd203_band(text: str, phrase: str, low: float, high: float) -> None:
    reading = parse_probability(text)
    assert reading.phrase == phrase
    assert low <= reading.value <= high


def test_weak_words_are_flagged() -> None:
    assert parse_probability("could").weak and parse_probability("might happen").weak
    assert not parse_probability("likely").weak


def test_negation_flips_meaning() -> None:
    assert parse_probability("not likely").negated
    assert parse_probability("not likely").value < 0.5 < parse_probability("likely").value
    assert 0.5 < parse_probability("not unlikely").value < parse_probability("likely").value
    assert parse_probability("isn't very likely").value < 0.5


def test_modifiers_follow_mosteller_youtz() -> None:
    # half-way to the nearer bound, when the scale has no entry of its own
    assert parse_probability("extremely likely", "kent").value == pytest.approx(0.75 + 0.25 * 0.75)
    assert parse_probability("quite likely", "nato").value == pytest.approx(0.75 + 0.25 * 0.25)
    # "very likely" is in the default table and reads as "highly likely" elsewhere
    assert parse_probability("very likely", "nato").value == 0.95
    # the scale's own entry wins over the rule
    assert parse_probability("very likely", "icd203").value == 0.875
    assert parse_probability("fairly likely").value == pytest.approx(0.75 - 0.25 * 0.5)
    assert parse_probability("very unlikely").value == load_scale("default").rows["very unlikely"].probability


def test_scales_differ_and_fall_back() -> None:
    assert parse_probability("likely", "icd203").value == 0.675
    assert parse_probability("likely", "ipcc").value == 0.83
    reading = parse_probability("slam dunk", "nato")
    assert reading.scale_fallback and reading.value == 0.95


def test_unknown_words_suggest_neighbours() -> None:
    with pytest.raises(UnknownProbability, match="did you mean 'likely'"):
        parse_probability("likley")
    with pytest.raises(UnknownProbability):
        parse_probability("the weather in Paris")


def test_rescore_keeps_numbers_and_rereads_words() -> None:
    assert rescore(None, 0.7, "icd203") == 0.7
    assert rescore("likely", 0.75, "icd203") == 0.675
    assert rescore("not likely", 0.25, "default") == 0.25


def test_user_scale_file(tmp_path: Path) -> None:
    path = tmp_path / "newsroom.csv"
    path.write_text("phrase,probability,low,high,source\nlikely,0.6,0.5,0.7,our style guide\n")
    assert parse_probability("likely", str(path)).value == 0.6


@pytest.mark.parametrize(("text", "message"), [
    ("phrase,probability,low,high\nlikely,0.6,0.5,0.7\n", "line 1: missing column(s): source"),
    ("phrase,probability,low,high,source\nlikely,zero,0.5,0.7,x\n", "line 2: probability 'zero' is not a number"),
    ("phrase,probability,low,high,source\nlikely,0.6,0.5,0.7,x\nlikely,0.6,0.5,0.7,x\n", "line 3: phrase 'likely' appears twice"),
    ("phrase,probability,low,high,source\nlikely,0.9,0.5,0.7,x\n", "line 2: probability must lie between"),
    ("phrase,probability,low,high,source\nsure,1.0,0.9,1.0,x\n", "line 2: a phrase may not mean exactly 0 or 1"),
    ("phrase,probability,low,high,source\n", "no phrases"),
])
def test_bad_scale_files_name_the_line(text: str, message: str) -> None:
    with pytest.raises(LedgerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_scale_csv(text, name="x", origin="x.csv")


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=1, places=4))
def test_decimal_strings_round_trip(value) -> None:
    assert parse_probability(str(value)).value == pytest.approx(float(value))
    assert parse_probability(f"{float(value) * 100:.2f}%").value == pytest.approx(float(value), abs=1e-9)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_no_input_raises_anything_but_the_projects_error(text: str) -> None:
    try:
        reading = parse_probability(text)
    except LedgerError:
        return
    assert 0.0 <= reading.value <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["not", "very", "likely", "70%", "in", "3", "to", "1", "against",
                                 "may", "never", "won't", "odds", "-", ":", "chance", "%"]), max_size=8))
def test_word_salad_never_crashes(words: list[str]) -> None:
    try:
        reading = parse_probability(" ".join(words))
    except LedgerError:
        return
    assert 0.0 <= reading.value <= 1.0
