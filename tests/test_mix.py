"""The mix note: a rate that moves more (or less) overall than for internal and external
requesters alike, because the share between them shifted (Simpson's paradox)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from servicelevel.weekly import mix_notes

BEFORE, NOW = date(2026, 11, 2), date(2026, 11, 9)


def weeks(answers: dict[tuple[str, date], tuple[int, int]]) -> pd.DataFrame:
    """weekly_kpis rows from (segment, week) -> (answers, satisfied); no SLA targets decided."""
    return pd.DataFrame([
        {"week_start": week, "segment": segment, "n_answers": n, "n_satisfied": satisfied,
         "fr_met": 0, "fr_breached": 0, "res_met": 0, "res_breached": 0}
        for (segment, week), (n, satisfied) in answers.items()
    ])


# Both requester types improve (internal 80% -> 82.5%, external 60% -> 65%), but external, the
# lower one, grows from 60 of 100 answers to 160 of 200: overall 68/100 = 68% -> 137/200 = 68.5%.
SHIFTED = {
    ("internal", BEFORE): (40, 32), ("external", BEFORE): (60, 36), ("all", BEFORE): (100, 68),
    ("internal", NOW): (40, 33), ("external", NOW): (160, 104), ("all", NOW): (200, 137),
}


def test_a_shift_towards_the_lower_requester_type_is_explained():
    assert mix_notes(weeks(SHIFTED), min_count=30) == (
        "CSAT moved +0.5 pp overall but +2.5 pp for internal and +5.0 pp for external requesters: the mix "
        "shifted. External requesters, whose CSAT is lower (65.0% against 82.5%), account for 80% of the survey "
        "answers this week against 60% the week before.",
    )


def test_no_note_when_the_overall_change_lies_between_the_two():
    # The same shares both weeks (40 / 60): overall moves between internal's +2.5 and external's +5.0.
    steady = {**SHIFTED, ("external", NOW): (60, 39), ("all", NOW): (100, 72)}
    assert mix_notes(weeks(steady), min_count=30) == ()


def test_no_note_for_a_gap_under_one_point():
    # External 52/90 = 57.8% (-2.2 pp), internal +2.5 pp; overall 85/130 = 65.4% (-2.6 pp): below
    # both, but by 0.4 pp, which is rounding and noise.
    near = {**SHIFTED, ("external", NOW): (90, 52), ("all", NOW): (130, 85)}
    assert mix_notes(weeks(near), min_count=30) == ()


def test_no_note_on_too_few_or_when_some_requests_have_no_requester_type():
    assert mix_notes(weeks(SHIFTED), min_count=41) == ()  # internal has 40 answers a week
    # Ten answers on requests without a requester type count in 'all' only.
    untyped = {**SHIFTED, ("all", NOW): (210, 140)}
    assert mix_notes(weeks(untyped), min_count=30) == ()


def test_adherence_is_explained_the_same_way():
    # First-response targets: internal 90% -> 90%, external 70% -> 70%; external's share 50% -> 75%:
    # overall 160/200 = 80% -> 150/200 = 75%.
    frame = weeks({key: (0, 0) for key in SHIFTED})
    targets = {("internal", BEFORE): (90, 10), ("external", BEFORE): (70, 30), ("all", BEFORE): (160, 40),
               ("internal", NOW): (45, 5), ("external", NOW): (105, 45), ("all", NOW): (150, 50)}
    for (segment, week), (met, breached) in targets.items():
        row = (frame["segment"] == segment) & (frame["week_start"] == week)
        frame.loc[row, ["fr_met", "fr_breached"]] = met, breached
    assert mix_notes(frame, min_count=30) == (
        "First-response adherence moved -5.0 pp overall but +0.0 pp for internal and +0.0 pp for external "
        "requesters: the mix shifted. External requesters, whose first-response adherence is lower (70.0% "
        "against 90.0%), account for 75% of the first-response targets decided this week against 50% the week "
        "before.",
    )


def test_a_segment_is_only_the_whole_when_every_week_and_column_agree():
    from servicelevel.weekly import WeeklyKpis

    def kpis(answers, segments=("internal",)) -> WeeklyKpis:
        return WeeklyKpis(week=None, trend=None, weekly=weeks(answers), tiles=(), segments=segments, csat_goal=None)

    same = {("internal", BEFORE): (40, 32), ("all", BEFORE): (40, 32), ("internal", NOW): (10, 9), ("all", NOW): (10, 9)}
    assert kpis(same).only_segment == "internal"  # the table lists each week once (test_pages)
    # One answer to a request without a requester type counts in 'all' only: the rows differ.
    untyped = {**same, ("all", NOW): (11, 9)}
    assert kpis(untyped).only_segment is None
    assert kpis(SHIFTED, ("internal", "external")).only_segment is None
