"""Scores over (probability, outcome) pairs: Brier, log loss, skill, Murphy, calibration.

Pure maths with no database. Everything works on *cells* — (probability, n, yes): how
many forecasts stated that probability and how many of them came true — because cells
are what a database GROUP BY returns and they are sufficient for every score here, so a
million forecasts never need to be held in memory. Formulas: docs/scoring.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_CLIP = 0.001
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Score:
    n: int
    yes: int
    mean_probability: float | None
    base_rate: float | None
    brier: float | None
    brier_low: float | None
    brier_high: float | None
    log_loss: float | None
    skill_vs_half: float | None
    skill_vs_base_rate: float | None
    reliability: float | None
    resolution: float | None
    uncertainty: float | None

    @property
    def no(self) -> int:
        return self.n - self.yes


@dataclass
class Accumulator:
    """Cells of one group, merged by probability value."""

    cells: dict[float, list[int]] = field(default_factory=dict)

    def add(self, probability: float, n: int, yes: int) -> None:
        cell = self.cells.setdefault(probability, [0, 0])
        cell[0] += n
        cell[1] += yes

    def add_pairs(self, pairs: Iterable[tuple[float, int | bool]]) -> Accumulator:
        for probability, outcome in pairs:
            self.add(probability, 1, 1 if outcome else 0)
        return self

    @property
    def n(self) -> int:
        return sum(n for n, _ in self.cells.values())

    def sums(self, clip: float = DEFAULT_CLIP) -> Sums:
        return sums_of_cells(((p, n, yes) for p, (n, yes) in self.cells.items()), clip)

    def score(self, clip: float = DEFAULT_CLIP, reference_rate: float | None = None) -> Score:
        return score_cells(((p, n, yes) for p, (n, yes) in self.cells.items()), clip, reference_rate)


def _clip(probability: float, eps: float) -> float:
    return min(max(probability, eps), 1.0 - eps)


@dataclass(frozen=True)
class Sums:
    """Sufficient statistics of one group: every score in `Score` follows from these.

    They are plain sums over forecasts (or over cells), so a database can compute them in
    one aggregate query; only `yes_sq_over_n` needs the cells by distinct probability,
    which is what makes the Murphy decomposition exact."""

    n: int
    yes: int
    p: float  # Σ p
    brier: float  # Σ (p − o)²
    brier_sq: float  # Σ (p − o)⁴, for the interval
    log: float  # Σ −ln p′(what happened), p′ clipped to [ε, 1 − ε]
    yes_sq_over_n: float  # Σ over distinct p of yes_p² / n_p

    def __add__(self, other: Sums) -> Sums:
        """Two groups' sums together; right for `yes_sq_over_n` only when they share no
        probability value (the pool is added up from one part per value)."""
        return Sums(self.n + other.n, self.yes + other.yes, self.p + other.p, self.brier + other.brier,
                    self.brier_sq + other.brier_sq, self.log + other.log,
                    self.yes_sq_over_n + other.yes_sq_over_n)


def sums_of_cells(cells: Iterable[tuple[float, int, int]], clip: float = DEFAULT_CLIP) -> Sums:
    """The sums of a group's cells, merged by probability and added in a fixed order."""
    _check_clip(clip)
    merged: dict[float, list[int]] = {}
    for probability, n, yes in cells:
        cell = merged.setdefault(probability, [0, 0])
        cell[0] += n
        cell[1] += yes
    total = yes_total = 0
    sum_p = sum_b = sum_b2 = log_sum = yes_sq_over_n = 0.0
    for p in sorted(merged):  # a fixed order: the same figures every time
        n, yes = merged[p]
        if n == 0:
            continue
        no = n - yes
        hit, miss = (1.0 - p) ** 2, p ** 2  # Brier of one forecast that came true / did not
        total += n
        yes_total += yes
        sum_p += p * n
        sum_b += yes * hit + no * miss
        sum_b2 += yes * hit ** 2 + no * miss ** 2
        clipped = _clip(p, clip)
        log_sum -= yes * math.log(clipped) + no * math.log(1.0 - clipped)
        yes_sq_over_n += yes * yes / n
    return Sums(total, yes_total, sum_p, sum_b, sum_b2, log_sum, yes_sq_over_n)


def _check_clip(clip: float) -> None:
    if not 0.0 < clip < 0.5:
        raise ValueError("clip must lie strictly between 0 and 0.5")


def score_cells(cells: Iterable[tuple[float, int, int]], clip: float = DEFAULT_CLIP,
                reference_rate: float | None = None) -> Score:
    """Every score for one group; `reference_rate` is the pool's base rate for skill."""
    return score_sums(sums_of_cells(cells, clip), reference_rate)


