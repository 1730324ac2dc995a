"""Rounding halves up, in one place, so that a number reads the same on a tile, in a table, in
its download and in the report.

Python's format() and pandas' round() go by the binary value, which for 0.95 or 86.25 lies just
below or exactly on the half, and round it down or to even (0.9, 86.2); people, and the browser
formatting a table, round it up. Tables are given numbers already rounded here (ui/widgets.py).
"""

from __future__ import annotations

import numpy as np


def half_up(value, decimals: int):
    """value (a number or a pandas Series; None and NaN pass through) to `decimals` places,
    halves up: floor(x * 10^d + 0.5) / 10^d, where x * 10^d lands on the half for 0.95 and 86.25."""
    if value is None:
        return None
    scale = 10.0 ** decimals
    return np.floor(value * scale + 0.5) / scale
