"""What needs attention now: open requests past their resolution deadline, and SLA targets due
within the next business hours, as of the data's newest instant, by provider department.

The weekly overview and the weekly report end with it, whichever week they show: a week is
reviewed when it is over, and what to do next is about the requests still open. The SLA
adherence page lists every one of them (its at-risk list as of now, its overdue list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from servicelevel.filters import Selection
from servicelevel.weekly import Runner, no_value

DUE_WITHIN_HOURS = 8  # the SLA page's at-risk default
LISTED = 10  # targets due soonest, listed
DEPARTMENTS_NAMED = 3  # per count, in the sentence


@dataclass(frozen=True)
class Attention:
    as_of: datetime  # the data's newest instant: the page's and the report's "now"
    within_hours: int
    by_department: pd.DataFrame  # provider_department, n_overdue, n_due_soon; most first
    due_soonest: pd.DataFrame  # at_risk_now's rows, least business time left first (up to LISTED)

    @property
    def n_overdue(self) -> int:
        return int(self.by_department["n_overdue"].sum())

    @property
    def n_due_soon(self) -> int:
        return int(self.by_department["n_due_soon"].sum())

    def named_departments(self) -> pd.DataFrame:
        """by_department with requests without a provider department named so, not left blank."""
        return self.by_department.assign(provider_department=self.by_department["provider_department"].map(_department_name))

    @property
    def all_clear(self) -> bool:
        return self.by_department.empty

    def sentence(self, zone) -> str:
        """'As of 18 Nov 2026 11:58 (the data's newest timestamp): 45 open requests are past their
        resolution deadline (Procurement 20, Legal 9, Sales 6, others 10), and 17 SLA targets
        fall due within the next 8 business hours (…).'"""
        when = f"As of {self.as_of.astimezone(zone):%d %b %Y %H:%M} (the data's newest timestamp)"
        window = f"within the next {self.within_hours} business hours"
        if self.all_clear:
            return f"{when}, no open request is past its resolution deadline and no SLA target falls due {window}."
        overdue = self.n_overdue
        due = self.n_due_soon
        past = (f"{overdue:,} open request{' is' if overdue == 1 else 's are'} past "
                f"{'its' if overdue == 1 else 'their'} resolution deadline{self._where('n_overdue')}"
                if overdue else "no open request is past its resolution deadline")
        soon = (f"{due:,} SLA target{'' if due == 1 else 's'} fall{'s' if due == 1 else ''} due {window}"
                f"{self._where('n_due_soon')}" if due else f"no SLA target falls due {window}")
        return f"{when}: {past}, and {soon}."

    def _where(self, column: str) -> str:
        """' (Procurement 20, Legal 9, others 16)', or ', all in Procurement': where a count is."""
        holding = self.by_department[self.by_department[column] > 0].sort_values(column, ascending=False, kind="stable")
        if len(holding) == 1:
            return f", all in {_department_name(holding.iloc[0]['provider_department'])}"
        named = holding.head(DEPARTMENTS_NAMED)
        parts = [f"{_department_name(d)} {n:,}" for d, n in zip(named["provider_department"], named[column])]
        rest = int(holding[column].sum() - named[column].sum())
        return f" ({', '.join(parts + ([f'others {rest:,}'] if rest else []))})"


def _department_name(value) -> str:
    """A provider department as sentences and tables name it; requests without one are named so."""
    return no_value("provider_department") if value is None or pd.isna(value) else str(value)


def attention(run: Runner, selection: Selection, within_hours: int = DUE_WITHIN_HOURS,
              listed: int = LISTED) -> Attention:
    """The selection's open work needing attention as of its as-of instant (two queries)."""
    params = {**selection.filters.params(), "within_secs": within_hours * 3600}
    by_department = run("attention_by_department", {**params, "as_of": selection.as_of})
    due_soonest = run("at_risk_now", {**params, "max_rows": listed})
    return Attention(selection.as_of, within_hours, by_department, due_soonest)