def score_sums(sums: Sums, reference_rate: float | None = None) -> Score:
    """Every score from a group's sums (docs/scoring.md gives the formulas).

    Murphy, exact by distinct probability: N·REL = Σ(p−o)² − Σo + Σ yes_p²/n_p and
    N·RES = Σ yes_p²/n_p − (Σo)²/N, which is Σ n_p(p − f_p)² and Σ n_p(f_p − ō)² expanded."""
    total = sums.n
    if total == 0:
        return Score(0, 0, *([None] * 11))
    base_rate = sums.yes / total
    brier = sums.brier / total
    low = high = None
    if total > 1:
        variance = max(sums.brier_sq - total * brier ** 2, 0.0) / (total - 1)
        half = Z95 * math.sqrt(variance / total)
        low, high = max(brier - half, 0.0), min(brier + half, 1.0)
    reference = base_rate if reference_rate is None else reference_rate
    reference_brier = reference ** 2 * (1 - base_rate) + (1 - reference) ** 2 * base_rate
    reliability = max(sums.brier - sums.yes + sums.yes_sq_over_n, 0.0) / total
    resolution = max(sums.yes_sq_over_n - sums.yes * base_rate, 0.0) / total
    return Score(
        n=total, yes=sums.yes, mean_probability=sums.p / total, base_rate=base_rate,
        brier=brier, brier_low=low, brier_high=high, log_loss=sums.log / total,
        skill_vs_half=1.0 - brier / 0.25,
        skill_vs_base_rate=(1.0 - brier / reference_brier) if reference_brier > 0 else None,
        reliability=reliability, resolution=resolution,
        uncertainty=base_rate * (1 - base_rate),
    )


def brier(pairs: Iterable[tuple[float, int | bool]]) -> float:
    """Mean squared difference between stated probability and outcome (0 best, 1 worst)."""
    score = Accumulator().add_pairs(pairs).score()
    if score.brier is None:
        raise ValueError("no forecasts to score")
    return score.brier


def log_loss(pairs: Iterable[tuple[float, int | bool]], clip: float = DEFAULT_CLIP) -> float:
    """−mean ln(probability given to what happened), probabilities clipped to [ε, 1−ε]."""
    score = Accumulator().add_pairs(pairs).score(clip)
    if score.log_loss is None:
        raise ValueError("no forecasts to score")
    return score.log_loss


def wilson(yes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion yes/n (95% by default)."""
    if n <= 0:
        raise ValueError("n must be positive")
    phat = yes / n
    denominator = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denominator
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if yes == 0 else max(centre - half, 0.0)
    high = 1.0 if yes == n else min(centre + half, 1.0)
    return low, high


@dataclass(frozen=True)
class CalibrationBin:
    label: str
    n: int
    mean_probability: float
    observed: float
    wilson_low: float
    wilson_high: float


def bin_index(probability: float, bins: int) -> int:
    """Equal-width bins over [0, 1]; 1.0 falls in the last bin."""
    return min(int(probability * bins), bins - 1)


def calibration_bins(cells: Iterable[tuple[float, int, int]], bins: int = 10) -> list[CalibrationBin]:
    """Calibration by fixed bins: n, mean stated p, observed frequency, Wilson interval."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    sums: dict[int, list[float]] = {}
    for probability, n, yes in cells:
        entry = sums.setdefault(bin_index(probability, bins), [0, 0, 0.0])
        entry[0] += n
        entry[1] += yes
        entry[2] += probability * n
    found = []
    for index in sorted(sums):
        n, yes, total_p = sums[index]
        low, high = wilson(int(yes), int(n))
        found.append(CalibrationBin(
            label=f"{index / bins:.2f}-{(index + 1) / bins:.2f}", n=int(n),
            mean_probability=total_p / n, observed=yes / n, wilson_low=low, wilson_high=high))
    return found


def calibration_groups(groups: dict[str, Accumulator]) -> list[CalibrationBin]:
    """One calibration row per named group of cells (e.g. per phrase)."""
    found = []
    for label, accumulator in groups.items():
        n = accumulator.n
        if n == 0:
            continue
        yes = sum(y for _, y in accumulator.cells.values())
        mean_p = sum(p * c for p, (c, _) in accumulator.cells.items()) / n
        low, high = wilson(yes, n)
        found.append(CalibrationBin(label, n, mean_p, yes / n, low, high))
    return found


def murphy_binned(cells: Iterable[tuple[float, int, int]], bins: int = 10) -> tuple[float, float, float]:
    """(reliability, resolution, uncertainty) over fixed bins: approximate, as Stephenson
    et al. (2008) show; the exact decomposition is the one in `score_cells`."""
    rows = calibration_bins(cells, bins)
    total = sum(r.n for r in rows)
    if total == 0:
        raise ValueError("no forecasts")
    base = sum(r.observed * r.n for r in rows) / total
    reliability = sum(r.n * (r.mean_probability - r.observed) ** 2 for r in rows) / total
    resolution = sum(r.n * (r.observed - base) ** 2 for r in rows) / total
    return reliability, resolution, base * (1 - base)
