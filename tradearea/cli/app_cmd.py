"""CLI: ``tradearea app`` starts the Streamlit app."""

from __future__ import annotations

import ipaddress
import os
import secrets
import subprocess
import sys
from pathlib import Path

import typer

from tradearea.errors import InputError
from tradearea.settings import PACKAGE_DIR


def is_loopback(address: str) -> bool:
    """Whether ``address`` (a name or an IP) only reaches this machine."""
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def streamlit_command(
    project: str = "demo",
    *,
    port: int = 8501,
    address: str = "127.0.0.1",
    token: str | None = None,
    allowed_hosts: tuple[str, ...] = (),
) -> tuple[list[str], dict[str, str]]:
    """Return the command line and environment that start the app.

    The app runs as :mod:`tradearea.ui.asgi_app`: Streamlit behind
    :class:`tradearea.ui.access_guard.AccessGuard` (Host allow-list, optional token).

    Parameters
    ----------
    project : str
        A project file or ``demo``.
    port, address : int, str
        Where the server listens (loopback unless the app is shared).
    token : str, optional
        The access token every request must carry (``TRADEAREA_APP_TOKEN``).
    allowed_hosts : tuple of str
        Host names besides the loopback ones the app answers to.

    Returns
    -------
    tuple of (list of str, dict)
        ``argv`` for :func:`subprocess.run` and the environment to pass.
    """
    entry = PACKAGE_DIR / "ui" / "asgi_app.py"
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(entry),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        # the printed URL names this address: Streamlit never looks up a public IP address
        "--browser.serverAddress",
        allowed_hosts[0] if allowed_hosts else address,
    ]
    for host in ("localhost", "127.0.0.1", "::1", *allowed_hosts):
        argv += ["--server.allowedHosts", host]
    env = dict(os.environ)
    env["TRADEAREA_PROJECT"] = project
    env["TRADEAREA_ALLOWED_HOSTS"] = ",".join(allowed_hosts)
    env.pop("TRADEAREA_APP_TOKEN", None)
    if token:
        env["TRADEAREA_APP_TOKEN"] = token
    return argv, env


def register(app: typer.Typer) -> None:
    """Add the ``app`` command."""

    @app.command("app")
    def app_command(
        project: str = typer.Argument("demo", help="A project file (.gpkg) or 'demo'."),
        port: int = typer.Option(8501, help="Port to listen on."),
        address: str = typer.Option(
            "127.0.0.1", help="Address to listen on (loopback; another one needs --share)."
        ),
        share: bool = typer.Option(
            False,
            "--share",
            help="Serve to the team on --address: every visitor needs the access token "
            "(TRADEAREA_APP_TOKEN, or one is made up and printed).",
        ),
        allowed_host: list[str] = typer.Option(  # a repeated option
            [], "--allowed-host", help="A host name the team uses in its URL (repeatable)."
        ),
    ) -> None:
        """Start the web app (Streamlit) on PROJECT; nothing leaves the machine.

        Examples:

          tradearea app            # the demo project on http://127.0.0.1:8501, this machine only

          tradearea app shop.gpkg --port 8600

          TRADEAREA_APP_TOKEN=... tradearea app shop.gpkg --share --address 0.0.0.0 --allowed-host planning-pc
        """
        token: str | None = None
        if not is_loopback(address) and not share:
            typer.echo(
                f"tradearea app: error: --address {address} serves customers' data to the "
                "network; add --share (access token required) or use 127.0.0.1",
                err=True,
            )
            raise typer.Exit(code=2)
        if share:
            token = os.environ.get("TRADEAREA_APP_TOKEN") or secrets.token_urlsafe(24)
            if len(token) < 16:
                typer.echo(
                    "tradearea app: error: TRADEAREA_APP_TOKEN must have at least 16 characters",
                    err=True,
                )
                raise typer.Exit(code=2)
        if project != "demo":
            from tradearea.project.workspace import open_project  # lazy: keeps CLI start-up fast

            try:  # a bad project file is refused here, not shown as a traceback in the app
                open_project(Path(project))
            except InputError as exc:
                typer.echo(f"tradearea app: error: {exc}", err=True)
                raise typer.Exit(code=2) from None
        hosts = tuple(allowed_host) or (() if is_loopback(address) else (address,))
        argv, env = streamlit_command(
            project, port=port, address=address, token=token, allowed_hosts=hosts
        )
        typer.echo(f"tradearea app: serving {project} on http://{address}:{port}", err=True)
        if share:
            shown = (
                "(the token in TRADEAREA_APP_TOKEN)"
                if "TRADEAREA_APP_TOKEN" in os.environ
                else token
            )
            typer.echo(
                "tradearea app: WARNING: shared with the network: anyone with the token can see "
                f"this project's customer data. Open http://{(hosts or (address,))[0]}:{port}/?token="
                f"{shown}",
                err=True,
            )
        if os.name == "posix":
            # become the server: stopping `tradearea app` stops Streamlit, nothing is left behind
            sys.stdout.flush()
            sys.stderr.flush()
            os.execve(sys.executable, argv, env)
        raise typer.Exit(code=subprocess.call(argv, env=env))
