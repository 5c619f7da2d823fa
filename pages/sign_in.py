"""Organiser sign-in with the organiser password."""

import streamlit as st

from pitchjudge.errors import AccessDenied
from pitchjudge.services import auth
from pitchjudge.ui import state

PASSWORD_KEY = "sign_in_password"

_ = state.gettext()
st.title(_("Organiser sign-in"))

if state.is_organiser():
    st.switch_page("pages/applications.py")
if st.session_state.pop(state.SESSION_ENDED_KEY, False):
    st.warning(
        _(
            "Your organiser session has ended (the password was changed, or someone signed out "
            "everywhere). Sign in again."
        ),
        icon=":material/lock_clock:",
    )

with st.form("sign_in_form"):
    password = st.text_input(_("Organiser password"), type="password", key=PASSWORD_KEY)
    submitted = st.form_submit_button(_("Sign in"), type="primary")

if submitted:
    try:
        with st.spinner(_("Checking the password…")):
            token = auth.sign_in_after_delay(
                engine=state.get_engine(),
                settings=state.get_settings(),
                password=password,
                client=state.client_address(),
            )
    except AccessDenied as error:
        state.show_error(error)
    else:
        state.signed_in(token)
        st.rerun()  # the navigation now lists the organiser pages

st.caption(
    _(
        "The password is set by PITCHJUDGE_ADMIN_PASSWORD, or generated and printed in the "
        "server's console on first start."
    )
)
