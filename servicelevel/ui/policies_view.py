"""The active SLA policies and calendars as readable tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from servicelevel import policies
from servicelevel.tables import columns_first
from servicelevel.ui import data
from servicelevel.ui.widgets import table


def render() -> None:
    """Policies in matching order, then calendars."""
    try:
        config = policies.load_policies()
    except policies.PolicyError as exc:
        st.error(f"The SLA policies file is invalid: {exc}")
        return
    reach = data.policy_reach(config)
    for absent in reach.absent:  # a valid code no request has yet is news, not a mistake
        (st.info if absent.is_code else st.warning)(absent.describe())
    described = pd.DataFrame(policies.describe_policies(config))
    described["stored requests"] = reach.n_requests
    # The targets first after the name: the criteria and descriptions are long, and on a
    # 1280-pixel screen pushed the targets out of view.
    first = ["order", "policy", "first response target", "first response goal", "resolution target",
             "resolution goal", "stored requests", "calendar"]
    described = columns_first(described, first)
    unmatched = f" {reach.n_unmatched:,} stored requests fit no policy and have no SLA." if reach.n_unmatched else ""
    number = st.column_config.NumberColumn
    table(described, "sla-policies",
          # Sized to their numbers, so that the requests each policy applies to are in view at 1280 pixels.
          column_config={"order": number("order", width=52),
                         "first response goal": number("response goal", format="percent", width=98),
                         "resolution goal": number("resolution goal", format="percent", width=98),
                         "stored requests": number("stored requests", format="localized", width=116)},
          caption="The first policy whose criteria fit a request applies (empty criteria match everything); "
                  "stored requests: how many it applies to." + unmatched)
    st.subheader("Calendars")
    # 168 and 42.5 hours, as the calendars give them, not 168.00.
    table(pd.DataFrame(policies.describe_calendars(config)), "calendars",
          column_config={"hours per week": st.column_config.NumberColumn("hours per week", format="localized")})
