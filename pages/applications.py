"""Organiser: every application, with filters, search, counts, decks, status changes and export."""

import pandas as pd
import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.formatting import format_datetime, format_datetime_short, format_size
from pitchjudge.models import PitchStatus
from pitchjudge.services import applications, audit, contests
from pitchjudge.ui import confirm, state
from pitchjudge.ui.widgets import (
    deck_thumbnail,
    deck_viewer,
    inert,
    labelled_lines,
    show_notice,
    status_badge,
    status_label,
)

SELECTED_KEY = "applications_selected"
PAGE_KEY = "applications_page"
NOTICE_KEY = "applications_notice"
LINK_KEY = "applications_new_link"
PER_PAGE = 12

_ = state.gettext()
lang = state.language()
settings = state.get_settings()
contest = state.organiser_page(_("Applications"))

show_notice(NOTICE_KEY)

with state.db_session(read_only=True) as session:
    categories = list(contests.list_categories(session=session, contest_id=contest.id))
    counts = applications.status_counts(session=session, contest_id=contest.id)

metrics = st.columns(5)
metrics[0].metric(_("Applications"), sum(counts.values()))
for column, status in zip(metrics[1:], PitchStatus, strict=True):
    column.metric(status_label(status, _), counts[status])

filters = st.columns([2, 2, 3])
category_names = {c.id: c.name for c in categories}
category_filter = filters[0].selectbox(
    _("Category"),
    options=[None, *category_names],
    format_func=lambda c: category_names.get(c, _("All categories")),
    key="applications_category",
)
status_filter = filters[1].selectbox(
    _("Status"),
    options=[None, *PitchStatus],
    format_func=lambda s: status_label(s, _) if s else _("All statuses"),
    key="applications_status",
)
search = filters[2].text_input(
    _("Search"),
    key="applications_search",
    placeholder=_("Name, founder, email, words of the description"),
)

with state.db_session(read_only=True) as session:
    rows = applications.list_applications(
        session=session,
        contest_id=contest.id,
        category_id=category_filter,
        status=status_filter,
        search=search,
    )

st.caption(
    _("{shown} of {total} applications shown").format(shown=len(rows), total=sum(counts.values()))
)
st.download_button(
    _("Export as CSV"),
    data=applications.applications_csv(rows),
    file_name="applications.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="applications_csv",
)

if not rows:
    st.info(
        _("No application matches these filters.")
        if sum(counts.values())
        else _("No application yet. Share the Apply page!")
    )
    st.stop()

