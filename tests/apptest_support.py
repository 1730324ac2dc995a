"""Running the dashboard in AppTest: one run of a page that must end without an exception or an
error element."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def rendered(at: AppTest, page: str | None = None) -> AppTest:
    """Run `at` (switched to `page` when given) and fail on any exception or st.error."""
    if page:
        if not at._tree:  # AppTest learns st.navigation's pages on a first run
            at.run()
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at
