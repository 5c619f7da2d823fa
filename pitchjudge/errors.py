"""Domain errors: each carries an English message id and parameters so pages can translate it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Mark a message for extraction (kept here so errors import nothing of the app)."""
    return message


class PitchJudgeError(Exception):
    """Base of errors a person should read: `str()` gives English, `localized()` translates."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(self._format(msgid))

    def _format(self, template: str, params: dict[str, Any] | None = None) -> str:
        try:
            return template.format(**(self.params if params is None else params))
        except (KeyError, IndexError, ValueError):
            return template

    def localized(self, translate: Callable[[str], str]) -> str:
        """The message translated with `translate`, parameters filled in."""
        params = dict(self.params)
        # Words of the app's own vocabulary passed as parameters (a field's label, a round's
        # status) are translated too; what people typed never is.
        for name in ("label", "status", "current", "new"):
            if isinstance(params.get(name), str):
                params[name] = translate(params[name])
        return self._format(translate(self.msgid), params)


class ValidationError(PitchJudgeError, ValueError):
    """Input that breaks a rule; `field` names the form field when there is one."""

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        super().__init__(msgid, **params)


class InvalidDeck(ValidationError):
    """A deck that is not an acceptable PDF (not a PDF, broken, encrypted, too big …)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid, field="deck", **params)


class NotFound(PitchJudgeError, LookupError):
    """The thing asked for does not exist (or the caller may not know it exists)."""


class AccessDenied(PitchJudgeError, PermissionError):
    """A missing, wrong, forged or revoked token or password."""


class DeadlinePassed(PitchJudgeError):
    """A write that the contest's application window no longer accepts."""


class RubricLocked(PitchJudgeError):
    """A rubric change that would corrupt marks already given."""


class RoundStateError(PitchJudgeError):
    """An action that the round's status does not allow."""


class TooManyAttempts(AccessDenied):
    """Sign-in refused for a while after repeated failures."""

    def __init__(self, msgid: str, *, retry_after: int, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(msgid, retry_after=retry_after, **params)


class ConfigError(PitchJudgeError, ValueError):
    """A setting with a bad value; the message names the setting."""


class FormInvalid(ValidationError):
    """Several field errors found at once, so a form can show them all together."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        super().__init__(N_("Please correct the highlighted fields."))

    def by_field(self) -> dict[str | None, ValidationError]:
        """The first error of each field."""
        found: dict[str | None, ValidationError] = {}
        for error in self.errors:
            found.setdefault(error.field, error)
        return found


class DuplicateApplication(ValidationError):
    """The same startup already applied from the same email address (shown at the name)."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid, field="startup_name", **params)


class LinkReplaced(AccessDenied):
    """A write from a judge's (or a display's) link that has been revoked or re-issued since
    the page was opened: nothing is saved."""


#: What an open tab says once its link has been revoked or replaced.
LINK_REPLACED = N_(
    "This link was replaced or revoked by the organisers: nothing more is saved from this page. "
    "Ask the organisers for your current link."
)


class EditConflict(PitchJudgeError):
    """A write from a tab whose view of the field is out of date: another tab or device of
    the same judge changed it since; nothing is saved."""


#: What the losing tab says when two tabs of one judge change the same field.
EDIT_CONFLICT = N_(
    "Changed in another tab or device since this page loaded it: not saved here. Reload the "
    "page to see the newest version."
)


class DatabaseOutage(PitchJudgeError):
    """The database went away for a moment (a restart, a failover, the network): nothing was
    written by this action, and trying again once it is back is safe (writes are upserts)."""

    #: Callers that can wait (the autosaving widgets, the room screens) try again by themselves.
    retry = True


#: What a judge's page says while saves wait for the database.
CONNECTION_LOST = N_("Connection lost — retrying…")


class DeckStoreUnavailable(PitchJudgeError):
    """The deck store cannot be reached or written (a full disk, a bucket that refuses, an
    endpoint that does not answer); `reason` says why, in English, for the operator."""

    @property
    def reason(self) -> str:
        return str(self.params.get("reason", ""))


#: What an applicant reads when the deck was checked but could not be stored.
DECK_NOT_STORED = N_(
    "Your deck could not be stored, so nothing was saved. Try again in a few minutes, or "
    "contact the organisers if it keeps failing."
)
