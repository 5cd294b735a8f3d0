"""Probability words and numbers → a probability, read through a named scale.

`parse_probability("likely to talk this week")` finds "likely" and returns its value on
the chosen scale. Numbers ("70%", "7 in 10", "3 to 1") keep their value under every
scale. The rules (aliases, negation, modifiers, weak words) are documented in
docs/probability.md.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from ledger.errors import UnknownProbability
from ledger.language.numbers import NUMBER_PATTERN, number_value
from ledger.language.scales import Scale, load_scale, normalise_phrase

MAX_INPUT = 10_000

# Surface forms news copy uses → the canonical phrase of the default scale.
ALIASES: dict[str, str] = {
    # near certainty
    "almost certainly": "almost certain", "virtually certain": "almost certain",
    "all but certain": "almost certain", "nearly certain": "almost certain",
    "near certain": "almost certain", "near-certain": "almost certain",
    "odds overwhelming": "almost certain", "almost sure": "almost certain",
    "certainly": "certain", "sure to": "certain", "certain to": "certain",
    "guaranteed": "certain", "inevitable": "certain", "inevitably": "certain",
    "bound to": "bound to", "will": "will", "'ll": "will", "going to": "will",
    "won't": "will not", "will not": "will not", "never": "will not",
    # likely side
    "highly probable": "highly likely", "most likely": "very likely",
    "very probable": "very likely", "excellent chance": "very good chance",
    "with high probability": "high probability", "high likelihood": "high probability",
    "strong likelihood": "high probability", "probably": "probably",
    "chances are good": "good chance",
    "decent chance": "good chance", "strong possibility": "serious possibility",
    "distinct possibility": "real possibility", "we estimate": "we believe",
    "expected to": "expected", "expected": "expected", "expects": "expected",
    "expect": "expected", "expecting": "expected", "anticipated": "expected",
    "anticipates": "expected", "anticipate": "expected", "predicted": "expected",
    "predicts": "expected", "predict": "expected", "forecast to": "expected",
    "forecasts": "expected", "forecast": "expected", "projected to": "expected",
    "projected": "expected", "imminent": "expected", "impending": "expected",
    "is near": "expected", "was near": "expected", "are near": "expected", "were near": "expected",
    "set to": "set to", "poised to": "set to", "on course to": "on track to",
    "on track to": "on track to", "on pace to": "on track to",
    "more likely than not": "better than even", "better-than-even": "better than even",
    # about even
    "even chance": "about even", "roughly even chance": "about even",
    "roughly even odds": "about even", "chances about even": "about even",
    "about as likely as not": "about even", "as likely as not": "about even",
    "toss-up": "about even", "toss up": "about even", "tossup": "about even",
    "coin flip": "about even", "coin toss": "about even", "fair chance": "about even",
    "moderate probability": "with moderate probability",
    "may": "may", "might": "may", "could": "may", "possible": "may",
    "possibly": "may", "possibility": "may", "potential": "may", "potentially": "may",
    "perhaps": "may", "maybe": "may", "conceivable": "may", "conceivably": "may",
    "may happen": "may", "might happen": "may", "could happen": "may",
    "unclear": "uncertain", "not certain": "uncertain", "not sure": "uncertain",
    "unsure": "uncertain",
    # unlikely side
    "likely not": "probably not", "probably won't": "probably not",
    "doubt": "we doubt", "doubts": "we doubt", "doubtful": "we doubt",
    "doubted": "we doubt", "skeptical": "probably not", "sceptical": "probably not",
    "skeptics": "probably not", "skepticism": "probably not",
    "don't think": "probably not", "do not think": "probably not",
    "doesn't think": "probably not", "does not think": "probably not",
    "don't believe": "probably not", "doesn't believe": "probably not",
    "don't expect": "probably not", "do not expect": "probably not",
    "doesn't expect": "probably not", "does not expect": "probably not",
    "not expected": "probably not",
    "low probability": "with low probability", "low chance": "with low probability",
    "low likelihood": "with low probability", "highly improbable": "highly unlikely",
    "small chance": "chances are slight", "slight chance": "chances are slight",
    "slim chance": "chances are slight", "some slight chance": "chances are slight",
    "outside chance": "little chance", "long shot": "little chance",
    "remote": "remote chance", "remote possibility": "remote chance",
    "virtually no chance": "almost no chance", "next to no chance": "almost no chance",
    "little to no chance": "almost no chance", "almost certainly not": "almost no chance",
    "virtually impossible": "almost no chance", "highly doubtful": "almost no chance",
    "zero chance": "no chance",
    # frequency words readers were surveyed on (Mauboussin & Mauboussin 2018)
    "always": "certain", "almost always": "almost certain", "usually": "probably",
    "often": "probably", "frequently": "probably", "more often than not": "better than even",
    "rarely": "little chance", "seldom": "little chance",
}

VERBAL = {"expected", "will", "will not", "set to", "on track to", "bound to", "certain"}
WEAK = {"may", "uncertain"}

# Mosteller & Youtz (1990): an intensifier moves a word about half-way to the nearer
# bound; a hedge moves it half-way back towards even.
INTENSIFIERS = {"very": 0.5, "highly": 0.5, "extremely": 0.75, "exceptionally": 0.75,
                "quite": 0.25, "pretty": 0.25, "really": 0.25}
HEDGES = {"fairly": 0.5, "somewhat": 0.5, "rather": 0.5}
MODIFIERS = {**INTENSIFIERS, **HEDGES}

NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever|\bhardly|\bno longer)\s+"
    r"(?:(?:be|been|seem|seems|so|too|that|all|at|considered|thought|as|particularly"
    r"|especially|terribly|really|yet|very)\s+){0,2}$"
)

_WORD_NUMBER = NUMBER_PATTERN
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|pct\b)")
_IN_N = re.compile(
    rf"\b({_WORD_NUMBER})(?:\s*-\s*|\s+)(?:in|out of)(?:\s*-\s*|\s+)({_WORD_NUMBER})\b"
)
_ODDS = re.compile(
    r"(?<![\d.:/-])(\d+(?:\.\d+)?)\s*(?::|\bto\b)\s*(\d+(?:\.\d+)?)(?![\d.:/])"
    r"(?:\s+(against|on|in favou?r|for))?"
)
_FRACTIONS = {
    "half": 0.5, "one half": 0.5, "a half": 0.5, "one third": 1 / 3, "a third": 1 / 3,
    "two thirds": 2 / 3, "one quarter": 0.25, "a quarter": 0.25, "three quarters": 0.75,
    "one fourth": 0.25, "three fourths": 0.75, "one fifth": 0.2, "a fifth": 0.2,
    "two fifths": 0.4, "three fifths": 0.6, "four fifths": 0.8, "one tenth": 0.1,
    "a tenth": 0.1, "nine tenths": 0.9,
}
_FRACTION = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k).replace(r"\ ", "[- ]") for k in _FRACTIONS),
                             key=len, reverse=True)) + r")\b"
)
_EVEN = re.compile(r"\b(?:50\s*[-/]\s*50|fifty[- ]fifty|(?<!roughly )even odds|evens)\b")
_PLAIN = re.compile(r"(?:a\s+|an\s+)?(\d*\.\d+|\d+)\s*(?:chance|probability|likelihood)?")


@dataclass(frozen=True)
class Probability:
    """A reading of probability words or a number."""

    value: float
    phrase: str | None  # canonical phrase, or None for a number
    scale: str
    low: float
    high: float
    kind: str  # "number" | "phrase"
    matched: str = ""  # the words as found in the text
    negated: bool = False
    weak: bool = False  # possibility words ("may", "could"): weak evidence (Kent)
    scale_fallback: bool = False  # phrase missing from the scale; default table used

    def describe(self) -> str:
        if self.kind == "number":
            return f"{self.matched} → {self.value:.2f}"
        note = " (weak: a possibility word)" if self.weak else ""
        return f"{self.matched} → {self.value:.2f} on scale {self.scale}{note}"


_DECIMAL = re.compile(r"\s*(0?\.\d+|[01](?:\.\d*)?)\s*")


def parse_probability(text: str, scale: str = "default") -> Probability:
    """Read a number or probability words; raise UnknownProbability if neither."""
    if not isinstance(text, str):
        raise UnknownProbability("a probability must be text")
    if len(text) <= 40:  # the common case in files: a plain decimal in [0, 1]
        number = _plain_decimal(text)
        if number is not None:
            return number
    table = load_scale(scale)  # cached; a changed scale file gives a new object
    if len(text) <= 200:
        return _parse_cached(text, table)
    return _parse(text, table)


@lru_cache(maxsize=8192)
def _plain_decimal(text: str) -> Probability | None:
    """A plain decimal in [0, 1] read once per distinct text: a file of a million
    forecasts holds only a few hundred different numbers (a Probability is frozen)."""
    plain = _DECIMAL.fullmatch(text)
    if plain:
        value = float(plain.group(1))
        if value <= 1.0:
            return _number(value, plain.group(1))
    return None


@lru_cache(maxsize=8192)
def _parse_cached(text: str, table: Scale) -> Probability:
    return _parse(text, table)


def _parse(text: str, table: Scale) -> Probability:
    if len(text) > MAX_INPUT:
        raise UnknownProbability(f"probability text longer than {MAX_INPUT} characters")
    clean = normalise_phrase(text)
    if not clean:
        raise UnknownProbability("empty probability: give a number such as 0.7 or words such as 'likely'")
    number = _parse_number(clean)
    if number is not None:
        return number
    found = _find_phrase(clean, table)
    if found is None:
        raise UnknownProbability(_unknown_message(clean, table))
    return found


def _number(value: float, matched: str) -> Probability:
    if not 0.0 <= value <= 1.0:
        raise UnknownProbability(f"probability {matched!r} is outside 0 to 1 (0% to 100%)")
    return Probability(value=value, phrase=None, scale="", low=value, high=value,
                       kind="number", matched=matched)


def _parse_number(clean: str) -> Probability | None:
    """Numbers anywhere in the text (percent, N in M, odds); bare numbers only whole."""
    plain = _PLAIN.fullmatch(clean)
    if plain:
        value = float(plain.group(1))
        if value > 1:
            raise UnknownProbability(
                f"probability {clean!r} is outside 0 to 1; did you mean {plain.group(1)}%?"
            )
        return _number(value, clean)
    if _EVEN.search(clean):
        return _number(0.5, _EVEN.search(clean).group(0))
    match = _PERCENT.search(clean)
    if match:
        return _number(float(match.group(1)) / 100, match.group(0))
    match = _IN_N.search(clean)
    if match:
        top, bottom = number_value(match.group(1)), number_value(match.group(2))
        if top is not None and bottom:
            return _number(top / bottom, match.group(0))
    match = _ODDS.search(clean)
    if match:
        a, b = float(match.group(1)), float(match.group(2))
        if a + b == 0:
            raise UnknownProbability(f"odds {match.group(0)!r} have no meaning")
        value = b / (a + b) if match.group(3) == "against" else a / (a + b)
        return _number(value, match.group(0))
    match = _FRACTION.search(clean)
    if match and (match.group(0) != "half" or clean in {"half", "a half"}):
        return _number(_FRACTIONS[match.group(0).replace("-", " ")], match.group(0))
    return None


@lru_cache(maxsize=64)
def _surfaces(scale: Scale) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over every known surface form, and surface → canonical phrase."""
    canonical: dict[str, str] = {}
    for phrase in load_scale("default").rows:
        canonical[phrase] = phrase
    canonical.update(ALIASES)
    for phrase in scale.rows:  # the scale's own words win: they are read as written
        canonical[phrase] = phrase
    words = sorted(canonical, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?")
                    for w in words)
    modifier = "|".join(MODIFIERS)
    pattern = re.compile(rf"(?<![\w'])(?:(?P<mod>{modifier})\s+)?(?P<base>{body})(?![\w'])")
    return pattern, canonical


