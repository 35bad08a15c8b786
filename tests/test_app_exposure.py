"""The app is not on the network by default: loopback, a Host allow-list, a token to share it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests._browser_support import free_port, stop_app
from tradearea.cli import app as cli_app
from tradearea.cli.app_cmd import is_loopback, streamlit_command

REPO = Path(__file__).resolve().parent.parent
TOKEN = "t0ken-for-the-team-0123456789"

# Loaded in the server process through PYTHONPATH: records (and refuses) every connection or
# name lookup that is not this machine, so a look-up of the public IP address shows up.
_SITECUSTOMIZE = """
import os, socket
_log = os.environ["NETLOG"]
_connect = socket.socket.connect
def _record(what):
    with open(_log, "a") as f:
        f.write(what + "\\n")
def connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and "/" not in host:
        _record(f"connect {address}")
        raise OSError("network blocked by the test")
    return _connect(self, address)
socket.socket.connect = connect
_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *a, **k):
    if host not in (None, "127.0.0.1", "localhost", "::1", "0.0.0.0", ""):
        _record(f"lookup {host}")
        raise socket.gaierror("name lookup blocked by the test")
    return _getaddrinfo(host, *a, **k)
socket.getaddrinfo = getaddrinfo
"""


def _start(tmp_path: Path, *extra: str, token: str | None = None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    env = dict(os.environ, HOME=str(tmp_path), TRADEAREA_PROJECTS=str(tmp_path / "projects"))
    env["PYTHONPATH"] = str(site) + os.pathsep + env.get("PYTHONPATH", "")
    env["NETLOG"] = str(tmp_path / "netlog.txt")
    env.pop("TRADEAREA_APP_TOKEN", None)
    if token:
        env["TRADEAREA_APP_TOKEN"] = token
    argv = [sys.executable, "-m", "tradearea.cli", "app", "demo", "--port", str(port), *extra]
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    pytest.fail("the app did not start")


def _get(port: int, path: str = "/", **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    hdrs = {"Host": f"127.0.0.1:{port}"} | {k.replace("_", "-"): v for k, v in headers.items()}
    conn.request("GET", path, headers=hdrs)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(name).exists():
            continue
        for line in Path(name).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def test_make_run_starts_tradearea_app_on_loopback() -> None:
    out = subprocess.run(["make", "-n", "run"], cwd=REPO, capture_output=True, text=True).stdout
    run_line = [line for line in out.splitlines() if " app " in line or "streamlit" in line][-1]
    assert "tradearea app demo" in run_line
    assert "0.0.0.0" not in run_line and "--address" not in run_line  # the loopback default


def test_default_command_binds_loopback_and_allows_only_local_hosts() -> None:
    argv, env = streamlit_command("demo", port=8501)
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert argv[argv.index("--browser.gatherUsageStats") + 1] == "false"
    assert argv[argv.index("--browser.serverAddress") + 1] == "127.0.0.1"
    assert argv[4].endswith("asgi_app.py")
    assert "TRADEAREA_APP_TOKEN" not in env
    assert is_loopback("localhost") and is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_network_address_without_share_is_refused() -> None:
    result = CliRunner().invoke(cli_app, ["app", "demo", "--address", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--share" in result.output


def test_app_listens_on_loopback_refuses_foreign_hosts_and_contacts_nobody(tmp_path: Path) -> None:
    proc, port = _start(tmp_path)
    try:
        assert _listening_addresses(port) <= {"0100007F", "00000000000000000000000001000000"}
        assert _get(port).status == 200
        assert _get(port, Host=f"localhost:{port}").status == 200
        # DNS rebinding: a foreign name pointed at 127.0.0.1 gets nothing
        assert _get(port, Host="evil.example").status == 403
        assert _get(port, "/_stcore/health", Host="evil.example:80").status == 403
        assert _get(port, Origin="http://evil.example").status == 403
        ws = _get(port, "/_stcore/stream", Host="rebind.example", Connection="Upgrade",
                  Upgrade="websocket", Sec_WebSocket_Version="13",
                  Sec_WebSocket_Key="dGhlIHNhbXBsZSBub25jZQ==")  # fmt: skip
        assert ws.status == 403
    finally:
        stop_app(proc)
    log = tmp_path / "netlog.txt"
    assert not log.exists() or log.read_text() == "", log.read_text()


def test_shared_app_requires_the_token_and_warns(tmp_path: Path) -> None:
    proc, port = _start(tmp_path, "--share", "--address", "127.0.0.1", token=TOKEN)
    try:
        assert _get(port).status == 401
        assert _get(port, "/?token=wrong").status == 401
        first = _get(port, f"/?token={TOKEN}")
        assert first.status == 303
        cookie = first.getheader("set-cookie").split(";")[0]
        assert "HttpOnly" in first.getheader("set-cookie")
        assert _get(port, Cookie=cookie).status == 200
        assert _get(port, Authorization=f"Bearer {TOKEN}").status == 200
        assert _get(port, Cookie=cookie, Host="evil.example").status == 403
    finally:
        stop_app(proc)
        out = proc.stdout.read().decode() if proc.stdout else ""
    assert "WARNING: shared with the network" in out
    assert TOKEN not in out  # a token from the environment is not printed


@pytest.mark.browser
def test_shared_app_in_chromium_needs_the_token(tmp_path: Path, browser: object) -> None:
    proc, port = _start(tmp_path, "--share", "--address", "127.0.0.1", token=TOKEN)
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        resp = page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
        assert resp.status == 401
        assert "Access token required" in page.content()
        page.goto(f"http://127.0.0.1:{port}/?token={TOKEN}", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Project").first.wait_for(timeout=90_000)
        assert "token=" not in page.url
        ctx.close()
    finally:
        stop_app(proc)
