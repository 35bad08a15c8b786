"""CLI: ``tradearea app`` starts the Streamlit app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from tradearea.errors import InputError
from tradearea.settings import PACKAGE_DIR


def streamlit_command(
    project: str = "demo", *, port: int = 8501, address: str = "localhost"
) -> tuple[list[str], dict[str, str]]:
    """Return the command line and environment that start the app.

    Parameters
    ----------
    project : str
        A project file or ``demo``.
    port, address : int, str
        Where the server listens.

    Returns
    -------
    tuple of (list of str, dict)
        ``argv`` for :func:`subprocess.run` and the environment to pass.
    """
    entry = PACKAGE_DIR / "ui" / "streamlit_app.py"
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
    ]
    env = dict(os.environ)
    env["TRADEAREA_PROJECT"] = project
    return argv, env


def register(app: typer.Typer) -> None:
    """Add the ``app`` command."""

    @app.command("app")
    def app_command(
        project: str = typer.Argument("demo", help="A project file (.gpkg) or 'demo'."),
        port: int = typer.Option(8501, help="Port to listen on."),
        address: str = typer.Option("localhost", help="Address to listen on."),
    ) -> None:
        """Start the web app (Streamlit) on PROJECT; nothing leaves the machine.

        Examples:

          tradearea app            # the demo project on http://localhost:8501

          tradearea app shop.gpkg --port 8600
        """
        if project != "demo":
            from tradearea.project.workspace import open_project  # lazy: keeps CLI start-up fast

            try:  # a bad project file is refused here, not shown as a traceback in the app
                open_project(Path(project))
            except InputError as exc:
                typer.echo(f"tradearea app: error: {exc}", err=True)
                raise typer.Exit(code=2) from None
        argv, env = streamlit_command(project, port=port, address=address)
        typer.echo(f"tradearea app: serving {project} on http://{address}:{port}", err=True)
        if os.name == "posix":
            # become the server: stopping `tradearea app` stops Streamlit, nothing is left behind
            sys.stdout.flush()
            sys.stderr.flush()
            os.execve(sys.executable, argv, env)
        raise typer.Exit(code=subprocess.call(argv, env=env))
