"""The metric dictionary: one definition per number, shown in the app and the README."""

from __future__ import annotations

from dataclasses import dataclass


# What a "business h" column counts, where a table or the report lists one: a policy on a 24x7
# calendar has every hour as a business hour.
POLICY_HOURS = "business hours, or every hour for a 24x7 policy"
OVERRUN = f"hours past the target on the policy's clock: {POLICY_HOURS}"
POLICY_CLOCK = f"Hours on the clock of the request's SLA policy: {POLICY_HOURS}."


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    definition: str


METRICS: tuple[Metric, ...] = (
    Metric("volume", "Volume",
           "Requests created in the period (by the time each was created, in the organisation's time zone)."),
    Metric("fr_adherence", "First-response adherence",
           "Met / (met + breached) among first-response targets decided in the period: met when the "
           f"first response came within the policy's target on its clock ({POLICY_HOURS}), breached when the "
           "deadline passed without one (decided at the deadline). Running and n/a requests are not counted."),
    Metric("res_adherence", "Resolution adherence",
           "Met / (met + breached) among resolution targets decided in the period, on the policy's clock, "
           "excluding time paused in waiting statuses (pending, on hold) where status history exists."),
    Metric("adherence", "SLA adherence (combined)",
           "Met / (met + breached) over first-response and resolution targets together."),
    Metric("slipping", "Slipping department",
           "Provider departments whose SLA adherence (combined) over the last 4 weeks is at least 5 points below their own over the 8 weeks before, each span with at least 10 decided targets. The movers compare one week with the week before instead."),
    Metric("could_be_chance", "Could be chance",
           "Said of a change in a rate between two periods (a department's SLA adherence, combined, between "
           "the movers' two weeks or the slipping spans; a rate tile's change from the period before; a rate's "
           "trend, its first 4 weeks pooled against its last 4): two periods alike would split their met and "
           "breached targets at least as unevenly 5% of the time or more (Fisher's exact test, two-sided, on "
           "the 2 x 2 table of met and breached targets in each period). Three more breaches on 40 targets "
           "move adherence 7.5 points and could be chance; the same fall on 800 targets could not. Said too "
           "of the mean score's change (Welch's test) and of the median first response's (Mood's median "
           "test: the same Fisher test on each week's first responses slower than the two weeks' pooled "
           "median and the rest)."),
    Metric("extra_breaches", "Extra breaches",
           "Where a change in adherence comes from: a group's breaches over the last 4 weeks minus those its "
           "own adherence over the 8 weeks before would give on the same number of decided targets, "
           "decided x (1 - earlier adherence). The groups' extra breaches add up to the total's, less what a "
           "changed mix of work (more of it in groups that were already slower) and groups with fewer than 10 "
           "decided targets in either span make."),
    Metric("goal", "Goal",
           "Each SLA policy's goal (e.g. 95%). Where several policies apply, the goal shown is the average "
           "of the decided targets' own goals: the adherence you would see if every policy met its goal exactly."),
    Metric("frt", "First response time (FRT)",
           "From the request's creation to its first response (a resolution without a reply counts as the "
           "first response), in business hours of the policy's calendar and in calendar hours; the median and "
           "the 90th percentile (9 in 10 took no longer) of the first responses given in the period (business "
           "hours only where a policy applies)."),
    Metric("resolution_time", "Resolution time",
           "From the request's creation to its resolution (or its closing, where the export gives no resolution "
           "time), in business and in calendar hours; the median and the 90th percentile of the requests "
           "resolved in the period."),
    Metric("breach", "Breach",
           f"A target whose deadline passed before the response/resolution; overrun = {OVERRUN}."),
    Metric("at_risk", "At risk",
           "Running requests whose deadline falls within the next N business hours of the as-of instant: 8 in "
           "the weekly overview's \"Needs attention now\" and the report, and by default on the SLA page, whose "
           "slider sets another (1 to 40)."),
    Metric("backlog", "Backlog",
           "Requests open at the end of the period (created before it, not resolved or closed before it); "
           "ageing buckets by calendar age at that moment."),
    Metric("overdue_no_reply", "Overdue; no reply",
           "Of the backlog: requests past their resolution deadline; and requests with no first response yet "
           "although their first-response deadline has passed (a request can be both). \"Needs attention now\" "
           "counts both as of the data's newest timestamp, and tells apart the overdue more than 30 calendar days "
           "past their deadline (the overdue list's \"days overdue\" over 30)."),
    Metric("promises_kept", "Promises kept",
           "Among requests with a due date (a promise) falling in the period and already decided: "
           "resolved on or before the due date / all decided (late or still open past due). A request whose "
           "status says resolved or closed but whose export gives no time is left out, as from the backlog."),
    Metric("reopen_rate", "Reopen rate",
           "Requests resolved in the period that were reopened at least once (a reopen count above 0) / requests "
           "resolved in the period. Requests from a source without reopen counts are left out of both."),
    Metric("one_touch_rate", "One-touch resolution",
           "Requests resolved in the period without being reassigned (a reassignment count of 0) / requests "
           "resolved in the period. Requests from a source without reassignment counts are left out of both."),
    Metric("csat", "CSAT %",
           "Share of survey answers scoring 4-5 on the 1-5 scale (other scales normalised first: "
           "1-10 and NPS 0-10 linearly, good = 5, bad = 1), by the week the answer was submitted."),
    Metric("mean_score", "Mean score", "Average normalised score (1-5) of the answers."),
    Metric("response_rate", "Response rate", "Survey answers / requests resolved in the period."),
    Metric("as_of", "As of",
           "Running SLAs are judged at the earlier of now and the newest timestamp in the data, so an "
           "export viewed later does not turn every then-open request into a breach."),
    Metric("week", "Week",
           "ISO week, Monday to Sunday, in the organisation's time zone; 'last week' is the last complete week."),
    Metric("pp", "pp (percentage points)",
           "The difference between two percentages: adherence going from 85% to 90% is +5 pp (not +5.9%). "
           "Every change shown (in pp, hours or counts) is taken between the two values as shown, rounded, so "
           "that they subtract on paper."),
    Metric("small_counts", "Too few to trust",
           "A rate from fewer than the configured minimum (30) is flagged and shown with its 95% Wilson interval. "
           "In the Feedback and Internal departments tables the flag stands beside the rate, before the counts, "
           "so that it stays in view when a half-width table scrolls."),
    Metric("satisfaction_groups", "Satisfied / neutral / dissatisfied",
           "Survey answers read by the whole part of their normalised 1-5 score: satisfied 4-5 (score >= 4), "
           "neutral 3, dissatisfied 1-2 (score below 3). On a 1-10 scale that is 8-10 / 6-7 / 1-5, on NPS 0-10 "
           "8-10 / 5-7 / 0-4, and good / bad are 5 / 1."),
    Metric("csat_good_bad", "CSAT, good / (good + bad)",
           "Satisfied answers / (satisfied + dissatisfied): the neutral 3s left out. Higher than CSAT % whenever "
           "there are neutral answers."),
    Metric("csat_net", "Net satisfaction",
           "Share of answers scoring 4-5 minus share scoring 1-2, in points from -100 to +100 (a difference of "
           "two shares, not itself a share)."),
    Metric("answer_drivers", "What drives satisfaction",
           "CSAT % of the answers grouped by what happened to their request: SLA met or breached (any breached "
           "target counts as breached), business time to the first response, reopened or not, reassigned or not; "
           "each with the number of answers behind it and its 95% Wilson interval."),
    Metric("comment_theme", "Comment theme",
           "A comment touches a theme when it contains one of the theme's terms in data/themes.toml (Portuguese "
           "and English; accents and case ignored; the longest phrase wins, so negations such as 'não resolveram' "
           "count for the negative theme). Each theme belongs to the business, human or hidden dimension and is "
           "positive or negative."),
    Metric("followup_queue", "Follow-up queue",
           "Answers scoring 1-2 (below 3 of 5) that left a comment, newest first, with the request's SLA outcome."),
    Metric("top_categories", "Top categories",
           "Requests created in the period per category, their share of all requests in scope, and the requests "
           "per ISO week over the 12 weeks ending with the period."),
    Metric("emerging", "Emerging problem",
           "A category whose requests in the last N complete weeks (default 4) are significantly above its own "
           "rate in the 12 weeks before: exact one-sided conditional binomial test of two Poisson rates, p below "
           "1% divided by the number of categories tested (Bonferroni), and at least 25% above baseline; "
           "categories with fewer than 5 recent requests are not tested. Size of the rise = recent minus baseline "
           "requests per week, and their ratio."),
    Metric("problem_cost", "Problem cost",
           "Per category, for requests created in the period: requests, business hours from creation to "
           "resolution (resolved ones, waiting statuses excluded), breached SLA targets, and survey answers "
           "scoring 1-2. The combined rank is the average of the category's shares of each of the four totals."),
    Metric("fix_effect", "Did the fix work",
           "Weekly requests of a category in up to 12 complete ISO weeks before the fix's week and up to 12 after "
           "it (the fix's own week left out). Change = rate after / rate before - 1; significant when the exact "
           "two-sided conditional binomial test of the two Poisson rates gives p below 5%."),
    Metric("repeat_contact", "Repeat contact",
           "A request whose requester (same source) had another request in the same category created at most "
           "30 days (720 hours) before it, whatever that earlier request's channel, priority or department. "
           "Repeat rate = repeats / requests with a requester id and a category."),
    Metric("faq_candidate", "FAQ candidate",
           "Requests grouped by their normalised subject: lowercase, accents folded, reply prefixes, tags, "
           "numbers, ids, e-mail addresses and URLs removed, Portuguese and English stop words dropped. "
           "'Não consigo acessar o sistema #4521' and 'nao consigo acessar sistema' form one group."),
)

BY_KEY = {m.key: m for m in METRICS}


def definition(key: str) -> str:
    """The definition text of one metric."""
    return BY_KEY[key].definition
