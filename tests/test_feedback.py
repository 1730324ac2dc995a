"""Feedback: CSAT under three conventions, survey scales normalised on import, the breakdowns and
drivers, the follow-up queue, and the derived table's filters."""

from __future__ import annotations

import math
import shutil
import statistics
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from servicelevel import feedback, queries, store
from servicelevel.derived import ensure_fresh, refresh_derived
from servicelevel.filters import Period, whole_weeks_trend
from servicelevel.kpis import mean_change_p
from servicelevel.settings import Organisation
from tests.handmade import filters, import_answers, import_requests

UTC = timezone.utc
MARCH = {"start_at": datetime(2026, 3, 1, tzinfo=UTC), "end_at": datetime(2026, 4, 1, tzinfo=UTC)}


# --------------------------------------------------------------------------------------
# Conventions


def test_conventions_by_hand():
    # 5 satisfied, 2 neutral, 3 dissatisfied of 10 answers.
    c = feedback.conventions(5, 2, 3)
    assert c.n_answers == 10
    assert c.csat == pytest.approx(0.5)  # 5 / 10
    assert c.good_vs_bad == pytest.approx(5 / 8)  # neutral left out
    assert c.net == pytest.approx(0.2)  # 0.5 - 0.3
    empty = feedback.conventions(0, 0, 0)
    assert (empty.csat, empty.good_vs_bad, empty.net) == (None, None, None)
    only_neutral = feedback.conventions(0, 4, 0)
    assert (only_neutral.csat, only_neutral.good_vs_bad, only_neutral.net) == (0.0, None, 0.0)


def test_conventions_read_as_shares_and_net_as_points():
    # 5 satisfied, 2 neutral, 3 dissatisfied: 50% and 62.5% are shares; 50% - 30% = +20 points.
    shown = feedback.conventions_frame(feedback.conventions(5, 2, 3))
    assert list(shown["value"]) == ["50.0%", "62.5%", "+20.0 points"]
    assert list(shown["counts"]) == ["5 of 10", "5 of 8", "5 - 3 of 10"]
    # Mostly unhappy: net is negative; no decided answer: no share to show.
    assert feedback.conventions_frame(feedback.conventions(1, 0, 3))["value"].iloc[2] == "-50.0 points"
    assert feedback.conventions_frame(feedback.conventions(0, 4, 0))["value"].iloc[1] == "–"


# --------------------------------------------------------------------------------------
# The page's tiles: a period against the one before it

ORG = Organisation(name="Example Org", timezone="UTC", csat_goal=0.85)


def totals(n_answers, n_satisfied, sum_score, n_resolved, variance=1.0) -> pd.Series:
    """A period's totals from two weeks of feedback_weeks, the second with one unhappy answer (2);
    the scores' squares add up to what gives their sample variance `variance`."""
    squares = sum_score * sum_score / n_answers + (n_answers - 1) * variance
    weeks = pd.DataFrame({"week_start": [date(2026, 3, 2), date(2026, 3, 9)],
                          "n_answers": [n_answers - 1, 1], "n_satisfied": [n_satisfied, 0], "n_neutral": [0, 0],
                          "n_dissatisfied": [n_answers - 1 - n_satisfied, 1], "sum_score": [sum_score - 2.0, 2.0],
                          "sum_score_squares": [squares - 4.0, 4.0], "n_resolved": [n_resolved, 0]})
    return feedback.period_totals(weeks)


def test_feedback_tiles_change_from_the_period_before():
    # Before: 30 of 40 answers satisfied (75.0%), scores adding up to 160 (mean 4.00), 200 resolved
    # (20.0%). Now: 40 of 50 (80.0%), 205 (4.10), 180 resolved (27.8%).
    tiles = {t.key: t for t in feedback.period_tiles(totals(50, 40, 205, 180), totals(40, 30, 160, 200), ORG)}
    shown = {key: (t.format_value(), t.format_delta(), t.change_is_news) for key, t in tiles.items()}
    # CSAT's +5.0 pp on 50 and 40 answers is one chance could make (Fisher's exact test, p = 0.62 by
    # tests/independent_counts.fisher_two_sided): shown, not coloured, and the caption says why. So is
    # the mean's +0.10 with scores spread as usual (sample variance 1: z = 0.10 / sqrt(1/50 + 1/40)
    # = 0.47, p = 0.64).
    assert shown == {"csat": ("80.0%", "+5.0 pp", False), "mean_score": ("4.10", "+0.10", False),
                     # More answers, or a higher response rate, is neither good nor bad news.
                     "answers": ("50", "+10", False), "response_rate": ("27.8%", "+7.8 pp", False)}
    assert tiles["csat"].caption() == "goal 85.0% ✗ below goal · answers 50 · change could be chance"
    assert tiles["response_rate"].caption() == "resolved 180"
    # The same rates on 20 times the answers (800 of 1,000 against 600 of 800: p = 0.012) are news.
    many = feedback.period_tiles(totals(1000, 800, 4100, 3600), totals(800, 600, 3200, 4000), ORG)
    assert many[0].format_delta() == "+5.0 pp" and many[0].change_is_news and many[0].caption().endswith("answers 1,000")
    # And the mean's +0.10 on them: z = 0.10 / sqrt(1/1000 + 1/800) = 2.11, p = 0.035.
    assert many[1].format_delta() == "+0.10" and many[1].change_is_news and many[1].caption() == ""
    assert tiles["mean_score"].caption() == "change could be chance"


