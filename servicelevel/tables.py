"""Column order shared by the tables the pages and the report show."""

from __future__ import annotations

import pandas as pd


def columns_first(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """`frame` with the columns `first` leading, in that order, and the rest after as they were: a
    table half a page wide shows four or five columns before it scrolls, so what it is read for
    comes first."""
    return frame[[*first, *(c for c in frame.columns if c not in first)]]
