"""Chart data worked out by hand: which colour band a heatmap cell falls in."""

from __future__ import annotations

import pandas as pd

from servicelevel.charts import goal_heatmap


def bands(adherence_and_goal: list[tuple[float, float]]) -> list[str]:
    frame = pd.DataFrame({
        "department": [f"D{i}" for i in range(len(adherence_and_goal))],
        "priority": "normal",
        "adherence": [a for a, _ in adherence_and_goal],
        "goal": [g for _, g in adherence_and_goal],
        "n_met": 80,
        "n_breached": 20,
    })
    spec = goal_heatmap(frame, "priority", "department", "t", "Priority", "Department", min_count=30).to_dict()
    rows = next(iter(spec["datasets"].values()))
    return [row["versus_goal"] for row in sorted(rows, key=lambda r: r["department"])]


def test_a_cell_exactly_on_a_band_edge_falls_in_the_band_below_it():
    # 80% against 85% and 90% against 95% are exactly 5 points below; 70% against 85% exactly 15.
    assert bands([(0.80, 0.85), (0.90, 0.95), (0.70, 0.85), (0.85, 0.85), (0.849, 0.85)]) == [
        "5-15 points below", "5-15 points below", "15+ points below", "at or above", "under 5 points below",
    ]
