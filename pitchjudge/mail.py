"""E-mails as data: each message type's text in the recipient's language, rendered as plain
text and HTML, and the MIME message built from it with headers that cannot be injected."""

from __future__ import annotations

import base64
import html
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from pitchjudge.errors import N_, ValidationError
from pitchjudge.i18n import get_gettext
from pitchjudge.validation import EMAIL_PATTERN

RECEIPT = "receipt"
LINK_AGAIN = "link_again"
JUDGE_INVITE = "judge_invite"
JUDGE_REMINDER = "judge_reminder"
FEEDBACK_RELEASED = "feedback_released"
DECISION_SHORTLISTED = "decision_shortlisted"
DECISION_FINALIST = "decision_finalist"
DECISION_NOT_RETAINED = "decision_not_retained"
DECISIONS = (DECISION_SHORTLISTED, DECISION_FINALIST, DECISION_NOT_RETAINED)

#: Every message type, with its name as the organiser reads it (translate to show).
KINDS: dict[str, str] = {
    RECEIPT: N_("Application receipt"),
    LINK_AGAIN: N_("Private links sent again"),
    JUDGE_INVITE: N_("Judge invitation"),
    JUDGE_REMINDER: N_("Reminder to a judge"),
    FEEDBACK_RELEASED: N_("Feedback released"),
    DECISION_SHORTLISTED: N_("Decision: shortlisted"),
    DECISION_FINALIST: N_("Decision: finalist"),
    DECISION_NOT_RETAINED: N_("Decision: not retained"),
}

#: The default intro paragraph of each type; the organiser may replace it per contest.
#: Placeholders: {contest}, {startup}, {round}, {name}.
DEFAULT_INTROS: dict[str, str] = {
    RECEIPT: N_(
        "Thank you for applying to {contest}. Your application is registered; here is what we "
        "received."
    ),
    LINK_AGAIN: N_(
        "Someone (we hope you) asked for the private links of the applications made with this "
        "address to {contest}. If it was not you, you can ignore this message."
    ),
    JUDGE_INVITE: N_(
        "You are invited to judge {contest}. Your personal link opens your judging page, with "
        "no password to remember."
    ),
    JUDGE_REMINDER: N_(
        "The round {round} of {contest} is open, and some pitches still wait for your marks."
    ),
    FEEDBACK_RELEASED: N_(
        "The jury's feedback on {startup} for the round {round} of {contest} is ready."
    ),
    DECISION_SHORTLISTED: N_("Good news: {startup} is shortlisted in {contest}."),
    DECISION_FINALIST: N_("Congratulations: {startup} is a finalist of {contest}."),
    DECISION_NOT_RETAINED: N_(
        "Thank you for applying to {contest}. We are sorry to tell you that {startup} was not "
        "retained this time."
    ),
}

SUBJECT_MAX = 150
NAME_MAX = 120
_PLACEHOLDERS = ("contest", "startup", "round", "name")


def header_text(value: object, *, limit: int) -> str:
    """One line of text safe in a header: no control character (CR/LF included), no run of
    spaces, at most `limit` characters (cut with an ellipsis)."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_address(value: object) -> str:
    """A deliverable-looking address, or ValidationError (CR/LF and display names refused)."""
    text = "" if value is None else str(value)
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise ValidationError("This e-mail address contains a line break or a control character.")
    text = text.strip()
    if not EMAIL_PATTERN.match(text) or len(text) > 254:
        raise ValidationError(
            "{value} is not a valid email address (expected name@example.org).", value=text
        )
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def new_message_id(base_url: str) -> str:
    """A Message-ID unique to one message, fixed when it is queued (stable across attempts)."""
    domain = urlsplit(base_url).hostname or "pitchjudge.invalid"
    if "." not in domain:
        domain = f"{domain}.pitchjudge.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


@dataclass(frozen=True)
class Block:
    """A piece of a message body: a paragraph, facts, a link, a list, or the QR code."""

    kind: str  # "p" | "facts" | "link" | "list" | "qr"
    text: str = ""
    url: str = ""
    items: Sequence[tuple[str, str]] = ()


@dataclass
class Draft:
    """A message ready to queue: recipient, language, subject and both bodies."""

    kind: str
    to_address: str
    to_name: str
    language: str
    subject: str
    body_text: str
    body_html: str
    inline_png: bytes | None = None
    reply_to: str = ""


def _fill(template: str, values: dict[str, str]) -> str:
    # Only the known placeholders: an organiser's "{" or a startup's name never breaks it.
    for name in _PLACEHOLDERS:
        template = template.replace("{" + name + "}", values.get(name, ""))
    return template


def intro_for(kind: str, language: str, intros: dict | None, values: dict[str, str]) -> str:
    """The intro paragraph: the organiser's for this type if set, else the default."""
    custom = (intros or {}).get(kind)
    template = custom if isinstance(custom, str) and custom.strip() else None
    if template is None:
        template = get_gettext(language)(DEFAULT_INTROS[kind])
    return _fill(template.strip(), values)


