"""The ASGI entry (`streamlit run pitchjudge/ui/asgi.py`, or uvicorn): the app, with the error
boundary on every script run and widget callback."""

from pathlib import Path

import streamlit as st

from pitchjudge.ui.error_boundary import on_script_error

ENTRY = Path(__file__).resolve().parents[2] / "streamlit_app.py"

app = st.App(str(ENTRY), on_script_error=on_script_error)
