"""Settings: one object read from the environment and `.env`, checked once at start-up."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from pitchjudge.deck_store import S3Settings, parse_store_url
from pitchjudge.decks import DeckLimits
from pitchjudge.errors import ConfigError
from pitchjudge.i18n import LANGUAGES
from pitchjudge.logs import LEVELS as LOG_LEVELS
from pitchjudge.validation import EMAIL_PATTERN as _MAIL_ADDRESS

#: Every setting: name → (default, one-line description). The README's table is checked against it.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "PITCHJUDGE_DATABASE_URL": (
        "sqlite:///data/pitchjudge.db",
        "SQLAlchemy URL of the database (SQLite file or postgresql+psycopg://…).",
    ),
    "PITCHJUDGE_DATA_DIR": ("data", "Folder for the deck store (PDFs and rendered pages)."),
    "PITCHJUDGE_DECK_STORE": (
        "file://DATA_DIR/decks",
        "Where decks are stored: file://FOLDER or s3://BUCKET/PREFIX (credentials from "
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION).",
    ),
    "PITCHJUDGE_S3_ENDPOINT_URL": (
        "(AWS)",
        "Address of an S3-compatible service (MinIO, Garage, a cloud's S3) for an s3:// deck "
        "store; AWS_ENDPOINT_URL is read too.",
    ),
    "PITCHJUDGE_ADMIN_PASSWORD": (
        "(generated)",
        "Organiser password, plain or an argon2 hash ($argon2id$…). Unset: generated on first "
        "start, printed once, its hash kept in the database.",
    ),
    "PITCHJUDGE_MAX_DECK_MB": ("20", "Largest deck accepted, in megabytes."),
    "PITCHJUDGE_MAX_DECK_PAGES": ("40", "Most pages a deck may have."),
    "PITCHJUDGE_LANGUAGE": ("fr", "Default UI language (fr or en) before a contest sets its own."),
    "PITCHJUDGE_TIMEZONE": ("Europe/Paris", "Default timezone for new contests (IANA name)."),
    "PITCHJUDGE_BASE_URL": (
        "(the address in use)",
        "Public address of the app, used to build private links. Unset: the address the "
        "organiser's browser uses (so the port of `make run PORT=…`).",
    ),
    "PITCHJUDGE_SECRET_KEY": (
        "(generated)",
        "Key that judges' links are derived from (32+ characters). Unset: generated into "
        "DATA_DIR/secret.key. Replicas must share it.",
    ),
    "PITCHJUDGE_DECK_TIMEOUT_S": ("60", "Longest time the PDF worker may spend on one deck."),
    "PITCHJUDGE_DECK_MEMORY_MB": ("1024", "Memory limit of the PDF worker process."),
    "PITCHJUDGE_TRUSTED_PROXIES": (
        "(none)",
        "Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or "
        "networks); the sign-in throttle counts failures per client address.",
    ),
    "PITCHJUDGE_REFRESH_S": (
        "2",
        "How often the projector, the stage screen and judges' stage bar look for news (s).",
    ),
    "PITCHJUDGE_SMTP_URL": (
        "(none)",
        "Mail server: smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS); "
        "?tls=none for a local relay without TLS. Unset: e-mails wait in the outbox.",
    ),
    "PITCHJUDGE_MAIL_FROM": (
        "(none)",
        "Sender of the app's e-mails, e.g. Prix Lyon <jury@example.org>; needed with SMTP.",
    ),
    "PITCHJUDGE_LOG_LEVEL": (
        "INFO",
        "Least important log lines written (DEBUG, INFO, WARNING or ERROR); DEBUG adds a "
        "line per health check and static file.",
    ),
    "PITCHJUDGE_REPLICA_ID": (
        "(host:port)",
        "This app process's name in logs, /metrics and the Health page; unique per replica.",
    ),
}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand e-mails over (from PITCHJUDGE_SMTP_URL)."""

    host: str
    port: int
    #: "starttls" (smtp://, the default), "tls" (smtps://) or "none" (smtp://…?tls=none).
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Settings:
    """The application's settings, already validated."""

    database_url: str = "sqlite:///data/pitchjudge.db"
    data_dir: Path = Path("data")
    admin_password: str | None = None
    max_deck_mb: int = 20
    max_deck_pages: int = 40
    language: str = "fr"
    timezone: str = "Europe/Paris"
    base_url: str = "http://localhost:8501"
    #: PITCHJUDGE_BASE_URL was set: links use it, whatever address the browser uses.
    base_url_configured: bool = False
    deck_timeout_s: float = 60.0
    deck_memory_mb: int = 1024
    refresh_s: int = 2
    secret_key: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    smtp: SmtpSettings | None = None
    mail_from: str = ""
    #: Where decks are stored (PITCHJUDGE_DECK_STORE): file://… or s3://bucket/prefix.
    deck_store_url: str = "file://data/decks"
    #: How to reach S3 when deck_store_url is s3://… (endpoint, region, credentials).
    s3: S3Settings | None = None
    log_level: str = "INFO"
    #: PITCHJUDGE_REPLICA_ID; empty: the server's host name and port (`ui.ops_http`).
    replica_id: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def max_deck_bytes(self) -> int:
        return self.max_deck_mb * 1024 * 1024

    @property
    def deck_limits(self) -> DeckLimits:
        """The deck checker's limits."""
        return DeckLimits(
            max_bytes=self.max_deck_bytes,
            max_pages=self.max_deck_pages,
            worker_timeout_s=self.deck_timeout_s,
            worker_memory_mb=self.deck_memory_mb,
        )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            "{name} must be a whole number, not {value!r}.", name=name, value=raw
        ) from None
    if not low <= value <= high:
        raise ConfigError(
            "{name} must be between {low} and {high}, not {value}.",
            name=name,
            low=low,
            high=high,
            value=value,
        )
    return value


