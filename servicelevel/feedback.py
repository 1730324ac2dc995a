"""Customer feedback: the CSAT conventions people compare against, and the derived table the
Feedback page reads (answer_facts).

Scores are stored normalised to 1-5 by the importer (1-10 and NPS 0-10 linearly, good = 5,
bad = 1). They are read by their whole part, so every scale splits the same way:
    satisfied     score >= 4     (1-5: 4-5; 1-10: 8-10; NPS 0-10: 8-10; good)
    neutral       3 <= score < 4 (1-5: 3;   1-10: 6-7;  NPS 0-10: 5-7)
    dissatisfied  score < 3      (1-5: 1-2; 1-10: 1-5;  NPS 0-10: 0-4;  bad)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

import duckdb
import pandas as pd

from servicelevel import store
from servicelevel.derived import data_marker, facts_as_of, run_pipeline, table_exists
from servicelevel.fields import VALUE_LABELS
from servicelevel.kpis import Tile, mean_change_p, rate_tile, ratio, wilson_interval
from servicelevel.rounding import half_up
from servicelevel.settings import Organisation
from servicelevel.sqlfiles import pipeline_sql
from servicelevel.tables import NO_VALUE, columns_first
from servicelevel.themes import Lexicon, classify_into_temp_table, load_lexicon

META_VERSION = "answer_facts_version"

# The order driver buckets are shown in (the SQL names them).
DRIVER_ORDER = {
    "sla_outcome": ["met", "breached", "no SLA decided"],
    "first_response": ["under 1 h", "1-4 h", "4-8 h", "8-24 h", "24 h or more", "not recorded"],
    "reopened": ["not reopened", "reopened", "not recorded"],
    "reassigned": ["not reassigned", "reassigned", "not recorded"],
}


@dataclass(frozen=True)
class Conventions:
    """CSAT under the three conventions people compare against (None when there are no answers)."""

    n_answers: int
    n_satisfied: int
    n_neutral: int
    n_dissatisfied: int

    @property
    def csat(self) -> float | None:
        """Share of answers scoring 4-5 (the default: CSAT % as the README's metric definitions give it)."""
        return self.n_satisfied / self.n_answers if self.n_answers else None

    @property
    def good_vs_bad(self) -> float | None:
        """Satisfied / (satisfied + dissatisfied): neutral answers left out."""
        decided = self.n_satisfied + self.n_dissatisfied
        return self.n_satisfied / decided if decided else None

    @property
    def net(self) -> float | None:
        """Share 4-5 minus share 1-2 (from -1 to 1)."""
        return (self.n_satisfied - self.n_dissatisfied) / self.n_answers if self.n_answers else None


def conventions(n_satisfied: int, n_neutral: int, n_dissatisfied: int) -> Conventions:
    """The three CSAT conventions from the counts of each group."""
    n_satisfied, n_neutral, n_dissatisfied = int(n_satisfied), int(n_neutral), int(n_dissatisfied)
    return Conventions(n_satisfied + n_neutral + n_dissatisfied, n_satisfied, n_neutral, n_dissatisfied)


def conventions_frame(c: Conventions) -> pd.DataFrame:
    """The conventions side by side as they are read: the two shares in percent, net satisfaction
    in points from -100 to +100 (a difference of two shares, not a share), with what each counts."""
    def share(rate: float | None) -> str:
        return "–" if rate is None else f"{half_up(100 * rate, 1):.1f}%"

    return pd.DataFrame([
        {"convention": "CSAT % (default): answers scoring 4-5 / all answers", "value": share(c.csat),
         "counts": f"{c.n_satisfied:,} of {c.n_answers:,}"},
        {"convention": "Good / (good + bad): 4-5 / (4-5 and 1-2), neutral 3 left out", "value": share(c.good_vs_bad),
         "counts": f"{c.n_satisfied:,} of {c.n_satisfied + c.n_dissatisfied:,}"},
        {"convention": "Net: share 4-5 minus share 1-2, in points from -100 to +100",
         "value": "–" if c.net is None else f"{half_up(100 * c.net, 1):+.1f} points",
         "counts": f"{c.n_satisfied:,} - {c.n_dissatisfied:,} of {c.n_answers:,}"},
    ])


def with_csat(frame: pd.DataFrame, min_count: int = 30) -> pd.DataFrame:
    """Add csat, its 95 % Wilson interval, mean_score and a too-few flag to a frame of counts
    (n_answers, n_satisfied, n_dissatisfied, sum_score)."""
    out = frame.copy()
    n = out["n_answers"].astype("int64")
    satisfied = out["n_satisfied"].astype("int64")
    intervals = [wilson_interval(int(s), int(k)) for s, k in zip(satisfied, n)]
    out["csat"] = (satisfied / n.where(n > 0)).astype("float64")
    out["csat_low"] = [i[0] if i else None for i in intervals]
    out["csat_high"] = [i[1] if i else None for i in intervals]
    out["csat_low"] = out["csat_low"].astype("float64")
    out["csat_high"] = out["csat_high"].astype("float64")
    if "sum_score" in out:
        out["mean_score"] = (out["sum_score"] / n.where(n > 0)).astype("float64")
    out["too_few"] = n < min_count
    return out


def group_of(score_band: int) -> str:
    """satisfied / neutral / dissatisfied for a whole-part score 1-5."""
    return "satisfied" if score_band >= 4 else "neutral" if score_band == 3 else "dissatisfied"


# A breakdown's columns in view first, its tables half a page wide at times: the rate, whether to
# trust it, and the answers it rests on; the counts, interval and mean score after.
RATE_FIRST = ["value", "csat", "too_few", "n_answers"]


def dimension_rows(breakdown: pd.DataFrame, dimension: str, min_count: int = 30) -> pd.DataFrame:
    """One dimension's rows of feedback_breakdown with CSAT, its interval and the mean score
    (columns RATE_FIRST first), in the dimension's natural order (drivers) or by answers."""
    rows = breakdown[breakdown["dimension"] == dimension].drop(columns="dimension")
    rows = with_csat(rows, min_count)
    order = DRIVER_ORDER.get(dimension)
    if order:
        rank = {v: i for i, v in enumerate(order)}
        rows = rows.assign(_order=rows["value"].map(lambda v: rank.get(v, len(rank)))).sort_values("_order").drop(columns="_order")
    elif dimension == "score":
        rows = rows.sort_values("value")
    else:
        rows = rows.sort_values("n_answers", ascending=False)
    return columns_first(rows, RATE_FIRST).reset_index(drop=True)


def one_group_note(rows: pd.DataFrame, column: str, title: str) -> str | None:
    """For a breakdown (dimension_rows, value renamed to `column`) with one group only, whose chart
    would be a single bar: 'Reopened: all 7 answers in this selection fall under "not reopened",
    so there is nothing to compare.' None when there are several groups (or none)."""
    if len(rows) != 1:
        return None
    value = rows[column].iloc[0]
    said = NO_VALUE.get(column, "(not recorded)") if pd.isna(value) else VALUE_LABELS.get(value, value)
    n_answers = int(rows["n_answers"].iloc[0])
    every = "the only answer" if n_answers == 1 else f"all {n_answers:,} answers"
    return f'{title}: {every} in this selection {"falls" if n_answers == 1 else "fall"} under "{said}", ' \
           "so there is nothing to compare."


def score_distribution(breakdown: pd.DataFrame) -> pd.DataFrame:
    """Answers per whole-part score 1-5 (zeros filled), their share and reading."""
    rows = breakdown[breakdown["dimension"] == "score"].set_index("value")["n_answers"]
    values = ["1", "2", "3", "4", "5"]
    out = pd.DataFrame({"value": values, "n_answers": [int(rows.get(v, 0)) for v in values]})
    total = out["n_answers"].sum()
    out["share"] = out["n_answers"] / total if total else 0.0
    out["group"] = [group_of(int(v)) for v in values]
    return out


def csat_next_to_adherence(breakdown: pd.DataFrame, adherence: pd.DataFrame) -> pd.DataFrame:
    """Per channel: CSAT % and SLA adherence side by side (long format for charts.paired_rates)."""
    csat = dimension_rows(breakdown, "channel")
    rows = [{"channel": r.value, "measure": "CSAT % (answers 4-5)", "value": r.csat, "count": r.n_answers}
            for r in csat.itertuples(index=False)]
    rows += [{"channel": r.channel, "measure": "SLA adherence (targets met)", "value": r.adherence,
              "count": int(r.n_met + r.n_breached)} for r in adherence.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["channel", "measure", "value", "count"])


def csat_beside_adherence_table(breakdown: pd.DataFrame, adherence: pd.DataFrame, min_count: int = 30) -> pd.DataFrame:
    """csat_next_to_adherence as a table, a row per channel in the chart's order (most answers
    first, then channels with SLA targets but no answers), the two rates it pairs first, each with
    whether it rests on fewer than `min_count` (answers; decided targets), as the chart outlines
    either. A channel without answers counts none, too few to trust; one without targets, none met
    or breached, too few too."""
    by_channel = dimension_rows(breakdown, "channel", min_count).rename(columns={"value": "channel"})
    # An outer merge sorts by name: put back the order the chart draws.
    order = {channel: i for i, channel in enumerate(dict.fromkeys([*by_channel["channel"], *adherence["channel"]]))}
    merged = by_channel.merge(adherence.rename(columns={"adherence": "sla_adherence", "goal": "sla_goal"}),
                              on="channel", how="outer")
    counts = [column for column in (*by_channel.columns, "n_met", "n_breached")
              if column.startswith("n_") or column == "sum_score"]
    merged = merged.fillna({column: 0 for column in counts}).assign(
        too_few=lambda m: m["n_answers"] < min_count,
        sla_too_few=lambda m: m["n_met"] + m["n_breached"] < min_count)
    merged = merged.sort_values("channel", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    return columns_first(merged, ["channel", "csat", "too_few", "sla_adherence", "sla_too_few", "sla_goal"])


def period_totals(weeks: pd.DataFrame) -> pd.Series:
    """feedback_weeks' rows of one period added up: its answers, their groups and scores, and the
    requests resolved in it."""
    return weeks.drop(columns="week_start").sum()


def period_tiles(now: pd.Series, before: pd.Series | None, org: Organisation, so_far: bool = False) -> list[Tile]:
    """CSAT (against its goal), mean score, answers and response rate for a period (period_totals),
    each with its change from the period of the same length before it (None: the data does not
    reach back to it), as the overview's tiles give theirs: a change resting on fewer than
    org.min_count answers in either period, or on a period not over in the data (`so_far`), or one
    chance could make (CSAT by Fisher's exact test, the mean score by mean_change_p), is
    shown but not coloured as news, and its answers are not set against a whole period's. More
    answers, or a higher response rate, is neither good nor bad news."""
    def measures(row: pd.Series) -> dict:
        return {"mean_score": ratio(float(row["sum_score"]), int(row["n_answers"])),
                "too_few": int(row["n_answers"]) < org.min_count, "answers": float(row["n_answers"]),
                "response_rate": ratio(int(row["n_answers"]), int(row["n_resolved"]))}

    def spread(row: pd.Series) -> tuple[int, float, float]:
        return int(row["n_answers"]), float(row["sum_score"]), float(row["sum_score_squares"])

    current, earlier = measures(now), ({} if before is None else measures(before))
    shown = [
        rate_tile("csat", "CSAT", pd.DataFrame([row for row in (before, now) if row is not None]),
                  "n_satisfied", "n_answers", org.csat_goal, "answers", org),
        Tile(key="mean_score", label="Mean score (1-5)", value=current["mean_score"],
             previous=earlier.get("mean_score"), unit="score", count=None, count_label="",
             too_small=current["too_few"], previous_too_small=earlier.get("too_few", False),
             change_p=None if before is None else mean_change_p(spread(before), spread(now)),
             help="The average score, every scale normalised to 1-5."),
        # Part of a period's answers against a whole period's would read as a fall: not compared.
        Tile(key="answers", label="Answers", value=current["answers"], unit="count", count=None, count_label="",
             previous=None if so_far else earlier.get("answers"), higher_is_better=None,
             help="Survey answers submitted in the period about the requests the filters keep."),
        Tile(key="response_rate", label="Response rate", value=current["response_rate"],
             previous=earlier.get("response_rate"), unit="rate", count=int(now["n_resolved"]),
             count_label="resolved", higher_is_better=None,
             help="Answers / requests resolved in the period; an answer may rate a request resolved earlier."),
    ]
    # Two periods are no trend line: the weekly charts below draw the weeks.
    missing = "no period before in the data to compare" if before is None else "nothing the period before to compare"
    return [replace(tile, series=(), series_too_small=(), series_parts=(), part_week=so_far,
                    no_change_note="part of a period: not compared" if so_far and tile.key == "answers" else missing)
            for tile in shown]


def weekly_rates(weeks: pd.DataFrame) -> pd.DataFrame:
    """feedback_weeks with csat, mean_score and response_rate per week (None where undefined)."""
    out = weeks.copy()
    answers = out["n_answers"].where(out["n_answers"] > 0)
    out["csat"] = out["n_satisfied"] / answers
    out["mean_score"] = out["sum_score"] / answers
    out["response_rate"] = out["n_answers"] / out["n_resolved"].where(out["n_resolved"] > 0)
    out["segment"] = "all"
    return out


# --------------------------------------------------------------------------------------
# The derived table


def _version(con: duckdb.DuckDBPyConnection, lexicon: Lexicon) -> str:
    sql = hashlib.sha256(pipeline_sql("answer_facts").encode("utf-8")).hexdigest()[:12]
    return f"{data_marker(con)}:{lexicon.fingerprint}:{sql}"


def answer_facts_fresh(con: duckdb.DuckDBPyConnection, lexicon: Lexicon | None = None) -> bool:
    """True when answer_facts reflects the current answers, requests, SLA states and lexicon."""
    lexicon = lexicon or load_lexicon()
    return table_exists(con, "answer_facts") and store.get_meta(con, META_VERSION) == _version(con, lexicon)


def refresh_answer_facts(
    con: duckdb.DuckDBPyConnection, lexicon: Lexicon | None = None, now: datetime | None = None
) -> int:
    """Rebuild answer_facts (and theme_lexicon, filtered_answers); returns the answers indexed."""
    lexicon = lexicon or load_lexicon()
    params = {
        "as_of": facts_as_of(con, now),
        "theme_names": [t.name for t in lexicon.themes],
        "theme_labels": [t.label for t in lexicon.themes],
        "theme_dimensions": [t.dimension for t in lexicon.themes],
        "theme_polarities": [t.polarity for t in lexicon.themes],
    }
    with store.transaction(con):
        con.execute(
            """create or replace temp table comments_to_classify as
               select distinct nullif(trim(comment), '') as comment
               from feedback
               where nullif(trim(comment), '') is not null"""
        )
        classify_into_temp_table(con, lexicon)
        run_pipeline(con, "answer_facts", params)
        con.execute("drop table if exists comments_to_classify")
        con.execute("drop table if exists answer_themes")
        store.set_meta(con, META_VERSION, _version(con, lexicon))
    return con.execute("select count(*) from answer_facts").fetchall()[0][0]
