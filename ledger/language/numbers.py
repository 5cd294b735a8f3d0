"""Small English number words shared by the probability and deadline grammars."""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a hundred": 100, "one hundred": 100, "a dozen": 12, "dozen": 12,
    "a few": 3, "few": 3, "a couple of": 2, "a couple": 2, "couple of": 2, "several": 3,
}

# Longest first so that "a hundred" wins over "a", "a few" over "a".
_WORDS = sorted(UNITS, key=len, reverse=True)
NUMBER_PATTERN = (
    r"(?:\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]"
    r"(?:one|two|three|four|five|six|seven|eight|nine)|"
    + "|".join(re.escape(w) for w in _WORDS)
    + ")"
)


def number_value(text: str) -> float | None:
    """The value of a number written in digits or words ("7", "seven", "twenty-one")."""
    word = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    if word in UNITS:
        return float(UNITS[word])
    parts = re.split(r"[- ]", word)
    if len(parts) == 2 and parts[0] in UNITS and parts[1] in UNITS:
        return float(UNITS[parts[0]] + UNITS[parts[1]])
    return None