def test_the_change_of_a_mean_score_is_tested_against_chance_on_the_scores_themselves():
    # Two periods' scores, their means and sample variances worked by the statistics module and
    # Welch's z read as a normal deviate: a reference that never sees the sums mean_change_p gets.
    before = [5] * 30 + [4] * 10 + [3] * 5 + [1] * 5
    now = [5] * 15 + [4] * 10 + [3] * 10 + [2] * 10 + [1] * 5
    z = (statistics.fmean(now) - statistics.fmean(before)) / math.sqrt(
        statistics.variance(before) / len(before) + statistics.variance(now) / len(now))
    reference = math.erfc(abs(z) / math.sqrt(2))

    def spread(scores):
        return len(scores), float(sum(scores)), float(sum(x * x for x in scores))

    assert mean_change_p(spread(before), spread(now)) == pytest.approx(reference)
    assert reference < 0.01  # 4.20 against 3.40 on 50 answers a side (p = 0.002): not chance
    assert mean_change_p(spread(before), spread(before)) == 1.0
    assert mean_change_p(spread([4]), spread(now)) is None  # one answer has no spread


def test_feedback_tiles_on_too_few_answers_or_a_running_period_are_not_news():
    # 20 answers now (fewer than 30): the CSAT and mean-score changes are shown, not coloured.
    few = {t.key: t for t in feedback.period_tiles(totals(20, 16, 82, 100), totals(40, 30, 160, 200), ORG)}
    assert few["csat"].format_delta() == "+5.0 pp" and not few["csat"].change_is_news
    assert few["mean_score"].format_delta() == "+0.10" and not few["mean_score"].change_is_news
    running = feedback.period_tiles(totals(50, 40, 205, 180), totals(40, 30, 160, 200), ORG, so_far=True)
    assert not any(t.change_is_news for t in running)
    assert running[0].goal_text() == "goal 85.0% ✗ below goal so far"
    # Part of a period's answers are not set against a whole period's (50 "+10" would read as more).
    answers = next(t for t in running if t.key == "answers")
    assert answers.format_delta() is None and answers.no_change_note == "part of a period: not compared"


def test_feedback_tiles_without_a_period_before_in_the_data_say_so():
    tiles = feedback.period_tiles(totals(50, 40, 205, 180), None, ORG)
    assert [t.format_value() for t in tiles] == ["80.0%", "4.10", "50", "27.8%"]
    assert {t.format_delta() for t in tiles} == {None}
    assert {t.no_change_note for t in tiles} == {"no period before in the data to compare"}


def answers_db(con, folder, scores: list[str], comments: list[str] | None = None) -> None:
    """One request per answer, and the answers imported through the survey preset."""
    n = len(scores)
    import_requests(con, folder, [
        {"request_id": f"R{i}", "created_at": f"2026-03-02T{10 + i % 10}:00:00Z", "status": "resolved",
         "resolved_at": f"2026-03-03T{10 + i % 10}:00:00Z", "reopen_count": str(i % 2), "channel": ["portal", "phone"][i % 2]}
        for i in range(n)
    ])
    comments = comments or [""] * n
    import_answers(con, folder, [(f"R{i}", f"2026-03-04 {10 + i % 10}:00", score, comment)
                                 for i, (score, comment) in enumerate(zip(scores, comments))])
    refresh_derived(con)