def _database_url(env: Mapping[str, str], data_dir_default: str) -> str:
    name = "PITCHJUDGE_DATABASE_URL"
    url = env.get(name, "").strip() or f"sqlite:///{data_dir_default}/pitchjudge.db"
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not (url.startswith("sqlite://") or url.startswith("postgresql+psycopg://")):
        raise ConfigError(
            "{name} must start with sqlite:/// or postgresql+psycopg://, not {value!r}.",
            name=name,
            value=url.split(":", 1)[0] + ":…",
        )
    return url


#: The example values of `.env.example`: a copy left unedited must not run a contest.
PLACEHOLDERS = {
    "PITCHJUDGE_ADMIN_PASSWORD": "choose-a-long-password",
    "PITCHJUDGE_SECRET_KEY": "a-random-string-of-at-least-32-characters",
    "PITCHJUDGE_SMTP_URL": "smtp://user:password@smtp.example.org:587",
}
#: Without these, the app makes its own (a password is printed, a key is generated).
_GENERATED = {"PITCHJUDGE_ADMIN_PASSWORD", "PITCHJUDGE_SECRET_KEY"}


def _refuse_placeholders(env: Mapping[str, str]) -> None:
    for name, placeholder in PLACEHOLDERS.items():
        if (env.get(name) or "").strip() != placeholder:
            continue
        if name in _GENERATED:
            raise ConfigError(
                "{name} still holds the example value of .env.example: choose your own "
                "(or remove the line to have one generated).",
                name=name,
            )
        raise ConfigError(
            "{name} still holds the example value of .env.example: give your mail "
            "server's address (or remove the line: no e-mail is then sent).",
            name=name,
        )


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    name = "PITCHJUDGE_TRUSTED_PROXIES"
    values = tuple(v.strip() for v in env.get(name, "").split(",") if v.strip())
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(
                "{name} must list IP addresses or networks, not {value!r}.", name=name, value=value
            ) from None
    return values


