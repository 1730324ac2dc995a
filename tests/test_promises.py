"""The SLA page's promises line and table (servicelevel/promises.py), on hand-made counts."""

import pandas as pd

from servicelevel import promises


def per_department(rows):
    return pd.DataFrame(rows, columns=["group_value", "n_promises", "n_kept", "n_broken", "n_pending", "kept_rate"])


def test_the_summary_sums_the_departments_in_the_tiles_words():
    frame = per_department([("IT", 12, 2, 9, 1, 2 / 11), ("HR", 13, 0, 11, 2, 0.0)])
    # 2 of 22 kept is 9.1%; even its 95% interval (2.5% to 27.8%) lies below a 90% goal.
    assert promises.summary(frame, 0.9, 30) == (
        "2 of 22 promises kept (9.1%) · goal 90.0% ✗ below goal · too few to trust: 95% interval 3%–28% · "
        "20 broken · 3 not due yet")
    assert promises.summary(frame, None, 20) == "2 of 22 promises kept (9.1%) · 20 broken · 3 not due yet"
    # 5 of 6 (83.3%) against 90%: the interval spans the goal, and "too few" is said once.
    # (Wilson 95% interval of 5 of 6: 43.6% to 97.0%, worked by hand.)
    assert promises.summary(per_department([("IT", 6, 5, 1, 0, 5 / 6)]), 0.9, 30) == (
        "5 of 6 promises kept (83.3%) · goal 90.0% · too few to judge · 95% interval 44%–97% · 1 broken")
    # Without a goal, nothing has said it before the interval.
    assert promises.summary(per_department([("IT", 6, 5, 1, 0, 5 / 6)]), None, 30) == (
        "5 of 6 promises kept (83.3%) · too few to trust: 95% interval 44%–97% · 1 broken")


def test_promises_not_due_yet_are_said_so():
    assert promises.summary(per_department([("IT", 4, 0, 0, 4, None)]), 0.9, 30) == (
        "None of the 4 promises falling due in the period is due yet.")


def test_the_table_puts_the_departments_with_most_broken_first():
    frame = per_department([("HR", 3, 1, 2, 0, 1 / 3), ("IT", 12, 2, 9, 1, 2 / 11), ("Legal", 2, 0, 2, 0, 0.0)])
    table = promises.by_department(frame)
    assert list(table["provider_department"]) == ["IT", "HR", "Legal"]  # 9, then 2 and 2 by name
    assert list(table.columns) == ["provider_department", "kept_rate", "n_broken", "n_kept", "n_pending", "n_promises"]


def test_the_table_leaves_out_not_due_yet_where_every_promise_is_decided():
    # A week over before now: each promise is kept or broken, and a column of zeros says nothing.
    frame = per_department([("HR", 3, 1, 2, 0, 1 / 3), ("IT", 11, 2, 9, 0, 2 / 11)])
    assert list(promises.by_department(frame).columns) == [
        "provider_department", "kept_rate", "n_broken", "n_kept", "n_promises"]
