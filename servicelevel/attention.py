"""What needs attention now: open requests past their resolution deadline, open requests past
their first-response deadline with no reply yet, and SLA targets due within the next business
hours, as of the data's newest instant, by provider department (or, when the filters name one
provider department, by whom it serves: requester department, else the requester's
organisation).

The weekly overview and the weekly report end with it, whichever week they show: a week is
reviewed when it is over, and what to do next is about the requests still open. The SLA
adherence page lists every one of them (its at-risk list as of now, its overdue and no-reply
lists)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from servicelevel.filters import Selection
from servicelevel.weekly import Runner, no_value

DUE_WITHIN_HOURS = 8  # the SLA page's at-risk default
# Overdue by more than this many calendar days: told apart, as a backlog that old is often work done
# but never closed in the tool rather than work to chase (the backlog's oldest age bucket, 30+ days).
LONG_OVERDUE_DAYS = 30
LISTED = 10  # targets due soonest, listed
NAMED = 3  # groups per count, in the sentence
# Per split: its name in table headings, and requests without a value as tables and sentences
# name them (inside the sentence's own parentheses, a requester group reads better without a
# table's).
SPLITS = {
    "provider_department": ("provider department", no_value("provider_department"), no_value("provider_department")),
    "requester": ("requester", "(individual, or not recorded)", "individual or unrecorded requesters"),
}


@dataclass(frozen=True)
class Attention:
    as_of: datetime  # the data's newest instant: the page's and the report's "now"
    within_hours: int
    # group_value (a value of split), n_overdue, n_long_overdue, n_no_reply, n_due_soon; most first
    by_group: pd.DataFrame
    due_soonest: pd.DataFrame  # at_risk_now's rows, least business time left first (up to LISTED)
    split: str = "provider_department"
    provider: str | None = None  # the one provider department the filters name, when split by requester
    scope: str = ""  # the other filters, as Filters.describe() says them ('' without any)
    long_overdue_days: int = LONG_OVERDUE_DAYS

    @property
    def split_name(self) -> str:
        """'provider department' or 'requester', as tables head the groups."""
        return SPLITS[self.split][0]

    @property
    def n_overdue(self) -> int:
        return int(self.by_group["n_overdue"].sum())

    @property
    def n_long_overdue(self) -> int:
        return int(self.by_group["n_long_overdue"].sum())

    @property
    def n_no_reply(self) -> int:
        return int(self.by_group["n_no_reply"].sum())

    @property
    def n_due_soon(self) -> int:
        return int(self.by_group["n_due_soon"].sum())

    def named_groups(self) -> pd.DataFrame:
        """by_group with the group column named for the split (provider_department or requester),
        and requests without a value named so, not left blank."""
        return (self.by_group.assign(group_value=self.by_group["group_value"].map(self._group_name))
                .rename(columns={"group_value": self.split}))

    @property
    def all_clear(self) -> bool:
        return self.by_group.empty

    def sentence(self, zone) -> str:
        """'As of 18 Nov 2026 11:58 (the data's newest timestamp): 45 open requests are past their
        resolution deadline (Procurement 20, Legal 9, Sales 6, others 10), 4 open requests are past
        their first-response deadline with no reply yet (…), and 17 SLA targets fall due within the
        next 8 business hours (…).' For one provider department, 'As of …, for Procurement as
        provider: 97 open requests are past … (requested by Logistics 30, IT 19, …), …'."""
        when = f"As of {self.as_of.astimezone(zone):%d %b %Y %H:%M} (the data's newest timestamp)"
        if self.provider is not None:
            when += f", for {self.provider} as provider" + (f" ({self.scope})" if self.scope else "")
        elif self.scope:  # the counts are of these requests only: a sentence read on its own says so
            when += f", for {self.scope}"
        window = f"within the next {self.within_hours} business hours"
        if self.all_clear:
            return (f"{when}{':' if self.provider or self.scope else ','} no open request is past its resolution "
                    f"deadline or past its first-response deadline with no reply yet, and no SLA target falls due "
                    f"{window}.")
        due = self.n_due_soon
        soon = (f"{due:,} SLA target{'' if due == 1 else 's'} fall{'s' if due == 1 else ''} due {window}"
                f"{self._where('n_due_soon')}" if due else f"no SLA target falls due {window}")
        return (f"{when}: {self._open_past('n_overdue', 'resolution deadline')}, "
                f"{self._open_past('n_no_reply', 'first-response deadline', ' with no reply yet')}, and {soon}."
                f"{self._long_overdue()}")

    def _long_overdue(self) -> str:
        """' Of the 293 past their resolution deadline, 151 are more than 30 days past it (Procurement
        60, …).', ' All 5 past their resolution deadline are …', or '' when none is."""
        n, of = self.n_long_overdue, self.n_overdue
        if n == 0:
            return ""
        past = f"more than {self.long_overdue_days} days past it"
        if n == of:
            return (" The one past its resolution deadline is " if n == 1
                    else f" All {n:,} past their resolution deadline are ") + f"{past}."
        return (f" Of the {of:,} past their resolution deadline, {n:,} {'is' if n == 1 else 'are'} {past}"
                f"{self._where('n_long_overdue')}.")

    def _open_past(self, column: str, deadline: str, still: str = "") -> str:
        """'45 open requests are past their resolution deadline (Procurement 20, …)', '1 open request
        is past its first-response deadline with no reply yet, in Legal', or 'no open request is
        past its resolution deadline'."""
        n = int(self.by_group[column].sum())
        if n == 0:
            return f"no open request is past its {deadline}{still}"
        return (f"{n:,} open request{' is' if n == 1 else 's are'} past {'its' if n == 1 else 'their'} {deadline}"
                f"{still}{self._where(column)}")

    def _where(self, column: str) -> str:
        """' (Procurement 20, Legal 9, others 16)', or ', all in Procurement' (', in Procurement' for
        one): where a count is; by requester department, ' (requested by Logistics 30, IT 19, others
        48)' or ', all requested by Logistics'. The NAMED largest are named, and any tied with the
        last of them; one more is named too rather than be 'others 1'."""
        holding = self.by_group[self.by_group[column] > 0].sort_values(column, ascending=False, kind="stable")
        preposition = "requested by" if self.split == "requester" else "in"
        if len(holding) == 1:
            every = "all " if holding.iloc[0][column] > 1 else ""  # "1 open request …, all in Legal" is no English
            return f", {every}{preposition} {self._group_name(holding.iloc[0]['group_value'], in_sentence=True)}"
        named = holding[holding[column] >= holding[column].iloc[min(NAMED, len(holding)) - 1]]
        if len(holding) - len(named) == 1:
            named = holding
        parts = [f"{self._group_name(g, in_sentence=True)} {n:,}" for g, n in zip(named["group_value"], named[column])]
        rest = int(holding[column].sum() - named[column].sum())
        listed = ", ".join(parts + ([f"others {rest:,}"] if rest else []))
        return f" ({listed})" if preposition == "in" else f" ({preposition} {listed})"

    def _group_name(self, value, in_sentence: bool = False) -> str:
        """A group as tables name it; requests without a value are named so (in a sentence, without
        the table's parentheses: a bracket inside the sentence's own would read badly)."""
        if value is None or pd.isna(value):
            return SPLITS[self.split][2 if in_sentence else 1]
        return str(value)


