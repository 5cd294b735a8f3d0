"""The weekly resolution review: what fell due, what is overdue, what needs a date,
what was resolved, and what comes due next — each section grouped by source.

Rules (docs/review.md), for a period [start, end):
- due: unresolved, deadline in the period;
- overdue: unresolved, deadline before the period;
- undated: unresolved with no deadline, or with a provisional (soft or event) one;
- resolved: resolution date in the period (yes, no or void), with each Brier score;
- upcoming: unresolved, deadline in the next period of the same length.

A review reads inside one snapshot and streams: each section is one query, sorted by the
database (source, deadline, id) and carrying its own count, read a chunk at a time, so a
review of a million-forecast ledger holds one chunk of rows, never the whole output.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import chain
from typing import Any

from sqlmodel import Session

from ledger import views
from ledger.errors import LedgerError
from ledger.periods import Period
from ledger.scoring import Accumulator

SECTIONS = ("due", "overdue", "undated", "resolved", "upcoming")


class Review:
    """One period's review over an open read session (see `Ledger.reviewing`)."""

    def __init__(self, session: Session, period: Period, today: date) -> None:
        if period.start is None or period.end is None:
            raise LedgerError("a review needs a bounded period, e.g. 'this week' or '2025-W23'")
        self.session = session
        self.period = period
        self.next_period = period.next()
        self.today = today
        following = self.next_period
        self._filters = {
            "due": views.Filters(unresolved=True, deadline_from=period.start, deadline_before=period.end),
            "overdue": views.Filters(unresolved=True, deadline_before=period.start),
            "undated": views.Filters(unresolved=True, provisional=True),
            "resolved": views.Filters(resolved_from=period.start, resolved_before=period.end),
            "upcoming": views.Filters(unresolved=True, deadline_from=following.start,
                                      deadline_before=following.end),
        }
        self._resolved_by_source: list[dict[str, Any]] | None = None

    def count(self, section: str) -> int:
        """A section's size alone (`--check`), without reading its rows."""
        return views.count_forecasts(self.session, self.today, self._filters[section])

    def section(self, section: str) -> tuple[int, Iterator[dict[str, Any]]]:
        """A section's size and its forecasts by source, deadline (undated last) and id,
        streamed; resolved ones carry their Brier score (None when void)."""
        order = views.source_order(self.session.get_bind().dialect.name)
        query = views.forecast_select(self.today, self._filters[section], order=order, counted=True)
        rows = views.stream_forecast_rows(self.session, query, extra=("total",))
        first = next(rows, None)
        if first is None:
            if section == "resolved":
                self._resolved_by_source = []
            return 0, iter(())
        return first["total"], self._finished(section, chain((first,), rows))

    def rows(self, section: str) -> Iterator[dict[str, Any]]:
        return self.section(section)[1]

    def _finished(self, section: str, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Rows without the window count; resolved rows scored, and summed per source as
        they pass, so the summary needs no second read."""
        scored: dict[str, Accumulator] | None = {} if section == "resolved" else None
        for row in rows:
            del row["total"]
            if scored is not None:
                outcome = row["outcome"]
                if outcome == "void":
                    row["brier"] = None
                else:
                    hit = 1 if outcome == "yes" else 0
                    row["brier"] = (row["probability"] - hit) ** 2
                    scored.setdefault(row["source"], Accumulator()).add(row["probability"], 1, hit)
            yield row
        if scored is not None:
            self._resolved_by_source = [_source_line(source, sums.score()) for source, sums in scored.items()]

    def resolved_by_source(self) -> list[dict[str, Any]]:
        """Per source, the period's yes/no resolutions and their Brier score, in source order."""
        if self._resolved_by_source is None:  # not yet read to the end: read it now
            for _ in self.rows("resolved"):
                pass
        return self._resolved_by_source or []

    def needs_resolving(self) -> list[dict[str, Any]]:
        """Due and overdue forecasts, oldest deadline first: the interactive walk."""
        rows = [*self.rows("overdue"), *self.rows("due")]
        return sorted(rows, key=lambda r: (r["deadline"], r["id"]))

    def sections(self) -> dict[str, list[dict[str, Any]]]:
        """Every section as a list: for small ledgers and scripts; the CLI streams instead."""
        return {section: list(self.rows(section)) for section in SECTIONS}


def _source_line(source: str, score: Any) -> dict[str, Any]:
    return {"source": source, "n": score.n, "yes": score.yes, "no": score.no, "brier": score.brier}
