"""What a link asks of a bound widget that the widget cannot show. A widget bound to a URL query
parameter drops a value that is not among its choices without a word, and the page then shows
its default: these notices say so, and offer the closest spelling."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NoReturn

import streamlit as st

from servicelevel.vocabulary import close_spellings

FEW_CHOICES = 8  # a notice with no close spelling to offer lists the choices, up to this many

# Session keys: this run's notices about the link (the page shows the sidebar's above its content),
# and those a run found before it rewrote the link's spelling and started again.
NOTICES_KEY = "_link_notices"
_CARRIED_KEY = "_link_notices_carried"


def begin_link_notices() -> list[str]:
    """This run's list of notices about the link, to be extended. It starts with those of a run
    that ended early to start again (rerun_keeping_link_notices): by this run the widgets have
    dropped the values those notices are about, and nothing would find them again."""
    notices = st.session_state[NOTICES_KEY] = st.session_state.pop(_CARRIED_KEY, [])
    return notices


def rerun_keeping_link_notices() -> NoReturn:
    """st.rerun, for a run that has not shown its notices about the link yet: the next run does."""
    st.session_state[_CARRIED_KEY] = st.session_state.get(NOTICES_KEY, [])
    st.rerun()


def link_notices() -> list[str]:
    """This run's notices about the link, each once."""
    return list(dict.fromkeys(st.session_state.get(NOTICES_KEY, [])))


def unknown_link_values(
    key: str, label: str, options: Iterable, format_func: Callable | None = None, among: str = "the data's",
    outcome: str = "that filter is not applied",
) -> list[str]:
    """Notices for the values the URL gives parameter `key` that are none of the widget's choices.
    The URL holds each choice as the widget shows it (its format_func label), so that is what a
    value is compared with."""
    shown = [str(format_func(o)) if format_func else str(o) for o in options]
    linked = _case_corrected(key, shown)
    if any(value in shown for value in linked):
        outcome = "the filter keeps the link's other values"  # a multiselect keeps those it has
    notices = []
    for value in linked:
        if value in shown:
            continue
        close = close_spellings(value, shown, n=1)
        if close:
            hint = f" (did you mean '{close[0]}'? Values are spelled as the page shows them)"
        elif len(shown) <= FEW_CHOICES:
            hint = f" ({', '.join(shown)})"
        else:
            hint = ""
        notices.append(f"The link asks for {label.lower()} '{value}', which is not one of {among}{hint}: {outcome}.")
    return notices


def _case_corrected(key: str, shown: list[str]) -> list[str]:
    """The URL's values for `key`, each spelled as the widget shows it when it differs only in
    case from exactly one choice ("procurement", "INTERNAL"): the link is rewritten before the
    widget reads it, so a hand-typed link works instead of being dropped."""
    by_case: dict[str, list[str]] = {}
    for label in shown:
        by_case.setdefault(label.casefold(), []).append(label)
    linked = st.query_params.get_all(key)
    fixed = [value if value in shown or len(by_case.get(value.casefold(), ())) != 1 else by_case[value.casefold()][0]
             for value in linked]
    if fixed != linked:
        st.query_params[key] = fixed
        rerun_keeping_link_notices()  # the widget reads the link as the run found it
    return fixed


def bound_slider(label: str, low: int, high: int, default: int, *, key: str, unit: str) -> int:
    """A page's own whole-number slider bound to the URL parameter `key`, preceded by a notice for
    a link value outside [low, high] (or not a number), which the slider would drop silently."""
    for value in st.query_params.get_all(key):
        if not (value.isdigit() and low <= int(value) <= high):
            _show(st, f"The link asks for {value} {unit}, which is not a whole number from {low} to {high}: "
                      f"showing {default}.")
    return st.slider(label, low, high, default, key=key, bind="query-params")


def bound_choice(widget: Callable, label: str, options: list, *, key: str, format_func: Callable | None = None,
                 **kwargs):
    """A page's own choice widget (st.selectbox, st.segmented_control, ...) bound to the URL
    parameter `key`, preceded where it stands by a notice for each link value it ignores."""
    # A widget of a column or container is a method of that container: the notice goes there too.
    where = getattr(widget, "__self__", st)
    for notice in unknown_link_values(key, label, options, format_func, among="its choices",
                                      outcome="showing the page's default instead"):
        _show(where, notice)
    if format_func:
        kwargs["format_func"] = format_func
    return widget(label, options, key=key, bind="query-params", **kwargs)


def _show(where, notice: str) -> None:
    """A page's own notice about the link, where its widget stands; kept with the run's notices
    too, so that a rewrite of the link further down the page carries it to the top of the next run."""
    where.warning(notice)
    st.session_state.setdefault(NOTICES_KEY, []).append(notice)
