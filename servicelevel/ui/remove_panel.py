"""Taking a source out from the browser (what `python -m servicelevel remove` does), confirmed
by typing its name, because nothing but importing its files again brings it back."""

from __future__ import annotations

import streamlit as st

from servicelevel.sources import UnknownSource, describe_contents, remove_source, source_contents
from servicelevel.ui import data

# Session keys: the last removal's message, shown after the page reruns; and how many removals
# this session made, part of the widgets' keys so that a removal starts them afresh (a widget's
# value cannot be reset once it is drawn, and the browser would keep showing the removed name).
LAST_REMOVAL = "_last_removal"
ROUND = "_removal_round"


def remove_panel() -> None:
    """A source picker, what the source holds, and a Remove button that needs its name typed."""
    done = st.session_state.pop(LAST_REMOVAL, None)
    if done:
        st.success(done)
    names = data.run_query("source_names", {})["source"].tolist()
    if not names:
        st.caption("No source holds anything.")
        return
    round_no = st.session_state.get(ROUND, 0)
    source = st.selectbox("Source to remove", names, index=None, placeholder="Choose a source",
                          key=f"remove_source_{round_no}")
    if source is None:
        st.caption("Takes out everything one source brought in: its requests, status events, survey answers "
                   "and rejected rows. Its imports stay in Import history, marked removed, so its files can "
                   "be imported again.")
        return
    cur = data.cursor()
    try:
        held = describe_contents(source_contents(cur, source))
    except UnknownSource:  # removed meanwhile, from another browser or the command line
        st.info(f"Source {source} holds nothing any more.")
        return
    finally:
        cur.close()
    st.warning(f"Source **{source}** holds {held}. Removing it cannot be undone except by importing its files again.")
    typed = st.text_input(f"Type {source} to confirm", key=f"remove_confirm_{round_no}")
    if not st.button("Remove", type="primary", key=f"remove_go_{round_no}", disabled=typed.strip() != source):
        return
    with st.spinner(f"Removing {source} and recomputing SLA states and the pages' tables…"):
        cur = data.cursor()
        try:
            remove_source(cur, source)
        finally:
            cur.close()
        data.recompute_after_change()
    st.session_state[LAST_REMOVAL] = f"Removed source '{source}': {held}. Every page now leaves it out."
    st.session_state[ROUND] = round_no + 1
    st.rerun()
