"""Everything derived from the imported data, brought up to date in one place.

After data changes (an import, a policy edit), two layers are recomputed in order: the SLA
engine's request_sla, then the tables the pages read (subject keys, request and answer facts).
Imports call refresh_all(); the app calls ensure_fresh() on start, which does only what is stale.
"""

from __future__ import annotations

import duckdb

from servicelevel import derived, sla


def refresh_all(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Recompute SLA states and the derived tables; one summary line each."""
    return [sla.refresh_after_import(con), derived.refresh_derived(con)]


def ensure_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Recompute whatever is stale (nothing, usually; a few milliseconds). True if anything was."""
    refreshed = sla.ensure_fresh(con)
    return derived.ensure_fresh(con) or refreshed
