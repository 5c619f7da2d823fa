"""The ASGI entry: `streamlit run pitchjudge/ui/asgi.py` (or uvicorn) serves the app with its
middleware."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from pitchjudge.ui.proxies import trust_configured_proxies
from pitchjudge.ui.upload_guard import UploadGuard

trust_configured_proxies()  # before uvicorn reads FORWARDED_ALLOW_IPS
app = st.App(
    str(Path(__file__).resolve().parents[2] / "streamlit_app.py"),
    middleware=[Middleware(UploadGuard)],
)