def _one_provider(selection: Selection) -> str | None:
    providers = selection.filters.provider_departments
    return providers[0] if len(providers) == 1 else None


def _split(selection: Selection) -> str:
    """By provider department, or by requester for one provider department's own view."""
    return "provider_department" if _one_provider(selection) is None else "requester"


def _by_group(run: Runner, selection: Selection, within_hours: int = DUE_WITHIN_HOURS) -> pd.DataFrame:
    return run("attention_by_group", {**selection.filters.params(), "within_secs": within_hours * 3600,
                                      "as_of": selection.open_work_at, "split": _split(selection),
                                      "long_overdue_days": LONG_OVERDUE_DAYS})


def past_deadline_now(run: Runner, selection: Selection) -> tuple[int, int]:
    """(open past their resolution deadline, open with no reply past their first-response deadline)
    as of the selection's as-of instant: attention()'s counts, from the same query and parameters
    (a page that gives them beside an earlier period's reads the overview's cached result)."""
    by_group = _by_group(run, selection)
    return int(by_group["n_overdue"].sum()), int(by_group["n_no_reply"].sum())


def attention(run: Runner, selection: Selection, within_hours: int = DUE_WITHIN_HOURS,
              listed: int = LISTED) -> Attention:
    """The selection's open work needing attention as of its as-of instant (two queries): by
    provider department, or, when the filters name one provider department, by the requester
    departments and customers it serves (one row saying "Procurement 97" would tell its head
    nothing new)."""
    provider = _one_provider(selection)
    by_group = _by_group(run, selection, within_hours)
    due_soonest = run("at_risk_now", {**selection.filters.params(), "within_secs": within_hours * 3600,
                                      "max_rows": listed})
    others = replace(selection.filters, provider_departments=()) if provider else selection.filters
    return Attention(selection.as_of, within_hours, by_group, due_soonest, _split(selection), provider,
                     scope="" if others.is_empty() else others.describe())
