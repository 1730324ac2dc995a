"""Service-level dashboard: readies the database, draws the shared sidebar (servicelevel/ui/frame.py,
sidebar.py) and routes to the pages."""

from pathlib import Path

import streamlit as st

from servicelevel.ui import frame

# The icon is a file served by the dashboard itself: a Material or emoji icon is fetched from a
# public CDN, which a browser inside the organisation's network may not reach.
st.set_page_config(page_title="Service levels", page_icon=str(Path(frame.__file__).with_name("icon.png")),
                   layout="wide")

# The default page answers at "/" only (its url_path just has to differ from the others'). The
# hidden last page runs the same script at /overview, so that a link by the page's name opens it
# rather than a "Page not found" dialog. (Switching from there to the default page is no way
# round: it would have to clear the URL's filters, which are bound to the sidebar's widgets.)
page = st.navigation(
    [
        st.Page("pages/overview.py", title="Weekly overview", icon=":material/dashboard:", url_path="home", default=True),
        st.Page("pages/sla.py", title="SLA adherence", icon=":material/timer:", url_path="sla"),
        st.Page("pages/departments.py", title="Internal departments", icon=":material/apartment:", url_path="departments"),
        st.Page("pages/recurring.py", title="Recurring problems", icon=":material/repeat:", url_path="recurring"),
        st.Page("pages/feedback.py", title="Feedback", icon=":material/reviews:", url_path="feedback"),
        st.Page("pages/data.py", title="Data & definitions", icon=":material/database:", url_path="data"),
        st.Page("pages/request.py", title="Request lookup", icon=":material/search:", url_path="request"),
        st.Page("pages/overview.py", title="Weekly overview", url_path="overview", visibility="hidden"),
    ]
)
frame.prepare(page.title)
page.run()
