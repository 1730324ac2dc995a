"""The app's single database connection and cached query results."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from servicelevel import queries, sla, store
from servicelevel.datainfo import DataInfo, data_info
from servicelevel.policies import PolicySet
from servicelevel.refresh import refresh_all


@st.cache_resource(show_spinner=False)
def connection(db_path: str) -> duckdb.DuckDBPyConnection:
    """One read-write connection per database file, shared by every browser session.

    Each query runs on its own cursor: a DuckDB connection object must not be used by two
    threads at once, and Streamlit serves every session on its own thread.
    """
    return store.connect(Path(db_path))


def db_path() -> str:
    """The database this app serves ($SERVICELEVEL_DB or data/servicelevel.duckdb)."""
    return str(store.default_db_path())


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the shared connection."""
    return connection(db_path()).cursor()


def data_version() -> str:
    """Changes whenever an import lands or the SLA states are recomputed (part of cache keys)."""
    cur = cursor()
    try:
        imports = cur.execute("select coalesce(max(import_id), 0) from imports").fetchone()[0]
        refreshed = store.get_meta(cur, "sla_refreshed_at") or ""
    finally:
        cur.close()
    return f"{imports}:{refreshed}"


def _hashable(params: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def _cached_query(db: str, version: str, name: str, frozen: tuple) -> pd.DataFrame:
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in frozen}
    cur = connection(db).cursor()
    try:
        return queries.run(cur, name, params)
    finally:
        cur.close()


def run_query(name: str, params: dict) -> pd.DataFrame:
    """queries/<name>.sql with these parameters, cached until the data changes.

    The returned frame is shared between reruns: copy it before changing it.
    """
    return _cached_query(db_path(), data_version(), name, _hashable(params))


def lacking_fields(params: dict) -> dict[str, list[str]]:
    """Per canonical field, the sources that never provided it (source_fields), among those holding
    requests the shared filters in `params` keep: a source they leave out leaves no gap to explain."""
    in_scope = set(run_query("sources_in_scope", params)["source"])
    lacking = run_query("source_fields", {})
    return lacking[lacking["source"].isin(in_scope)].groupby("field")["source"].apply(list).to_dict()


@st.cache_data(ttl=3600, max_entries=16, show_spinner=False)
def _cached_info(db: str, version: str) -> DataInfo:
    cur = connection(db).cursor()
    try:
        return data_info(cur)
    finally:
        cur.close()


def info() -> DataInfo:
    """What is loaded: sources, date range, the instant the data runs up to, filter options."""
    return _cached_info(db_path(), data_version())


@st.cache_data(ttl=3600, max_entries=4, show_spinner=False, hash_funcs={PolicySet: lambda p: p.fingerprint})
def _cached_reach(db: str, version: str, policy_set: PolicySet) -> sla.PolicyReach:
    cur = connection(db).cursor()
    try:
        return sla.policy_reach(cur, policy_set)
    finally:
        cur.close()


def policy_reach(policy_set: PolicySet) -> sla.PolicyReach:
    """Requests per policy and criteria values no request has, cached until the data changes."""
    return _cached_reach(db_path(), data_version(), policy_set)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def recompute_after_change() -> None:
    """After an import or a removal: recompute the SLA states and the pages' tables, and drop
    every cached result."""
    cur = cursor()
    try:
        refresh_all(cur)
    finally:
        cur.close()
    st.cache_data.clear()