def render_text(greeting: str, blocks: Sequence[Block], signature: str) -> str:
    lines = [greeting, ""]
    for block in blocks:
        if block.kind == "p":
            lines += [block.text, ""]
        elif block.kind == "facts":
            lines += [f"{label}: {value}" for label, value in block.items] + [""]
        elif block.kind == "link":
            lines += [f"{block.text}:", block.url, ""]
        elif block.kind == "list":
            lines += [
                f"- {label}" + (f": {value}" if value else "") for label, value in block.items
            ]
            lines.append("")
    lines += ["-- ", signature]
    return "\n".join(lines) + "\n"


def render_html(greeting: str, blocks: Sequence[Block], signature: str, language: str) -> str:
    e = html.escape
    parts = [f"<p>{e(greeting)}</p>"]
    for block in blocks:
        if block.kind == "p":
            parts.append("<p>" + e(block.text).replace("\n", "<br>") + "</p>")
        elif block.kind == "facts":
            rows = "".join(
                f'<tr><th align="left" style="padding:2px 12px 2px 0">{e(label)}</th>'
                f"<td>{e(value)}</td></tr>"
                for label, value in block.items
            )
            parts.append(f"<table>{rows}</table>")
        elif block.kind == "link":
            parts.append(
                f'<p><a href="{e(block.url, quote=True)}" style="display:inline-block;'
                "padding:10px 16px;background:#1f4e79;color:#ffffff;text-decoration:none;"
                f'border-radius:6px">{e(block.text)}</a><br>'
                f'<small style="word-break:break-all">{e(block.url)}</small></p>'
            )
        elif block.kind == "list":
            items = "".join(
                f"<li>{e(label)}"
                + (
                    f' — <a href="{e(value, quote=True)}">{e(value)}</a>'
                    if value.startswith(("http://", "https://"))
                    else (f": {e(value)}" if value else "")
                )
                + "</li>"
                for label, value in block.items
            )
            parts.append(f"<ul>{items}</ul>")
        elif block.kind == "qr":
            parts.append(
                f'<p><img src="cid:qr" alt="{e(block.text)}" width="180" height="180"></p>'
            )
    parts.append(f'<p style="color:#555">— {e(signature)}</p>')
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html><html lang="{e(language)}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#222">'
        f"{body}</body></html>"
    )


def compose(
    *,
    kind: str,
    language: str,
    to_address: str,
    to_name: str,
    subject: str,
    greeting: str,
    intro: str,
    blocks: Sequence[Block],
    contest_name: str,
    inline_png: bytes | None = None,
    reply_to: str = "",
) -> Draft:
    """A Draft with both bodies rendered from the same blocks."""
    all_blocks = [Block("p", intro), *blocks]
    signature = contest_name
    return Draft(
        kind=kind,
        to_address=clean_address(to_address),
        to_name=header_text(to_name, limit=NAME_MAX),
        language=language,
        subject=header_text(subject, limit=SUBJECT_MAX),
        body_text=render_text(greeting, all_blocks, signature),
        body_html=render_html(greeting, all_blocks, signature, language),
        inline_png=inline_png,
        reply_to=reply_to,
    )


def _address(name: str, address: str) -> Address:
    local, domain = address.rsplit("@", 1)
    return Address(display_name=header_text(name, limit=NAME_MAX), username=local, domain=domain)


def build_mime(
    *,
    message_id: str,
    created_at: datetime,
    mail_from: str,
    to_address: str,
    to_name: str,
    reply_to: str,
    subject: str,
    body_text: str,
    body_html: str,
    inline_png: str | bytes | None,
    language: str,
) -> EmailMessage:
    """The MIME message: text and HTML alternatives (with the QR inline when there is one),
    Message-ID and Date fixed at queueing, so every attempt sends the same message."""
    message = EmailMessage()
    from_name, from_address = parseaddr(mail_from or "pitchjudge@pitchjudge.invalid")
    message["From"] = _address(from_name, from_address)
    message["To"] = _address(to_name, to_address)
    if reply_to:
        message["Reply-To"] = _address("", reply_to)
    message["Subject"] = header_text(subject, limit=SUBJECT_MAX)
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body_text)
    message.add_alternative(body_html, subtype="html")
    message["Content-Language"] = language  # after the bodies: set_content drops Content-*
    if inline_png:
        data = base64.b64decode(inline_png) if isinstance(inline_png, str) else inline_png
        html_part = message.get_payload()[1]
        html_part.add_related(data, maintype="image", subtype="png", cid="<qr>", filename="qr.png")
    return message
