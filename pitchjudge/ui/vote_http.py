"""The audience's phone page (`/vote/<token>`): a light HTML page served beside the Streamlit
app, as Starlette routes of the ASGI entry (`st.App(routes=...)`).

A Streamlit session per phone would hold a websocket, a script thread and its state for each
of 1,000 phones (see the README, "Audience vote"); this page is one GET and one POST per vote.

- CSRF: a random cookie (SameSite=Strict) and, in the form, its HMAC with the server's key;
  a POST from elsewhere, or without both, is refused (and a foreign Origin too).
- The phone: a random device id in a signed cookie (SameSite=Lax, HttpOnly); the services
  count one vote per device (device mode) or bind a ticket code to the first phone using it.
- Every piece of text from the database is escaped (`html.escape`); no script at all.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import logging
import secrets
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, NotFound, PitchJudgeError, RoundStateError
from pitchjudge.formatting import format_datetime_short
from pitchjudge.i18n import LANGUAGES, Gettext, get_gettext
from pitchjudge.models import VoteMode
from pitchjudge.services import ratelimit, votes

log = logging.getLogger(__name__)

DEVICE_COOKIE = "pj_vote_device"
CSRF_COOKIE = "pj_vote_csrf"
LANG_COOKIE = "pj_vote_lang"
COOKIE_PATH = "/vote"
DEVICE_MAX_AGE = 2 * 24 * 3600
SECURITY_HEADERS = {
    # The page has no script, loads nothing, posts only to itself.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # The address may carry a ticket code: never sent to another site.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _sign(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def signed_device(key: bytes, device_id: str) -> str:
    """The device cookie's value: the id and its signature."""
    return f"{device_id}.{_sign(key, 'vote-device', device_id)}"


def device_from_cookie(key: bytes, value: str | None) -> str | None:
    """The device id of a genuine cookie, else None (forged, altered or absent)."""
    device_id, _dot, signature = (value or "").partition(".")
    if not device_id or len(device_id) > 64:
        return None
    return (
        device_id if hmac.compare_digest(signature, _sign(key, "vote-device", device_id)) else None
    )


def csrf_form_token(key: bytes, cookie: str) -> str:
    return _sign(key, "vote-csrf", cookie)


def client_network(host: str | None) -> str | None:
    """What the per-network limits count: an IPv4 address (IPv4-mapped IPv6 included), or an
    IPv6 address's /64 (one phone may hold many addresses of its network's /64)."""
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:60]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def request_language(request: Request, default: str) -> str:
    """?lang=, else the phone's earlier choice (cookie), else Accept-Language, else `default`."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return default if default in LANGUAGES else "fr"


STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#0d1117;color:#f0f3f6;font:18px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:520px;margin:0 auto;padding:16px 16px 40px}
h1{font-size:1.45rem;margin:.2rem 0 .1rem}
.sub{color:#c9d1d9;margin:0 0 1rem}
.lang{text-align:right;margin:0}
.lang a{color:#9ecbff;padding:8px;display:inline-block}
.note{border-radius:12px;padding:14px 16px;margin:0 0 16px;font-weight:600}
.ok{background:#0f5323;color:#fff}
.err{background:#8b1a1a;color:#fff}
.info{background:#1f2a37;color:#f0f3f6}
label{display:block;font-weight:600;margin:0 0 6px}
input[type=text]{width:100%;font-size:1.35rem;padding:12px;border-radius:10px;border:2px solid
#8b949e;background:#161b22;color:#fff;letter-spacing:.12em;text-transform:uppercase;
margin:0 0 16px}
ul{list-style:none;margin:0;padding:0}
li{margin:0 0 12px}
button{width:100%;min-height:64px;text-align:left;border-radius:14px;border:2px solid #30363d;
background:#161b22;color:#f0f3f6;padding:14px 16px;font:inherit;cursor:pointer}
button:focus-visible{outline:3px solid #9ecbff;outline-offset:2px}
button[aria-pressed=true]{border-color:#3fb950;background:#12361f}
button:disabled{cursor:default}
.name{display:block;font-size:1.2rem;font-weight:700}
.line{display:block;color:#c9d1d9;font-size:1rem}
.mine{display:block;color:#7ee787;font-weight:700;margin-top:4px}
"""


