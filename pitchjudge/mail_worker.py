"""The mail sender as part of the web server's life: an ASGI lifespan that starts it in a
thread with the app and stops it with the app (for `st.App(..., lifespan=...)`).

Several replicas may all start it, next to any `pitchjudge send-mail --loop`: the database
lease lets one of them send at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine
from pitchjudge.services import mail_sender


@asynccontextmanager
async def mail_sender_lifespan(_app: Any = None) -> AsyncIterator[None]:
    """Run the sender while the server runs (nothing to do when SMTP is not configured)."""
    settings = load_settings()
    if settings.smtp is None:
        yield None
        return
    engine = make_engine(settings.database_url)
    thread, stop = mail_sender.start_thread(engine, settings)
    try:
        yield None
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 10)
        engine.dispose()
