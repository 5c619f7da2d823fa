"""Organiser: the contest's name, call text, dates, language and categories."""

from datetime import datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo, available_timezones

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.i18n import LANGUAGES
from pitchjudge.models import utcnow
from pitchjudge.services import contests, impact
from pitchjudge.ui import confirm, mail_widgets, state
from pitchjudge.ui.widgets import inert, run_and_reload, show_form_errors, show_notice

NOTICE_KEY = "contest_notice"

state.require_organiser()
_ = state.gettext()
ngettext = state.ngettext()
settings = state.get_settings()
contest = state.current_contest()

st.title(_("Contest"))
show_notice(NOTICE_KEY)

LABELS = {
    "name": _("Contest name"),
    "description": _("Call for applications"),
    "language": _("Language"),
    "timezone": _("Timezone"),
    "applications_open_at": _("Applications open"),
    "applications_close_at": _("Deadline"),
    "privacy_text": _("Privacy notice"),
}

timezone = contest.timezone if contest else settings.timezone
zone = ZoneInfo(timezone)
now_local = utcnow().astimezone(zone)
open_local = (
    contest.applications_open_at.astimezone(zone)
    if contest and contest.applications_open_at
    else now_local
)
close_local = (
    contest.applications_close_at.astimezone(zone)
    if contest and contest.applications_close_at
    else (now_local + timedelta(days=30)).replace(hour=23, minute=59)
)

zones = sorted(available_timezones())
with st.form("contest_form", enter_to_submit=False):
    name = st.text_input(
        LABELS["name"] + " *", value=contest.name if contest else "", max_chars=200
    )
    description = st.text_area(
        LABELS["description"],
        value=contest.description if contest else "",
        height=220,
        help=_("Shown on the Apply page. Markdown is allowed (bold, lists, links)."),
    )
    left, right = st.columns(2)
    language = left.selectbox(
        LABELS["language"],
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(contest.language if contest else settings.language),
        format_func=LANGUAGES.__getitem__,
    )
    timezone_choice = right.selectbox(
        LABELS["timezone"], options=zones, index=zones.index(timezone) if timezone in zones else 0
    )
    left.markdown(f"**{LABELS['applications_open_at']}**")
    open_date = left.date_input(_("Opening date"), value=open_local.date(), format="DD/MM/YYYY")
    open_time = left.time_input(
        _("Opening time"),
        value=open_local.time().replace(second=0, microsecond=0),
        step=timedelta(minutes=15),
    )
    right.markdown(f"**{LABELS['applications_close_at']}**")
    close_date = right.date_input(_("Deadline date"), value=close_local.date(), format="DD/MM/YYYY")
    close_time = right.time_input(
        _("Deadline time"),
        value=close_local.time().replace(second=0, microsecond=0),
        step=timedelta(minutes=1),
    )
    st.caption(_("Dates and times are in the contest's timezone."))
    privacy_text = st.text_area(
        LABELS["privacy_text"],
        value=contest.privacy_text if contest else "",
        height=160,
        key="contest_privacy_text",
        help=_(
            "Shown on the Apply page above the consent box: who keeps the applicants' data, "
            "what for, how long, and whom to write to. Markdown is allowed."
        ),
    )
    saved = st.form_submit_button(_("Save") if contest else _("Create the contest"), type="primary")

if saved:
    chosen_zone = ZoneInfo(timezone_choice)
    data = contests.ContestInput(
        name=name,
        description=description,
        language=language,
        timezone=timezone_choice,
        applications_open_at=datetime.combine(open_date, open_time or time(0), chosen_zone),
        applications_close_at=datetime.combine(close_date, close_time or time(23, 59), chosen_zone),
        privacy_text=privacy_text,
    )
    try:
        with state.db_session() as session:
            if contest is None:
                contests.create_contest(session=session, data=data)
            else:
                contests.update_contest(session=session, contest_id=contest.id, data=data)
    except PitchJudgeError as error:
        show_form_errors(error, _, LABELS)
    else:
        st.session_state[NOTICE_KEY] = _("The contest is saved.")
        st.rerun()

if contest is None:
    st.stop()

mail_widgets.reply_to_form(contest.id, contest.reply_to, _, NOTICE_KEY)

st.header(_("Categories"))


def category_lines(category_id: int) -> list[str]:
    """What deleting a category does, in numbers."""
    with state.db_session(read_only=True) as session:
        facts = impact.category_removal(session=session, category_id=category_id)
    if facts.used:
        return [
            ngettext(
                "{count} application chose {name}: it cannot be deleted. Rename it instead.",
                "{count} applications chose {name}: it cannot be deleted. Rename it instead.",
                facts.used,
            ).format(count=facts.used, name=inert(facts.name))
        ]
    lines = [
        _("**Applicants will no longer be offered {name}.** No application chose it.").format(
            name=inert(facts.name)
        )
    ]
    if facts.remaining:
        lines.append(
            ngettext(
                "{count} other category stays.",
                "{count} other categories stay.",
                facts.remaining,
            ).format(count=facts.remaining)
        )
    else:
        lines.append(_("It is the last one: applicants will not be asked for a category."))
    return lines


with state.db_session(read_only=True) as session:
    categories = list(contests.list_categories(session=session, contest_id=contest.id))
if not categories:
    st.info(_("No categories yet: applicants will not be asked to choose one."))
for category in categories:
    cols = st.columns([4, 1, 1], vertical_alignment="bottom")
    new_name = cols[0].text_input(
        _("Category"), value=category.name, key=f"category_name_{category.id}"
    )
    if cols[1].button(
        _("Rename"), key=f"category_rename_{category.id}", disabled=new_name == category.name
    ):
        try:
            with state.db_session() as session:
                contests.rename_category(session=session, category_id=category.id, name=new_name)
        except PitchJudgeError as error:
            state.show_error(error)
        else:
            st.rerun()
    confirm.ask_button(_("Delete"), key=f"category_delete_{category.id}", where=cols[2])
    confirm.confirm_dialog(
        f"category_delete_{category.id}",
        title=_("Delete the category {name}?").format(name=category.name),
        lines=partial(category_lines, category.id),
        confirm_label=_("Delete the category"),
        action=partial(
            run_and_reload,
            lambda s, cid=category.id: contests.delete_category(session=s, category_id=cid),
            _("The category is deleted."),
            notice_key=NOTICE_KEY,
            _=_,
        ),
        _=_,
    )

with st.form("category_add", clear_on_submit=True):
    cols = st.columns([4, 2], vertical_alignment="bottom")
    added = cols[0].text_input(_("New category"))
    if cols[1].form_submit_button(_("Add the category")):
        try:
            with state.db_session() as session:
                contests.add_category(session=session, contest_id=contest.id, name=added)
        except PitchJudgeError as error:
            state.show_error(error)
        else:
            st.rerun()