def masked_url(url: str) -> str:
    """A database URL fit to print: its password replaced by ***."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: show its scheme only
        return url.split(":", 1)[0] + ":…"


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    name = "PITCHJUDGE_SMTP_URL"
    raw = env.get(name, "").strip()
    if not raw:
        return None
    problem = ConfigError(
        "{name} must look like smtp://user:password@host:587 or smtps://user:password@host:465.",
        name=name,
    )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise problem from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise problem
    options = parse_qs(parts.query)
    tls = (options.get("tls") or [""])[-1].lower()
    if tls not in ("", "none") or set(options) - {"tls"}:
        raise ConfigError("{name}: the only option is ?tls=none.", name=name)
    security = "tls" if parts.scheme == "smtps" else "none" if tls == "none" else "starttls"
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if security == "tls" else 587),
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _mail_from(env: Mapping[str, str], smtp: SmtpSettings | None) -> str:
    name = "PITCHJUDGE_MAIL_FROM"
    raw = env.get(name, "").strip()
    if not raw:
        if smtp is not None:
            raise ConfigError("{name} must be set when PITCHJUDGE_SMTP_URL is.", name=name)
        return ""
    display, address = parseaddr(raw)
    if "\r" in raw or "\n" in raw or not _MAIL_ADDRESS.match(address):
        raise ConfigError(
            "{name} must be an address such as Prix Lyon <jury@example.org>, not {value!r}.",
            name=name,
            value=raw,
        )
    return formataddr((display, address)) if display else address


def _deck_store(env: Mapping[str, str], data_dir: str) -> tuple[str, S3Settings | None]:
    name = "PITCHJUDGE_DECK_STORE"
    url = env.get(name, "").strip() or f"file://{data_dir}/decks"
    try:
        kind, _, _ = parse_store_url(url)
    except ValueError as error:
        raise ConfigError(
            "{name} must be file://FOLDER or s3://BUCKET/PREFIX; {value!r}: {reason}.",
            name=name,
            value=url,
            reason=str(error),
        ) from None
    if kind != "s3":
        return url, None
    endpoint_name = "PITCHJUDGE_S3_ENDPOINT_URL"
    endpoint = env.get(endpoint_name, "").strip() or env.get("AWS_ENDPOINT_URL", "").strip()
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(
            "{name} must start with http:// or https://, not {value!r}.",
            name=endpoint_name,
            value=endpoint,
        )
    key = env.get("AWS_ACCESS_KEY_ID", "").strip() or None
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip() or None
    if (key is None) != (secret is None):
        raise ConfigError(
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both, or neither "
            "(to use the machine's own AWS credentials)."
        )
    try:
        import s3fs  # noqa: F401
    except ImportError:
        raise ConfigError(
            "{name} is an s3:// address but the s3fs package is missing: install pitchjudge[s3].",
            name=name,
        ) from None
    region = env.get("AWS_DEFAULT_REGION", "").strip() or env.get("AWS_REGION", "").strip() or None
    return url, S3Settings(
        endpoint_url=endpoint.rstrip("/") or None,
        region=region,
        access_key_id=key,
        secret_access_key=secret,
    )


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> Settings:
    """Build the settings from `environ` (default: the process environment) over `.env`."""
    env: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        env.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    language = env.get("PITCHJUDGE_LANGUAGE", "").strip() or "fr"
    if language not in LANGUAGES:
        raise ConfigError(
            "PITCHJUDGE_LANGUAGE must be one of {choices}, not {value!r}.",
            choices=", ".join(LANGUAGES),
            value=language,
        )
    timezone = env.get("PITCHJUDGE_TIMEZONE", "").strip() or "Europe/Paris"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "PITCHJUDGE_TIMEZONE must be an IANA timezone such as Europe/Paris, not {value!r}.",
            value=timezone,
        ) from None
    data_dir_raw = env.get("PITCHJUDGE_DATA_DIR", "").strip() or "data"
    data_dir = Path(data_dir_raw)
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(
            "PITCHJUDGE_DATA_DIR must be a folder; {value} is a file.", value=data_dir_raw
        )
    base_url = (env.get("PITCHJUDGE_BASE_URL", "").strip() or "http://localhost:8501").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            "PITCHJUDGE_BASE_URL must start with http:// or https://, not {value!r}.",
            value=base_url,
        )
    _refuse_placeholders(env)
    secret_key = env.get("PITCHJUDGE_SECRET_KEY") or None
    if secret_key is not None and len(secret_key) < 32:
        raise ConfigError("PITCHJUDGE_SECRET_KEY must be at least 32 characters long.")
    admin_password = env.get("PITCHJUDGE_ADMIN_PASSWORD") or None
    if admin_password is not None and len(admin_password) < 8:
        raise ConfigError("PITCHJUDGE_ADMIN_PASSWORD must be at least 8 characters long.")
    smtp = _smtp(env)
    deck_store_url, s3 = _deck_store(env, data_dir_raw.rstrip("/"))
    log_level = env.get("PITCHJUDGE_LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        raise ConfigError(
            "PITCHJUDGE_LOG_LEVEL must be one of {choices}, not {value!r}.",
            choices=", ".join(LOG_LEVELS),
            value=log_level,
        )
    replica_id = env.get("PITCHJUDGE_REPLICA_ID", "").strip()
    if len(replica_id) > 200 or any(c.isspace() for c in replica_id):
        raise ConfigError("PITCHJUDGE_REPLICA_ID must be at most 200 characters, without spaces.")
    return Settings(
        database_url=_database_url(env, data_dir_raw.rstrip("/")),
        data_dir=data_dir,
        admin_password=admin_password,
        max_deck_mb=_int(env, "PITCHJUDGE_MAX_DECK_MB", 20, 1, 500),
        max_deck_pages=_int(env, "PITCHJUDGE_MAX_DECK_PAGES", 40, 1, 500),
        language=language,
        timezone=timezone,
        base_url=base_url,
        base_url_configured=bool(env.get("PITCHJUDGE_BASE_URL", "").strip()),
        deck_timeout_s=float(_int(env, "PITCHJUDGE_DECK_TIMEOUT_S", 60, 5, 600)),
        deck_memory_mb=_int(env, "PITCHJUDGE_DECK_MEMORY_MB", 1024, 256, 16384),
        secret_key=secret_key,
        refresh_s=_int(env, "PITCHJUDGE_REFRESH_S", 2, 1, 60),
        trusted_proxies=_trusted_proxies(env),
        smtp=smtp,
        mail_from=_mail_from(env, smtp),
        deck_store_url=deck_store_url,
        s3=s3,
        log_level=log_level,
        replica_id=replica_id,
    )
