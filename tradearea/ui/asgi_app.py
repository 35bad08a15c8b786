"""The app as an ASGI application: Streamlit behind the access guard (what ``tradearea app`` runs)."""

from __future__ import annotations

from pathlib import Path

from starlette.middleware import Middleware
from streamlit import net_util
from streamlit.starlette import App

from tradearea.ui.access_guard import AccessGuard


def _no_external_ip() -> None:
    """Never ask a web service for this machine's public address (Streamlit does by default)."""
    return None


net_util.get_external_ip = _no_external_ip  # type: ignore[assignment]

app = App(str(Path(__file__).with_name("streamlit_app.py")), middleware=[Middleware(AccessGuard)])