def test_theme_weeks_give_every_theme_a_share_on_every_week_with_comments(con, tmp_path):
    # Three weeks (Mondays 2, 9 and 16 March 2026), one theme each: "business, positive" in the first,
    # "human, negative" and a comment touching no theme in the second, "business, negative" in the
    # third. A theme's line falls to 0 on the weeks it is not mentioned, rather than running straight
    # across them.
    comments = [("2026-03-04 10:00", "Resolveram rápido, obrigado!"),
                ("2026-03-11 10:00", "Atendimento grosseiro e sem empatia."),
                ("2026-03-11 11:00", "Obrigado."),
                ("2026-03-18 10:00", "Ainda não resolveram o problema.")]
    import_requests(con, tmp_path, [
        {"request_id": f"R{i}", "created_at": "2026-03-02T10:00:00Z", "status": "resolved",
         "resolved_at": "2026-03-03T10:00:00Z"} for i in range(len(comments))])
    import_answers(con, tmp_path, [(f"R{i}", at, "3", text) for i, (at, text) in enumerate(comments)])
    refresh_derived(con)
    zone = "America/Sao_Paulo"
    weeks = queries.run(con, "feedback_theme_weeks", {
        **filters(), **Period(date(2026, 3, 2), date(2026, 3, 23), zone).params(), "timezone": zone})
    got = {(str(r.week_start), r.dimension, r.polarity): (r.n_comments, r.n_all_comments)
           for r in weeks.itertuples(index=False)}
    pairs = [("business", "positive"), ("human", "negative"), ("business", "negative")]
    expected_counts = {"2026-03-02": (1, 0, 0), "2026-03-09": (0, 1, 0), "2026-03-16": (0, 0, 1)}
    all_comments = {"2026-03-02": 1, "2026-03-09": 2, "2026-03-16": 1}
    assert got == {(week, *pair): (n, all_comments[week])
                   for week, counts in expected_counts.items() for pair, n in zip(pairs, counts)}


def all_row(con) -> pd.Series:
    breakdown = queries.run(con, "feedback_breakdown", {**filters(), **MARCH})
    return breakdown[breakdown["dimension"] == "all"].iloc[0]


# Import round trips: the importer normalises each scale to 1-5, read by the whole part.
@pytest.mark.parametrize("scores, scale, normalised, groups", [
    # 1-5 as it is: 4-5 satisfied, 3 neutral, 1-2 dissatisfied.
    (["5", "4", "3", "2", "1"], "1-5", [5, 4, 3, 2, 1], (2, 1, 2)),
    # 1-10: 1 + (x - 1) * 4 / 9, so 10 -> 5, 8 -> 4.11 (satisfied), 7 -> 3.67 and 6 -> 3.22
    # (neutral), 5 -> 2.78 and 1 -> 1 (dissatisfied).
    (["10", "8", "7", "6", "5", "1"], "1-10", [5, 1 + 28 / 9, 1 + 24 / 9, 1 + 20 / 9, 1 + 16 / 9, 1], (2, 2, 2)),
    # NPS 0-10: 1 + x * 4 / 10, so 10 -> 5, 9 -> 4.6, 8 -> 4.2 (satisfied), 7 -> 3.8 and 5 -> 3
    # (neutral), 4 -> 2.6 and 0 -> 1 (dissatisfied).
    (["10", "9", "8", "7", "5", "4", "0"], "nps", [5, 4.6, 4.2, 3.8, 3.0, 2.6, 1.0], (3, 2, 2)),
    # good / bad: 5 / 1.
    (["Good", "good", "Bad"], "good_bad", [5, 5, 1], (2, 0, 1)),
])
def test_scales_are_normalised_and_read_the_same_way(con, tmp_path, scores, scale, normalised, groups):
    answers_db(con, tmp_path, scores)
    stored = con.execute("select scale, score from feedback order by request_id").fetchall()
    assert {s for s, _ in stored} == {scale}
    by_id = dict(con.execute("select request_id, score from feedback").fetchall())
    assert [by_id[f"R{i}"] for i in range(len(scores))] == [pytest.approx(v) for v in normalised]
    row = all_row(con)
    assert (row["n_satisfied"], row["n_neutral"], row["n_dissatisfied"]) == groups
    c = feedback.conventions(*groups)
    satisfied, neutral, dissatisfied = groups
    assert c.csat == pytest.approx(satisfied / len(scores))
    assert c.good_vs_bad == pytest.approx(satisfied / (satisfied + dissatisfied))
    assert c.net == pytest.approx((satisfied - dissatisfied) / len(scores))


