"""Chart builders (plotly figures that tests can inspect); no Streamlit here."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go

from pitchjudge.formatting import format_fixed, plotly_separators
from pitchjudge.services.board import BoardRow

ACCENT = "#b53c0c"  # white labels on it: 5.8:1
TIE = "#f59f00"


NAME_CHARACTERS = 40


def _label(row: BoardRow) -> str:
    """ "rank. name", the name cut with an ellipsis when it is too long for the axis."""
    name = row.startup_name
    if len(name) > NAME_CHARACTERS:
        name = name[: NAME_CHARACTERS - 1].rstrip() + "…"
    return f"{row.rank or '–'}. {escape(name)}"


def leaderboard_figure(
    rows: Sequence[BoardRow],
    *,
    large: bool = True,
    x_max: float | None = None,
    language: str = "en",
) -> go.Figure:
    """Horizontal bars, best at the top, each total with its interval as an error bar.

    Plotly reads a few HTML tags in labels (<b>, <a href>…), so startup names are escaped:
    a name with markup is shown as typed, never as a link or styled text. `x_max` fixes the
    axis (a reveal keeps the scale of the whole board, so bars never change length).
    Numbers (bar labels, hover, axis) are written as `language` writes them: 442,50 in French.
    """
    ordered = list(rows)[::-1]  # plotly draws the first bar at the bottom
    names = [_label(row) for row in ordered]
    totals = [row.total or 0.0 for row in ordered]
    upper = [max(0.0, (row.total_high or row.total or 0) - (row.total or 0)) for row in ordered]
    lower = [max(0.0, (row.total or 0) - (row.total_low or row.total or 0)) for row in ordered]
    colours = [TIE if row.statistical_tie else ACCENT for row in ordered]
    figure = go.Figure(
        go.Bar(
            x=totals,
            y=names,
            orientation="h",
            marker_color=colours,
            text=[format_fixed(t, language=language) for t in totals],
            textposition="inside",
            # At the bar's start, in white: the interval's whisker sits at the other end.
            insidetextanchor="start",
            textfont={"color": "#ffffff"},
            error_x={
                "type": "data",
                "array": upper,
                "arrayminus": lower,
                "color": "#343a40",
                "thickness": 2,
                "width": 6,
            },
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    size = 26 if large else 14
    figure.update_layout(
        height=max(320, (70 if large else 34) * len(ordered) + 80),
        margin={"l": 10, "r": 30, "t": 10, "b": 40},
        font={"size": size, "color": "#111111"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        xaxis={"gridcolor": "#dee2e6", "rangemode": "tozero"}
        | ({"range": [0, x_max * 1.04]} if x_max else {}),
        yaxis={"automargin": True, "type": "category", "tickfont": {"size": size}},
        showlegend=False,
        separators=plotly_separators(language),
        uniformtext={"minsize": max(10, size - 8), "mode": "hide"},
    )
    return figure