def _rank(canonical: str) -> int:
    if canonical in WEAK:
        return 2
    if canonical in VERBAL:
        return 1
    return 0


def _find_phrase(clean: str, scale: Scale) -> Probability | None:
    pattern, canonical = _surfaces(scale)
    best: tuple[tuple[int, int, int], Probability] | None = None
    for match in pattern.finditer(clean):
        mod, base = match.group("mod"), " ".join(match.group("base").split())
        if mod and f"{mod} {base}" in canonical:
            mod, base = None, f"{mod} {base}"
        reading = _read(canonical[base], mod, clean[: match.start()], scale, match.group(0))
        if reading is None:
            continue
        key = (_rank(canonical[base]), -len(match.group(0)), match.start())
        if best is None or key < best[0]:
            best = (key, reading)
    return best[1] if best else None


def _read(canonical: str, mod: str | None, before: str, scale: Scale,
          matched: str) -> Probability | None:
    row, fallback = _lookup(canonical, scale)
    if row is None:
        return None
    value, low, high = row.probability, row.low, row.high
    phrase = canonical
    if mod and canonical not in WEAK:
        value = _modify(value, mod)
        low, high = min(low, value), max(high, value)
        phrase = f"{mod} {canonical}"
    negated = bool(NEGATION.search(before[-40:]))
    if negated:
        value = _negate(value)
        low, high = min(value, 1 - row.high), max(value, 1 - row.low)
        phrase = f"not {phrase}"
    return Probability(
        value=round(value, 4), phrase=phrase, scale=scale.name, low=low, high=high,
        kind="phrase", matched=matched.strip(), negated=negated,
        weak=canonical in WEAK and not negated, scale_fallback=fallback,
    )


