"""Chart builders of the organiser's analytics (plotly figures that tests can inspect).

Plotly reads a few HTML tags in labels (<b>, <a href>, <br>…), so every name is cut to a
readable length and escaped: a name with markup is shown as typed, never as a link or styled
text. Two judges or startups with the same name keep a row each (a number is added).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pitchjudge.services.analytics import TotalsGrid

ACCENT = "#b53c0c"  # white labels on it: 5.8:1
TIE = "#f59f00"
NEUTRAL = "#1c7ed6"
LABEL_LIMIT = 32
HOVER_LIMIT = 120


def _cut(name: str, limit: int) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


def labels(names: Sequence[str], *, limit: int = LABEL_LIMIT) -> list[str]:
    """Axis labels: each name cut to `limit` characters, escaped, and made unique."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        label = escape(_cut(name, limit)) or "–"
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def _hover(names: Sequence[str]) -> list[str]:
    return [escape(_cut(name, HOVER_LIMIT)) for name in names]


def _layout(figure: go.Figure, *, height: int) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 20, "t": 30, "b": 40},
        font={"size": 13, "color": "#111111"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )
    return figure


def heatmap_figure(grid: TotalsGrid, *, title: str = "") -> go.Figure:
    """Judges (rows) × startups (columns), each cell the judge's weighted total; blank when
    the judge did not score that pitch."""
    z = [[None if not np.isfinite(v) else float(v) for v in row] for row in grid.totals]
    judges, startups = labels(grid.judge_names), labels(grid.startup_names)
    hover_judges, hover_startups = _hover(grid.judge_names), _hover(grid.startup_names)
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=startups,
            y=judges,
            customdata=[[[j, s] for s in hover_startups] for j in hover_judges],
            colorscale="YlOrRd",
            hoverongaps=False,
            texttemplate="%{z:.1f}",
            hovertemplate="%{customdata[0]} → %{customdata[1]}: %{z:.2f}<extra></extra>",
            colorbar={"thickness": 12},
        )
    )
    figure.update_xaxes(type="category", tickangle=-40, automargin=True, side="bottom")
    figure.update_yaxes(type="category", automargin=True, autorange="reversed")
    figure.update_layout(title={"text": escape(title), "font": {"size": 14}})
    return _layout(figure, height=max(300, 34 * len(judges) + 180))


def leniency_figure(deviations: pd.DataFrame, *, axis_title: str = "") -> go.Figure:
    """One box per judge of their deviations from the other judges' mean on the same pitches
    (points of the total), every pitch as a point; a zero line: above it, more generous."""
    rows = deviations[np.isfinite(deviations["deviation"].to_numpy(dtype=float))]
    order = list(dict.fromkeys(deviations["judge"]))
    names = dict(zip(deviations["judge"], deviations["name"], strict=False))
    judge_labels = dict(zip(order, labels([names[j] for j in order]), strict=True))
    figure = go.Figure()
    for judge in order:
        mine = rows[rows["judge"] == judge]
        if mine.empty:
            continue
        figure.add_trace(
            go.Box(
                y=mine["deviation"].to_numpy(dtype=float),
                name=judge_labels[judge],
                customdata=np.array(_hover(mine["startup_name"].tolist()), dtype=object),
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": NEUTRAL, "size": 6, "opacity": 0.7},
                line={"color": NEUTRAL},
                fillcolor="rgba(28, 126, 214, 0.15)",
                hovertemplate="%{customdata}: %{y:+.2f}<extra></extra>",
            )
        )
    figure.add_hline(y=0, line={"color": ACCENT, "width": 2, "dash": "dash"})
    figure.update_xaxes(type="category", tickangle=-30, automargin=True)
    figure.update_yaxes(
        title={"text": escape(axis_title)}, zeroline=False, gridcolor="#dee2e6", automargin=True
    )
    figure.update_layout(showlegend=False)
    return _layout(figure, height=420)


def rank_range_figure(ranges: pd.DataFrame, *, axis_title: str = "") -> go.Figure:
    """Each startup's rank (dot) and the range of ranks it could plausibly take (bar), best at
    the top; statistical ties in orange."""
    ranked = ranges[ranges["rank"].notna()]
    rank = ranked["rank"].to_numpy(dtype=float)
    best = ranked["rank_best"].astype("Float64").fillna(np.nan).to_numpy(dtype=float)
    worst = ranked["rank_worst"].astype("Float64").fillna(np.nan).to_numpy(dtype=float)
    best = np.where(np.isfinite(best), best, rank)
    worst = np.where(np.isfinite(worst), worst, rank)
    tied = ranked["statistical_tie"].to_numpy(dtype=bool)
    names = labels([f"{int(r)}. {n}" for r, n in zip(rank, ranked["startup_name"], strict=True)])
    figure = go.Figure(
        go.Scatter(
            x=rank,
            y=names,
            mode="markers",
            marker={"color": [TIE if t else ACCENT for t in tied], "size": 11},
            error_x={
                "type": "data",
                "array": np.maximum(worst - rank, 0),
                "arrayminus": np.maximum(rank - best, 0),
                "color": "#495057",
                "thickness": 2,
                "width": 6,
            },
            customdata=np.column_stack([best, worst]) if len(rank) else None,
            hovertemplate="%{y}: %{x} (%{customdata[0]}–%{customdata[1]})<extra></extra>",
        )
    )
    n = max(len(rank), 1)
    figure.update_xaxes(
        title={"text": escape(axis_title)},
        range=[0.5, n + 0.5],
        dtick=1 if n <= 30 else None,
        gridcolor="#dee2e6",
    )
    figure.update_yaxes(type="category", autorange="reversed", automargin=True)
    figure.update_layout(showlegend=False)
    return _layout(figure, height=max(260, 28 * len(rank) + 100))