def vote_routes(*, engine: Callable[[], Engine], key: Callable[[], bytes]) -> list[Route]:
    """The phone page's routes, for `st.App(routes=...)` (or a Starlette app in tests)."""
    page = _Page(engine=engine, key=key)

    async def endpoint(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        form = dict(await request.form()) if request.method == "POST" else {}
        return await run_in_threadpool(page.respond, request, form)

    return [Route("/vote/{token}", endpoint, methods=["GET", "POST"], name="vote")]


class _Page:
    def __init__(self, *, engine: Callable[[], Engine], key: Callable[[], bytes]) -> None:
        self.engine = engine
        self.key = key

    def respond(self, request: Request, form: dict) -> Response:
        token = request.path_params["token"]
        key = self.key()
        request.state.new_csrf = secrets.token_urlsafe(24)
        try:
            with session_scope(self.engine(), read_only=True) as session:
                page = votes.vote_page(session=session, token=token)
        except NotFound as error:
            lang = request_language(request, "fr")
            _ = get_gettext(lang)
            body = f'<p class="note err" role="alert">{html.escape(error.localized(_))}</p>'
            return self._html(request, key, lang, _("Audience vote"), body, status=404)
        lang = request_language(request, page.language)
        _ = get_gettext(lang)
        device = device_from_cookie(key, request.cookies.get(DEVICE_COOKIE))
        code = str(form.get("code") or request.query_params.get("code") or "")[:40]
        message = None
        status = 200
        if request.method == "POST":
            refused = self._refused_post(request, form, key)
            if refused is not None:
                message, status = html.escape(refused.localized(_)), 403
            else:
                result = self._cast(request, token, form, device, code)
                if isinstance(result, votes.Cast):
                    query = {"ok": "1", "lang": lang}
                    if page.mode == VoteMode.TICKETS and code:
                        query["code"] = votes.format_code(votes.normalise_code(code))
                    # Relative: right behind a proxy's base path too.
                    return self._redirect(request, f"?{urlencode(query)}")
                error, status = result
                message = html.escape(error.localized(_))
            # The page shows the state after the refusal (a close, a withdrawal).
            with session_scope(self.engine(), read_only=True) as session:
                page = votes.vote_page(session=session, token=token)
        with session_scope(self.engine(), read_only=True) as session:
            mine = votes.current_vote(session=session, token=token, device_id=device, code=code)
        body = self._body(request, page, _, lang, mine, code, message, key)
        return self._html(request, key, lang, page.contest_name, body, status=status)

    # --- POST ------------------------------------------------------------------------------

    def _refused_post(self, request: Request, form: dict, key: bytes) -> PitchJudgeError | None:
        origin = request.headers.get("origin")
        if origin and origin != "null":
            host = request.headers.get("host", "")
            if urlsplit(origin).netloc.lower() != host.lower():
                return AccessDenied("This form was sent from another site: nothing was saved.")
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = str(form.get("csrf") or "")
        if not cookie or not sent or not hmac.compare_digest(sent, csrf_form_token(key, cookie)):
            return AccessDenied(
                "This page has expired: reload it and vote again (nothing was saved)."
            )
        return None

    def _cast(self, request, token, form, device, code):
        try:
            pitch_id = int(str(form.get("pitch", "")))
        except ValueError:
            pitch_id = -1
        client = client_network(request.client.host if request.client else None)
        try:
            with session_scope(self.engine()) as session:
                return votes.cast_vote(
                    session=session,
                    token=token,
                    pitch_id=pitch_id,
                    device_id=device or "",
                    code=code,
                    client=client,
                )
        except ratelimit.RateLimited as error:
            return error, 429
        except AccessDenied as error:
            if error.msgid == votes.BAD_CODE:  # counted per network: guessing is slowed down
                with session_scope(self.engine()) as session:
                    votes.note_bad_code(session=session, client=client)
            return error, 403
        except RoundStateError as error:
            return error, 409
        except PitchJudgeError as error:
            return error, 400

    # --- the page ----------------------------------------------------------------------------

    def _body(self, request, page, _: Gettext, lang, mine, code, message, key) -> str:
        e = html.escape
        names = {f.pitch_id: f.startup_name for f in page.finalists}
        switch = " ".join(
            f'<a href="?{e(urlencode(_query(other, page, code)))}" lang="{other}" '
            f'hreflang="{other}">{e(label)}</a>'
            for other, label in LANGUAGES.items()
            if other != lang
        )
        parts = [
            f'<p class="lang">{switch}</p>',
            "<h1>" + e(_("Audience vote")) + "</h1>",
            f'<p class="sub">{e(page.contest_name)} · {e(page.round_name)}</p>',
        ]
        if message:
            parts.append(f'<p class="note err" role="alert">{message}</p>')
        elif request.query_params.get("ok") and mine in names:
            parts.append(
                '<p class="note ok" role="status">'
                + e(_("Thank you! Your vote for {name} is counted.").format(name=names[mine]))
                + "<br>"
                + e(_("You can change it until the vote closes: tap another startup."))
                + "</p>"
            )
        open_ = page.state == votes.OPEN
        if page.state == votes.NOT_OPEN:
            parts.append(
                '<p class="note info">'
                + e(_("The vote has not opened yet. This page reloads by itself."))
                + "</p>"
            )
        elif page.state == votes.CLOSED:
            parts.append(
                '<p class="note info">'
                + e(_("The vote is closed: no more votes are taken. Thank you!"))
                + "</p>"
            )
        elif page.closes_at is not None:
            when = format_datetime_short(page.closes_at, timezone=page.timezone, language=lang)
            parts.append(
                '<p class="sub">' + e(_("The vote closes at {time}.").format(time=when)) + "</p>"
            )
        csrf = request.cookies.get(CSRF_COOKIE) or request.state.new_csrf
        form = [
            '<form method="post">',
            f'<input type="hidden" name="csrf" value="{e(csrf_form_token(key, csrf))}">',
            f'<input type="hidden" name="lang" value="{e(lang)}">',
        ]
        if page.mode == VoteMode.TICKETS:
            form.append(
                '<label for="code">' + e(_("Code on your ticket")) + "</label>"
                f'<input type="text" id="code" name="code" value="{e(code)}" '
                'autocomplete="off" autocapitalize="characters" spellcheck="false" '
                'maxlength="20" inputmode="text">'
            )
        if open_:
            form.append('<p class="sub">' + e(_("Tap the startup you vote for.")) + "</p>")
        form.append("<ul>")
        your_vote = e(_("Your vote"))
        for finalist in page.finalists:
            chosen = finalist.pitch_id == mine
            badge = f'<span class="mine">✓ {your_vote}</span>' if chosen else ""
            form.append(
                f'<li><button type="submit" name="pitch" value="{finalist.pitch_id}" '
                f'aria-pressed="{"true" if chosen else "false"}"'
                f"{'' if open_ else ' disabled'}>"
                f'<span class="name">{e(finalist.startup_name)}</span>'
                f'<span class="line">{e(finalist.one_liner)}</span>{badge}</button></li>'
            )
        form.append("</ul></form>")
        return "".join(parts + form) + ("" if page.state != votes.NOT_OPEN else "<!--refresh-->")

    def _html(self, request, key, lang, title, body, *, status) -> HTMLResponse:
        refresh = '<meta http-equiv="refresh" content="10">' if "<!--refresh-->" in body else ""
        document = (
            f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="color-scheme" content="dark">'
            f"{refresh}<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>"
        )
        response = HTMLResponse(document, status_code=status, headers=SECURITY_HEADERS)
        self._cookies(request, response, key, lang)
        return response

    def _redirect(self, request: Request, location: str) -> Response:
        return RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)

    def _cookies(self, request: Request, response: Response, key: bytes, lang: str) -> None:
        secure = request.url.scheme == "https"
        if device_from_cookie(key, request.cookies.get(DEVICE_COOKIE)) is None:
            response.set_cookie(
                DEVICE_COOKIE,
                signed_device(key, secrets.token_urlsafe(24)),
                max_age=DEVICE_MAX_AGE,
                path=COOKIE_PATH,
                httponly=True,
                samesite="lax",
                secure=secure,
            )
        if not request.cookies.get(CSRF_COOKIE):
            response.set_cookie(
                CSRF_COOKIE,
                request.state.new_csrf,
                path=COOKIE_PATH,
                httponly=True,
                samesite="strict",
                secure=secure,
            )
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(
                LANG_COOKIE, lang, max_age=DEVICE_MAX_AGE, path=COOKIE_PATH, samesite="lax"
            )


def _query(lang: str, page: votes.VotePage, code: str) -> dict:
    query = {"lang": lang}
    if page.mode == VoteMode.TICKETS and code:
        query["code"] = code
    return query


@lru_cache(maxsize=1)
def _app_key() -> bytes:
    from pitchjudge.links import secret_key
    from pitchjudge.ui import state

    return secret_key(state.get_settings())


def _app_engine() -> Engine:
    from pitchjudge.ui import state

    return state.get_engine()


def app_routes() -> list[Route]:
    """The routes the ASGI entry serves: the app's own engine and key."""
    return vote_routes(engine=_app_engine, key=_app_key)