def test_breakdown_by_channel_and_reopen(con, tmp_path):
    # R0 portal not reopened 5; R1 phone reopened 1; R2 portal not reopened 4; R3 phone reopened 2.
    answers_db(con, tmp_path, ["5", "1", "4", "2"])
    breakdown = queries.run(con, "feedback_breakdown", {**filters(), **MARCH})
    channel = feedback.dimension_rows(breakdown, "channel").set_index("value")
    assert channel.loc["portal", ["n_answers", "n_satisfied"]].tolist() == [2, 2]
    assert channel.loc["phone", ["n_answers", "n_dissatisfied"]].tolist() == [2, 2]
    assert channel.loc["portal", "csat"] == 1.0 and channel.loc["phone", "csat"] == 0.0
    reopened = feedback.dimension_rows(breakdown, "reopened")
    assert list(reopened["value"]) == ["not reopened", "reopened"]  # the drivers' order
    assert reopened["csat"].tolist() == [1.0, 0.0]
    # The canonical export here has no reassignment counts: "not recorded", never guessed.
    assert feedback.dimension_rows(breakdown, "reassigned")["value"].tolist() == ["not recorded"]
    # No SLA was computed for this tiny database.
    assert feedback.dimension_rows(breakdown, "sla_outcome")["value"].tolist() == ["no SLA decided"]
    # Mean score from the sum: (5 + 1 + 4 + 2) / 4.
    assert feedback.dimension_rows(breakdown, "all")["mean_score"].iloc[0] == pytest.approx(3.0)


def test_followup_queue_is_unhappy_answers_with_a_comment_newest_first(con, tmp_path):
    answers_db(con, tmp_path, ["1", "2", "1", "5", "2"],
               ["Ainda não resolveram", "", "Rude and dismissive", "Terrible, but score 5", "Demorou demais"])
    queue = queries.run(con, "feedback_followup", {**filters(), **MARCH, "max_rows": 10})
    # R1 has no comment, R3 scored 5: R4, R2, R0 remain, newest first (submitted 14:00, 12:00, 10:00).
    assert queue["request_id"].tolist() == ["R4", "R2", "R0"]
    assert queue["themes"].tolist() == ["Slow, had to wait or chase", "Rude, cold or ignored", "Not solved, came back"]
    assert set(queue["n_total"]) == {3}
    assert queue["sla_outcome"].tolist() == ["no SLA decided"] * 3
    limited = queries.run(con, "feedback_followup", {**filters(), **MARCH, "max_rows": 1})
    assert limited["request_id"].tolist() == ["R4"] and limited["n_total"].iloc[0] == 3


def test_followup_queue_names_a_requester_known_only_by_id(con, tmp_path):
    external = {"created_at": "2026-03-02T10:00:00Z", "status": "resolved", "resolved_at": "2026-03-03T10:00:00Z",
                "requester_type": "external", "requester_department": ""}
    import_requests(con, tmp_path, [
        {**external, "request_id": "E1", "requester_org": "Example Org Ltd", "requester_id": "C-1"},
        {**external, "request_id": "E2", "requester_id": "C-77"},
    ])
    import_answers(con, tmp_path, [("E1", "2026-03-04 10:00", "1", "Never again"),
                                   ("E2", "2026-03-04 11:00", "1", "Still broken")])
    refresh_derived(con)
    queue = queries.run(con, "feedback_followup", {**filters(), **MARCH, "max_rows": 10})
    assert queue[["request_id", "requester"]].values.tolist() == [["E2", "requester C-77"], ["E1", "Example Org Ltd"]]


def test_themes_query_counts_comments_per_theme_and_dimension(con, tmp_path):
    answers_db(con, tmp_path, ["5", "4", "1", "2"],
               ["Resolveram rápido, muito educado", "Resolveu, mas demorou", "Fecharam sem resolver, grosseiro", ""])
    themes = queries.run(con, "feedback_themes", {**filters(), **MARCH})
    by_theme = themes[themes["level"] == "theme"].set_index("theme")["n_comments"].to_dict()
    # solved: R0 and R1; fast: R0; courteous: R0; slow: R1; not_solved and disrespected: R2.
    assert by_theme == {"solved": 2, "fast": 1, "courteous": 1, "slow": 1, "not_solved": 1, "disrespected": 1}
    dims = themes[themes["level"] == "dimension"].set_index(["dimension", "polarity"])["n_comments"].to_dict()
    assert dims == {("business", "positive"): 2, ("business", "negative"): 2, ("human", "positive"): 1,
                    ("human", "negative"): 1}
    total = themes[themes["level"] == "total"].iloc[0]
    assert (total["n_comments"], total["n_classified"]) == (3, 3)


