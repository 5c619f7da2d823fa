"""Which forwarded headers to believe: only those of `PITCHJUDGE_TRUSTED_PROXIES`.

uvicorn (Streamlit's server) rewrites the client address from `X-Forwarded-For` when the
connection comes from one of `FORWARDED_ALLOW_IPS`, loopback by default: any process on the
machine, or a proxy that passes the header on unchecked, could then choose the address the
sign-in throttle counts failures under. `trust_configured_proxies()` sets that list from
`PITCHJUDGE_TRUSTED_PROXIES` (comma-separated addresses or networks; unset: trust none) and
must run before the server starts (the ASGI entry, `pitchjudge.ui.asgi`, calls it on import).
"""

from __future__ import annotations

import os

from pitchjudge.config import Settings, load_settings


def trust_configured_proxies(settings: Settings | None = None) -> str:
    """Make uvicorn trust forwarded headers from the configured proxies only; returns the
    value given to uvicorn ("" when none is configured)."""
    value = ",".join((settings or load_settings()).trusted_proxies)
    os.environ["FORWARDED_ALLOW_IPS"] = value
    return value


if __name__ == "__main__":
    # `python -m pitchjudge.ui.proxies` prints the list for uvicorn's FORWARDED_ALLOW_IPS, which
    # uvicorn reads before it imports the ASGI entry (`make run` sets it from this).
    print(",".join(load_settings().trusted_proxies))
