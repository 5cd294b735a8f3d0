"""Scores: hand-computed cases, scikit-learn as an oracle, the Murphy identity, Wilson."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.scoring import (
    Accumulator,
    brier,
    calibration_bins,
    log_loss,
    murphy_binned,
    score_cells,
    wilson,
)


def test_hand_computed_small_case() -> None:
    pairs = [(0.75, 1), (0.75, 1), (0.82, 1), (0.22, 0), (0.25, 0)]
    expected = (0.0625 + 0.0625 + 0.0324 + 0.0484 + 0.0625) / 5
    assert brier(pairs) == pytest.approx(expected)
    expected_log = -(2 * math.log(0.75) + math.log(0.82) + math.log(0.78) + math.log(0.75)) / 5
    assert log_loss(pairs) == pytest.approx(expected_log)


def test_always_half_scores_a_quarter_and_zero_skill() -> None:
    score = Accumulator().add_pairs([(0.5, 1), (0.5, 0), (0.5, 1)]).score()
    assert score.brier == pytest.approx(0.25) and score.skill_vs_half == pytest.approx(0.0)
    assert score.log_loss == pytest.approx(math.log(2))


def test_log_loss_clips_certainty() -> None:
    assert log_loss([(1.0, 0)], clip=0.001) == pytest.approx(-math.log(0.001))
    assert log_loss([(0.0, 0)], clip=0.01) == pytest.approx(-math.log(0.99))


def test_skill_against_the_base_rate() -> None:
    pairs = [(0.9, 1), (0.8, 1), (0.3, 0), (0.1, 0)]
    score = Accumulator().add_pairs(pairs).score(reference_rate=0.5)
    assert score.skill_vs_base_rate == pytest.approx(1 - score.brier / 0.25)
    own = Accumulator().add_pairs(pairs).score()  # reference = the group's own base rate
    assert own.skill_vs_base_rate == pytest.approx(1 - own.brier / (0.5 * 0.5))


def test_murphy_identity_is_exact_by_distinct_values() -> None:
    rng = random.Random(7)
    pairs = [(rng.choice([0.1, 0.3, 0.5, 0.7, 0.9]), rng.random() < 0.4) for _ in range(500)]
    score = Accumulator().add_pairs(pairs).score()
    assert score.reliability - score.resolution + score.uncertainty == pytest.approx(score.brier)


def test_binned_murphy_is_only_approximate() -> None:
    rng = random.Random(3)
    pairs = [(round(rng.random(), 3), rng.random() < 0.5) for _ in range(400)]
    cells = [(p, 1, int(o)) for p, o in pairs]
    rel, res, unc = murphy_binned(cells, bins=5)
    assert rel - res + unc != pytest.approx(brier(pairs), abs=1e-9)
    assert rel - res + unc == pytest.approx(brier(pairs), abs=0.02)


def test_wilson_interval_values() -> None:
    low, high = wilson(7, 10)
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    low, high = wilson(0, 24)
    assert round(high, 4) == 0.1380


def test_brier_interval_is_analytic_normal() -> None:
    pairs = [(0.8, 1)] * 30 + [(0.8, 0)] * 10
    score = Accumulator().add_pairs(pairs).score()
    values = [0.04] * 30 + [0.64] * 10
    mean = sum(values) / 40
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 39)
    assert score.brier_low == pytest.approx(mean - 1.959964 * sd / math.sqrt(40))
    assert score.brier_high == pytest.approx(mean + 1.959964 * sd / math.sqrt(40))


def test_empty_group() -> None:
    assert score_cells([]).brier is None and score_cells([]).n == 0


def test_against_scikit_learn_on_random_data() -> None:
    sklearn = pytest.importorskip("sklearn.metrics")
    calibration = pytest.importorskip("sklearn.calibration")
    rng = random.Random(42)
    for trial in range(20):
        n = rng.randint(5, 400)
        probs = [rng.random() if trial % 2 else rng.choice([0.05, 0.25, 0.5, 0.75, 0.95]) for _ in range(n)]
        outcomes = [int(rng.random() < p) for p in probs]
        if len(set(outcomes)) < 2:
            continue
        pairs = list(zip(probs, outcomes, strict=True))
        assert brier(pairs) == pytest.approx(sklearn.brier_score_loss(outcomes, probs))
        assert log_loss(pairs, clip=1e-6) == pytest.approx(
            sklearn.log_loss(outcomes, [min(max(p, 1e-6), 1 - 1e-6) for p in probs]))
        observed, predicted = calibration.calibration_curve(outcomes, probs, n_bins=10)
        rows = calibration_bins([(p, 1, o) for p, o in pairs], bins=10)
        assert [r.observed for r in rows] == pytest.approx(list(observed))
        assert [r.mean_probability for r in rows] == pytest.approx(list(predicted))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=60))
def test_cells_equal_pairs(pairs: list[tuple[float, bool]]) -> None:
    score = Accumulator().add_pairs(pairs).score()
    assert score.brier == pytest.approx(sum((p - o) ** 2 for p, o in pairs) / len(pairs))
    assert 0.0 <= score.brier <= 1.0
    assert score.reliability - score.resolution + score.uncertainty == pytest.approx(score.brier, abs=1e-9)