def test_answer_facts_follow_new_answers(con, tmp_path):
    answers_db(con, tmp_path, ["5"])
    assert feedback.answer_facts_fresh(con)
    import_answers(con, tmp_path, [("R0", "2026-03-05 10:00", "1", "Still not fixed.")], name="more.csv")
    assert not feedback.answer_facts_fresh(con)
    assert ensure_fresh(con)
    assert all_row(con)["n_answers"] == 2


def test_weekly_answers_and_response_rate(con, tmp_path):
    answers_db(con, tmp_path, ["5", "3", "1"])
    # 2026-03-02 is a Monday; all three requests are resolved and answered that week.
    zone = "America/Sao_Paulo"  # the organisation's: request_facts' weeks are in it
    weeks = queries.run(con, "feedback_weeks", {
        **filters(), **Period(date(2026, 2, 23), date(2026, 3, 9), zone).params(), "timezone": zone})
    rates = feedback.weekly_rates(weeks)
    rates = rates.set_index(pd.to_datetime(rates["week_start"]).dt.date)
    week = rates.loc[date(2026, 3, 2)]
    assert (week["n_answers"], week["n_resolved"]) == (3, 3)
    assert (week["csat"], week["response_rate"], week["mean_score"]) == (pytest.approx(1 / 3), 1.0, 3.0)
    assert rates.loc[date(2026, 2, 23), "n_answers"] == 0


# --------------------------------------------------------------------------------------
# On the bundled sample


@pytest.fixture(scope="module")
def sample(sample_db_path, tmp_path_factory):
    from servicelevel.sla import ensure_fresh as ensure_sla

    path = tmp_path_factory.mktemp("feedback") / "sample.duckdb"
    shutil.copy(sample_db_path, path)
    connection = store.connect(path)
    ensure_sla(connection)
    refresh_derived(connection)
    yield connection
    connection.close()


ARGS = "$requester_type, $requester_departments, $provider_departments, $provider_types, $priorities, $channels"


@pytest.mark.parametrize("chosen", [
    {},
    {"requester_type": "external"},
    {"provider_departments": ["Facilities"]},
    {"requester_departments": ["Sales", "Finance"], "channels": ["portal", "email"]},
    {"provider_types": ["in_house"], "priorities": ["normal"]},
])
def test_answer_facts_filters_mean_what_filtered_requests_means(sample, chosen):
    params = filters(**chosen)
    facts = sample.execute(
        f"select count(*), round(sum(score), 6), count(comment) from filtered_answers({ARGS})", params).fetchall()
    plain = sample.execute(
        f"""select count(*), round(sum(f.score), 6), count(nullif(trim(f.comment), ''))
            from feedback as f
            join filtered_requests({ARGS}) as r on r.source = f.request_source and r.request_id = f.request_id""",
        params).fetchall()
    assert facts == plain and facts[0][0] > 0


def test_sla_by_channel_agrees_with_the_adherence_matrix(sample, sample_anchor):
    week = Period(sample_anchor - timedelta(days=7), sample_anchor, "America/Sao_Paulo")
    as_of = feedback.facts_as_of(sample)
    mine = queries.run(sample, "sla_by_channel", {**filters(), **week.params()}).set_index("channel")
    matrix = queries.run(sample, "adherence_matrix", {
        **filters(), **week.params(), "as_of": as_of, "row_dimension": "channel",
        "column_dimension": "requester_type", "metric": "both"})
    theirs = matrix.groupby("row_value")[["n_met", "n_breached"]].sum()
    theirs = theirs[theirs["n_met"] + theirs["n_breached"] > 0]
    assert mine[["n_met", "n_breached"]].sort_index().values.tolist() == theirs.sort_index().values.tolist()


def test_sla_outcome_driver_matches_the_sla_states(sample, sample_anchor):
    week = Period(sample_anchor - timedelta(days=7), sample_anchor, "America/Sao_Paulo")
    breakdown = queries.run(sample, "feedback_breakdown", {**filters(), **week.params()})
    outcome = feedback.dimension_rows(breakdown, "sla_outcome").set_index("value")["n_answers"].to_dict()
    start, end = week.bounds()
    expected = dict(sample.execute(
        """select case when s.fr_state = 'breached' or s.res_state = 'breached' then 'breached'
                       when s.fr_state = 'met' or s.res_state = 'met' then 'met' else 'no SLA decided' end,
                  count(*)
           from feedback as f
           join requests as r on r.source = f.request_source and r.request_id = f.request_id
           left join sla_states($as_of) as s on s.source = f.request_source and s.request_id = f.request_id
           where f.submitted_at >= $start and f.submitted_at < $end
           group by 1""", {"as_of": feedback.facts_as_of(sample), "start": start, "end": end}).fetchall())
    assert outcome == expected
    # The sample's story: breached SLAs go with lower satisfaction.
    rows = feedback.dimension_rows(breakdown, "sla_outcome").set_index("value")
    assert rows.loc["breached", "csat"] < rows.loc["met", "csat"]


