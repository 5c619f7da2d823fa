"""Organiser: the app's health — every replica (up, healthy, last seen) and the counters of
saves and errors summed over all of them, from the database."""

import pandas as pd
import streamlit as st

from pitchjudge import ops
from pitchjudge.formatting import (
    format_datetime_short,
    format_number,
    localized_style,
    time_ago,
)
from pitchjudge.models import utcnow
from pitchjudge.ui import state

_ = state.gettext()
ngettext = state.ngettext()
lang = state.language()
state.require_organiser()
st.title(_("Health"))
contest = state.current_contest()
timezone = contest.timezone if contest else state.get_settings().timezone

SAVE_LABELS = {
    ops.MARK: _("Marks saved"),
    ops.COMMENT: _("Comments and notes saved"),
    ops.SCORECARD: _("Scorecards submitted"),
    ops.APPLICATION: _("Applications"),
    ops.VOTE: _("Audience votes"),
}
ERROR_LABELS = {
    ops.SCRIPT_ERROR: _("Unexpected errors"),
    ops.REFUSED_WRITE: _("Refused writes"),
    ops.DATABASE_ERROR: _("Database errors"),
}


def metrics_rows(labels: dict[str, str], totals: dict[str, int], per_row: int = 3) -> None:
    """The counters as metrics, a few per row (wider, their labels are not cut short)."""
    items = list(labels.items())
    for start in range(0, len(items), per_row):
        row = items[start : start + per_row]
        # The last row's empty columns keep every metric the same width.
        for column, (kind, label) in zip(st.columns(per_row)[: len(row)], row, strict=True):
            column.metric(label, format_number(totals.get(kind, 0), language=lang))


@st.fragment(run_every="5s")
def live_health() -> None:
    """Refreshes by itself: replicas report every few seconds."""
    now = utcnow()
    with state.db_session(read_only=True) as session:
        replicas = ops.replica_statuses(session=session, now=now)
        totals = ops.counter_totals(session=session)
    down_after = int(ops.DOWN_AFTER.total_seconds())
    st.caption(
        _(
            "Each app process (replica) reports here every few seconds. One not heard from "
            "for {seconds} seconds is shown as down. Counters add up every replica since the "
            "first start."
        ).format(seconds=down_after)
    )
    everyone = replicas
    replicas = [r for r in everyone if now - r.seen_at <= ops.LISTED_FOR]
    if not replicas and not everyone:
        st.info(
            _(
                "No replica has reported yet. The app reports once it is served by its "
                "entry point (make run, or streamlit run pitchjudge/ui/asgi.py)."
            ),
            icon=":material/hourglass_empty:",
        )
        return
    hours = int(ops.LISTED_FOR.total_seconds() // 3600)
    up = [r for r in replicas if r.up]
    failing = [r for r in up if not r.healthy]
    if not replicas:
        st.warning(
            _("No replica has reported for more than {hours} hours.").format(hours=hours),
            icon=":material/cloud_off:",
        )
    if len(up) < len(replicas):
        st.warning(
            ngettext(
                "{down} of {total} replica is down (not heard from lately).",
                "{down} of {total} replicas are down (not heard from lately).",
                len(replicas),
            ).format(down=len(replicas) - len(up), total=len(replicas)),
            icon=":material/cloud_off:",
        )
    if failing:
        st.error(
            ngettext(
                "{count} replica fails its health check: {names}.",
                "{count} replicas fail their health check: {names}.",
                len(failing),
            ).format(count=len(failing), names=", ".join(r.replica_id for r in failing)),
            icon=":material/error:",
        )
    if replicas and len(up) == len(replicas) and not failing:
        st.success(
            ngettext(
                "{count} replica up and healthy.",
                "All {count} replicas up and healthy.",
                len(replicas),
            ).format(count=len(replicas)),
            icon=":material/check_circle:",
        )

    st.subheader(_("Saves"))
    metrics_rows(SAVE_LABELS, totals)
    st.subheader(_("Errors"))
    metrics_rows(ERROR_LABELS, totals)

    if replicas:
        replicas_table(replicas, now)
    if len(everyone) > len(replicas):
        st.caption(
            ngettext(
                "{count} replica not heard from for more than {hours} hours is not listed; "
                "its counts are in the totals.",
                "{count} replicas not heard from for more than {hours} hours are not listed; "
                "their counts are in the totals.",
                len(everyone) - len(replicas),
            ).format(count=len(everyone) - len(replicas), hours=hours)
        )
    st.caption(
        _(
            "Each replica also answers /healthz (for the proxy) and /metrics (Prometheus "
            "text format, its own counters only)."
        )
    )


def replicas_table(replicas: list[ops.ReplicaStatus], now) -> None:
    """One row per replica: state, last heard from, started, its own saves and errors."""
    st.subheader(_("Replicas"))

    def health(replica: ops.ReplicaStatus) -> str:
        if not replica.up:
            return _("Down")
        return (
            _("Healthy")
            if replica.healthy
            else _("Failing: {problem}").format(problem=replica.problem)
        )

    st.dataframe(
        localized_style(
            pd.DataFrame(
                {
                    _("Replica"): [r.replica_id for r in replicas],
                    _("State"): [health(r) for r in replicas],
                    _("Last seen"): [time_ago(r.seen_at, language=lang, now=now) for r in replicas],
                    _("Started"): [
                        format_datetime_short(r.started_at, timezone=timezone, language=lang)
                        for r in replicas
                    ],
                    _("Saves"): [sum(r.counters.get(k, 0) for k in ops.SAVES) for r in replicas],
                    _("Errors"): [sum(r.counters.get(k, 0) for k in ops.ERRORS) for r in replicas],
                }
            ),
            language=lang,
            digits=0,
        ),
        hide_index=True,
        width="stretch",
    )


live_health()
