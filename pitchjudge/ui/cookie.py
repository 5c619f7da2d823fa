"""The organiser's sign-in cookie, written by the browser (Streamlit can only read cookies).

After the organiser signs in, every run draws this invisible component with the session's
token; its script stores the token in a first-party cookie (SameSite=Strict, Secure over
HTTPS) unless the browser already holds it. A reload opens a new Streamlit session whose
`st.context.cookies` carries the token, checked against its hash in the database. Signing out
draws it once with no token, which deletes the cookie.
"""

from __future__ import annotations

import streamlit as st

COOKIE_NAME = "pj_organiser"

_JS = """
export default function ({ data }) {
  const { name, value, max_age: maxAge } = data;
  const current = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  const secure = location.protocol === "https:" ? "; Secure" : "";
  if (value && current !== name + "=" + value) {
    document.cookie = `${name}=${value}; Max-Age=${maxAge}; Path=/; SameSite=Strict${secure}`;
  } else if (!value && current) {
    document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Strict${secure}`;
  }
}
"""

_component = st.components.v2.component(
    "pitchjudge_organiser_cookie", html="<span hidden></span>", js=_JS
)


def sync_cookie(token: str | None, *, max_age_s: int) -> None:
    """Make the browser hold `token` in the organiser cookie (None: delete the cookie)."""
    _component(
        key="organiser_cookie",
        data={"name": COOKIE_NAME, "value": token or "", "max_age": max_age_s},
    )


def cookie_token() -> str | None:
    """The organiser token this browser sent when the session started, if any."""
    value = st.context.cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) and value else None