def test_the_trend_window_starts_no_earlier_than_the_data():
    week = Period(date(2026, 11, 9), date(2026, 11, 16), "America/Sao_Paulo")
    # Twelve whole weeks ending with the period: from Monday 24 August.
    assert whole_weeks_trend(week, 12).start == date(2026, 8, 24)
    # Data from Wednesday 21 October: the window starts on that week's Monday.
    assert whole_weeks_trend(week, 12, data_from=date(2026, 10, 21)).start == date(2026, 10, 19)
    # A period before the data keeps its own weeks (it is empty, and says so).
    assert whole_weeks_trend(week, 12, data_from=date(2026, 12, 2)).start == date(2026, 11, 9)


def test_one_group_note_speaks_only_of_a_breakdown_with_a_single_group():
    one = pd.DataFrame({"provider_type": ["in_house"], "n_answers": [1]})
    assert feedback.one_group_note(one, "provider_type", "Provider type") == \
        'Provider type: the only answer in this selection falls under "in-house", so there is nothing to compare.'
    blank = pd.DataFrame({"provider_department": [None], "n_answers": [1200]})
    assert feedback.one_group_note(blank, "provider_department", "Provider department") == \
        'Provider department: all 1,200 answers in this selection fall under "(no provider department)", so there ' \
        "is nothing to compare."
    two = pd.DataFrame({"Reopened": ["reopened", "not reopened"], "n_answers": [3, 9]})
    assert feedback.one_group_note(two, "Reopened", "Reopened") is None
    assert feedback.one_group_note(two.iloc[:0], "Reopened", "Reopened") is None


def test_answers_on_requests_without_a_provider_department_are_named_as_the_breakdowns_name_them(con, tmp_path):
    # Named "(none)" here, and "(no provider department)" in every other breakdown and table.
    import_requests(con, tmp_path, [{"request_id": "R0", "created_at": "2026-03-03T10:00:00Z",
                                     "provider_department": ""}])
    import_answers(con, tmp_path, [("R0", "2026-03-04 10:00", "5", "")])
    refresh_derived(con)
    breakdown = queries.run(con, "feedback_breakdown", {**filters(), **MARCH})
    assert feedback.dimension_rows(breakdown, "provider_department")["value"].tolist() == ["(no provider department)"]


def test_a_channel_without_answers_counts_none_too_few_to_trust_beside_its_sla_adherence():
    # W40's social channel: SLA targets (4 met) but no survey answer. Its row showed blank counts
    # and an unticked "too few to trust", as if its CSAT could be trusted.
    breakdown = pd.DataFrame({"dimension": ["channel", "channel"], "value": ["portal", "chat"],
                              "n_answers": [40, 5], "n_satisfied": [30, 4], "n_neutral": [6, 1],
                              "n_dissatisfied": [4, 0], "sum_score": [160.0, 22.0]})
    adherence = pd.DataFrame({"channel": ["chat", "portal", "social"], "adherence": [0.9, 0.8, 1.0],
                              "goal": [0.85, 0.85, 0.875], "n_met": [9, 80, 4], "n_breached": [1, 20, 0]})
    table = feedback.csat_beside_adherence_table(breakdown, adherence, min_count=10).set_index("channel")
    assert list(table.index) == ["portal", "chat", "social"]  # most answers first, then the rest
    social = table.loc["social"]
    assert (social["n_answers"], social["n_satisfied"], social["too_few"]) == (0, 0, True)
    assert pd.isna(social["csat"]) and social["sla_adherence"] == 1.0 and social["n_met"] == 4
    # The minimum is the one given: 5 answers are too few against 10, 40 are not.
    assert table["too_few"].tolist() == [False, True, True]
    # And for SLA adherence, of decided targets: portal's 100 are enough, chat's 10 just so, social's 4 not.
    assert table["sla_too_few"].tolist() == [False, False, True]
    assert table.loc["portal", "csat"] == 0.75
