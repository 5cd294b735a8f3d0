"""Calibration charts with matplotlib (the optional `plot` extra), imported only when asked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ledger.errors import LedgerError


def calibration_chart(rows: Sequence[dict[str, Any]], target: str, title: str) -> Path:
    """Stated probability against observed frequency, one colour per source.

    The diagonal is perfect calibration; each point is a bin at its mean stated
    probability, sized by n, with its 95% Wilson interval as an error bar. Both axes run
    0-100% unfolded, so over- and under-confidence on either side stay visible.
    """
    path = Path(target)
    if path.suffix.lower() not in {".png", ".svg"}:
        raise LedgerError("--plot needs a file ending in .png or .svg")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise LedgerError(
            "charts need matplotlib: pip install 'forecast-ledger[plot]'") from None
    if not rows:
        raise LedgerError("nothing to plot: no resolved forecasts match")
    figure, axes = plt.subplots(figsize=(6.4, 6.4))
    axes.plot([0, 100], [0, 100], color="0.6", linestyle="--", linewidth=1, label="perfect calibration")
    sources = list(dict.fromkeys(row["source"] for row in rows))
    largest = max(row["n"] for row in rows)
    for index, source in enumerate(sources):
        mine = [row for row in rows if row["source"] == source]
        xs = [100 * row["mean_probability"] for row in mine]
        ys = [100 * row["observed"] for row in mine]
        errors = [[max(0.0, 100 * (row["observed"] - row["wilson_low"])) for row in mine],
                  [max(0.0, 100 * (row["wilson_high"] - row["observed"])) for row in mine]]
        colour = f"C{index % 10}"
        axes.errorbar(xs, ys, yerr=errors, fmt="none", ecolor=colour, alpha=0.6, capsize=3)
        axes.scatter(xs, ys, s=[30 + 270 * row["n"] / largest for row in mine], color=colour,
                     alpha=0.8, label=f"{source} (n={sum(r['n'] for r in mine)})", zorder=3)
    axes.set_xlim(-3, 103)  # a little room so points at 0% and 100% are not cut in half
    axes.set_ylim(-3, 103)
    axes.set_xticks(range(0, 101, 10))
    axes.set_yticks(range(0, 101, 10))
    axes.set_xlabel("stated probability (%)")
    axes.set_ylabel("observed frequency (%)")
    axes.set_title(title)
    axes.set_aspect("equal")
    axes.grid(True, color="0.9")
    axes.legend(loc="upper left", fontsize="small")
    try:
        figure.savefig(path, dpi=120, bbox_inches="tight")
    except OSError as exc:
        raise LedgerError(f"cannot write chart {path}: {exc.strerror}") from None
    finally:
        plt.close(figure)
    return path
