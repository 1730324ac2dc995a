"""The active SLA policies and calendars as readable tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from servicelevel import policies
from servicelevel.ui.widgets import table


def render() -> None:
    """Policies in matching order, then calendars."""
    try:
        config = policies.load_policies()
    except policies.PolicyError as exc:
        st.error(f"The SLA policies file is invalid: {exc}")
        return
    table(pd.DataFrame(policies.describe_policies(config)), "sla-policies",
          caption="The first policy whose criteria fit a request applies (empty criteria match everything).")
    st.subheader("Calendars")
    table(pd.DataFrame(policies.describe_calendars(config)), "calendars")