selected_id = st.session_state.get(SELECTED_KEY)
row = next((r for r in rows if r.id == selected_id), None)
if row is None:
    view_cards, view_table = st.tabs([_("Cards"), _("Table")])
    with view_table:
        st.dataframe(
            pd.DataFrame(
                {
                    _("Startup"): [r.startup_name for r in rows],
                    _("Category"): [r.category for r in rows],
                    _("Status"): [status_label(r.status, _) for r in rows],
                    _("Contact email"): [r.contact_email for r in rows],
                    _("Pages"): [r.deck_pages for r in rows],
                    _("Submitted on"): [
                        format_datetime_short(
                            r.created_at, timezone=contest.timezone, language=lang
                        )
                        for r in rows
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

    with view_cards:
        pages_count = (len(rows) + PER_PAGE - 1) // PER_PAGE
        page = 1
        if pages_count > 1:
            page = (
                st.segmented_control(
                    _("Page"), options=list(range(1, pages_count + 1)), default=1, key=PAGE_KEY
                )
                or 1
            )
        shown = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
        for start in range(0, len(shown), 4):
            columns = st.columns(4)
            for column, card in zip(columns, shown[start : start + 4], strict=False):
                with column.container(border=True):
                    thumbnail = deck_thumbnail(card.deck_sha256) if card.deck_sha256 else None
                    if thumbnail:
                        st.image(
                            thumbnail,
                            width="stretch",
                            alt=_("First page of the deck of {name}").format(
                                name=card.startup_name
                            ),
                        )
                    st.markdown(f"**{inert(card.startup_name)}**  \n{inert(card.category)}")
                    status_badge(card.status, _)
                    st.button(
                        _("Details"),
                        key=f"open_{card.id}",
                        width="stretch",
                        on_click=st.session_state.__setitem__,
                        args=(SELECTED_KEY, card.id),
                    )
    st.stop()

st.button(
    _("All applications"),
    icon=":material/arrow_back:",
    key="applications_back",
    on_click=st.session_state.__setitem__,
    args=(SELECTED_KEY, None),
)
head, badge = st.columns([5, 1], vertical_alignment="center")
head.header(inert(row.startup_name))
with badge:
    status_badge(row.status, _)
st.markdown(f"*{inert(row.one_liner)}*")

info, viewer = st.columns([2, 3], gap="large")
with info:
    deck_facts = (
        _("{pages} pages, {size}").format(
            pages=row.deck_pages, size=format_size(row.deck_size_bytes)
        )
        if row.deck_sha256
        else "—"
    )
    labelled_lines(
        [
            (_("Category"), inert(row.category or "—")),
            (_("Website"), inert(row.website or "—")),
            (_("Founders"), inert(row.founders)),
            (_("Contact email"), inert(row.contact_email)),
            (
                _("Submitted on"),
                format_datetime(row.created_at, timezone=contest.timezone, language=lang),
            ),
            (
                _("Last change"),
                format_datetime(row.updated_at, timezone=contest.timezone, language=lang),
            ),
            (_("Deck"), deck_facts),
        ]
    )
    st.markdown("**" + _("Description") + "**")
    st.markdown(inert(row.description))

    if row.status != PitchStatus.WITHDRAWN:
        st.markdown("**" + _("Decision") + "**")
        decision = st.columns(3)
        for column, status, label in zip(
            decision,
            applications.ORGANISER_STATUSES,
            [_("Undecided"), _("Shortlist"), _("Reject")],
            strict=True,
        ):
            if column.button(
                label,
                key=f"status_{status}",
                disabled=row.status == status,
                type="primary" if status == PitchStatus.SHORTLISTED else "secondary",
            ):
                try:
                    with state.db_session() as session:
                        applications.set_pitch_status(
                            session=session, pitch_id=row.id, status=status
                        )
                except PitchJudgeError as error:
                    state.show_error(error)
                else:
                    st.session_state[NOTICE_KEY] = _("{name}: {status}.").format(
                        name=inert(row.startup_name), status=status_label(status, _)
                    )
                    st.rerun()
    else:
        st.info(_("Withdrawn by the applicant."))

    with st.expander(_("Private link of the applicant")):
        st.write(
            _("Lost link? Issue a new one and send it to the applicant; the old one stops working.")
        )

        def reissue(pitch_id: int = row.id) -> None:
            with state.db_session() as session:
                token = applications.reissue_link(
                    session=session, pitch_id=pitch_id, settings=settings
                )
                language = applications.get_pitch(session=session, pitch_id=pitch_id).language
            st.session_state[LINK_KEY] = (
                pitch_id,
                applications.private_link(state.base_url(), token, language=language),
            )
            st.rerun()

        confirm.ask_button(_("Issue a new private link"), key=f"reissue_{row.id}")
        confirm.confirm_dialog(
            f"reissue_{row.id}",
            title=_("A new private link for {name}?").format(name=row.startup_name),
            lines=lambda: [
                _(
                    "**The applicant's current link stops working at once.** The new one is "
                    "shown here: send it to them."
                )
            ],
            confirm_label=_("Issue a new private link"),
            action=reissue,
            _=_,
        )
        shown_link = st.session_state.get(LINK_KEY)
        if shown_link and shown_link[0] == row.id:
            st.code(shown_link[1], language=None, wrap_lines=True)

    with st.expander(_("History")):
        with state.db_session(read_only=True) as session:
            events = audit.history(session=session, entity="pitch", entity_id=row.id)
        st.dataframe(
            pd.DataFrame(
                {
                    _("When"): [
                        format_datetime_short(e.at, timezone=contest.timezone, language=lang)
                        for e in events
                    ],
                    _("Who"): [e.actor for e in events],
                    _("What"): [f"{e.action} {e.field or ''}".strip() for e in events],
                    _("Before"): [e.old_value or "" for e in events],
                    _("After"): [e.new_value or "" for e in events],
                }
            ),
            hide_index=True,
            width="stretch",
        )

with viewer:
    if row.deck_sha256:
        deck_viewer(sha256=row.deck_sha256, key=f"deck_{row.id}", _=_)
    else:
        st.warning(_("No deck attached."))
