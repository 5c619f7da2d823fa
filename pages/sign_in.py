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

with st.form("sign_in_form"):
    password = st.text_input(_("Organiser password"), type="password", key=PASSWORD_KEY)
    submitted = st.form_submit_button(_("Sign in"), type="primary")

if submitted:
    try:
        with state.db_session() as session:
            token = auth.sign_in_organiser(
                session=session,
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
