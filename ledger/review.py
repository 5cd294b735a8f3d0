"""The weekly resolution review: what fell due, what is overdue, what needs a date,
what was resolved, and what comes due next — each section grouped by source.

Rules (docs/review.md), for a period [start, end):
- due: unresolved, deadline in the period;
- overdue: unresolved, deadline before the period;
- undated: unresolved with no deadline, or with a provisional (soft or event) one;
- resolved: resolution date in the period (yes, no or void), with each Brier score;
- upcoming: unresolved, deadline in the next period of the same length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from ledger import views
from ledger.errors import LedgerError
from ledger.periods import Period
from ledger.scoring import Accumulator


@dataclass
class Review:
    period: Period
    next_period: Period
    sections: dict[str, list[dict[str, Any]]]
    resolved_by_source: list[dict[str, Any]]

    def needs_resolving(self) -> list[dict[str, Any]]:
        """Due and overdue forecasts, oldest deadline first: the interactive walk."""
        rows = self.sections["overdue"] + self.sections["due"]
        return sorted(rows, key=lambda r: (r["deadline"], r["id"]))


def build_review(session: Session, period: Period, today: date) -> Review:
    if period.start is None or period.end is None:
        raise LedgerError("a review needs a bounded period, e.g. 'this week' or '2025-W23'")
    following = period.next()
    rows = views.forecast_rows

    def by_deadline(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(found, key=lambda r: (r["source"].casefold(), r["deadline"] or date.max, r["id"]))

    sections = {
        "due": by_deadline(rows(session, today, views.Filters(
            unresolved=True, deadline_from=period.start, deadline_before=period.end))),
        "overdue": by_deadline(rows(session, today, views.Filters(
            unresolved=True, deadline_before=period.start))),
        "undated": by_deadline(rows(session, today, views.Filters(unresolved=True, provisional=True))),
        "resolved": by_deadline(rows(session, today, views.Filters(
            resolved_from=period.start, resolved_before=period.end))),
        "upcoming": by_deadline(rows(session, today, views.Filters(
            unresolved=True, deadline_from=following.start, deadline_before=following.end))),
    }
    per_source: dict[str, Accumulator] = {}
    for row in sections["resolved"]:
        if row["outcome"] in ("yes", "no"):
            outcome = 1 if row["outcome"] == "yes" else 0
            row["brier"] = (row["probability"] - outcome) ** 2
            per_source.setdefault(row["source"], Accumulator()).add(row["probability"], 1, outcome)
        else:
            row["brier"] = None
    summary = []
    for source in sorted(per_source, key=str.casefold):
        score = per_source[source].score()
        summary.append({"source": source, "n": score.n, "yes": score.yes, "no": score.no,
                        "brier": score.brier})
    return Review(period, following, sections, summary)
