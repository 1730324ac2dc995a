"""The active SLA policies and calendars as readable tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st


def render() -> None:
    """Policies in matching order, then calendars."""
    try:
        from servicelevel import policies
    except ImportError:
        st.info("No SLA engine installed.")
        return
    try:
        config = policies.load_policies()
    except policies.PolicyError as exc:
        st.error(f"The SLA policies file is invalid: {exc}")
        return
    st.caption("The first policy whose criteria fit a request applies (empty criteria match everything).")
    st.dataframe(pd.DataFrame(policies.describe_policies(config)), hide_index=True, width="stretch")
    st.subheader("Calendars")
    st.dataframe(pd.DataFrame(policies.describe_calendars(config)), hide_index=True, width="stretch")
