"""Promises kept, as the SLA page tells them: requests whose due date (the export's promised
date) falls in the period, kept or broken per provider department (queries/promises_kept.sql),
summed to the overview's "Promises kept" tile for a week."""

from __future__ import annotations

import pandas as pd

from servicelevel.kpis import rate_goal_text, too_few_words, wilson_interval
from servicelevel.rounding import half_up


def summary(per_department: pd.DataFrame, goal: float | None, min_count: int, so_far: bool = False) -> str:
    """One line over every department: '2 of 22 promises kept (9.1%) · goal 90.0% ✗ below goal
    · too few to trust: 95% interval 3%–28% · 20 broken · 3 not due yet', in the tile's words; '' without
    a due date in the period. `so_far`: the period is not over in the data (rate_goal_text)."""
    kept, broken, pending = (int(per_department[c].sum()) for c in ("n_kept", "n_broken", "n_pending"))
    decided = kept + broken
    if decided == 0:
        return f"None of the {pending:,} promises falling due in the period is due yet." if pending else ""
    parts = [f"{kept:,} of {decided:,} promises kept ({half_up(100 * kept / decided, 1):.1f}%)"]
    goal_said = rate_goal_text(kept, decided, goal, min_count, so_far=so_far) if goal is not None else ""
    if goal_said:
        parts.append(goal_said)
    if decided < min_count:  # as the tile says it
        parts.append(too_few_words(wilson_interval(kept, decided), said_already=goal_said.endswith("too few to judge")))
    parts.append(f"{broken:,} broken")
    if pending:
        parts.append(f"{pending:,} not due yet")
    return " · ".join(parts)


def by_department(per_department: pd.DataFrame) -> pd.DataFrame:
    """promises_kept rows per provider department as the page's table shows them: most broken
    first (those let down most, whatever their size), the rate and its counts first. The count not
    due yet only where some promise is: in a period over before now, every one is kept or broken,
    and a column of zeros would read as news."""
    rows = per_department.rename(columns={"group_value": "provider_department"})
    rows = rows.sort_values(["n_broken", "provider_department"], ascending=[False, True], kind="stable")
    columns = ["provider_department", "kept_rate", "n_broken", "n_kept", "n_pending", "n_promises"]
    if not rows["n_pending"].any():
        columns.remove("n_pending")
    return rows[columns].reset_index(drop=True)