def _lookup(canonical: str, scale: Scale):
    """The scale's row for a canonical phrase, following 'means' to plainer words."""
    default = load_scale("default")
    seen: set[str] = set()
    phrase: str | None = canonical
    while phrase and phrase not in seen:
        seen.add(phrase)
        row = scale.get(phrase) or _synonym_row(phrase, scale)
        if row:
            return row, False
        default_row = default.get(phrase)
        phrase = default_row.means if default_row else None
    row = default.get(canonical)
    return row, row is not None and scale.name != "default"


def _synonym_row(phrase: str, scale: Scale):
    for own, row in scale.rows.items():
        if ALIASES.get(own) == phrase:
            return row
    return None


def _modify(value: float, modifier: str) -> float:
    if modifier in HEDGES:
        return value + (0.5 - value) * HEDGES[modifier]
    bound = 1.0 if value > 0.5 else 0.0 if value < 0.5 else value
    moved = value + (bound - value) * INTENSIFIERS[modifier]
    return min(max(moved, 0.01), 0.99)


def _negate(value: float) -> float:
    """'not likely' ≈ 'probably not'; 'not unlikely' is weaker than 'likely'."""
    if value >= 0.5:
        return max(1 - value, 0.25) if value < 0.9 else 1 - value
    return min(1 - value, 0.6)


def _unknown_message(clean: str, scale: Scale) -> str:
    _, canonical = _surfaces(scale)
    guesses = difflib.get_close_matches(clean[:60], list(canonical), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(g) for g in guesses)}?" if guesses else ""
    short = clean if len(clean) <= 60 else clean[:57] + "..."
    return (
        f"cannot read a probability in {short!r} on scale {scale.name}{hint} "
        "(or give a number such as 0.7, 70% or 7 in 10)"
    )


def rescore(phrase: str | None, probability: float, scale: str) -> float:
    """A stored forecast's probability under another scale; numbers keep their value."""
    if not phrase:
        return probability
    try:
        return parse_probability(phrase, scale).value
    except UnknownProbability:
        return probability
