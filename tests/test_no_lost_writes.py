"""Saves never lose another session's work; a failed save is not logged; files are owner-only."""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from tests._browser_support import start_app, stop_app
from tradearea.errors import InputError
from tradearea.project import workspace

REPO = Path(__file__).resolve().parent.parent


def _project(n_customers: int = 3) -> workspace.Project:
    p = workspace.Project(name="Shop", region="helsinki-center")
    p.layers["customers"] = gpd.GeoDataFrame(
        {"respondent_id": [f"R{i}" for i in range(n_customers)]},
        geometry=[Point(24.94 + i * 1e-4, 60.17) for i in range(n_customers)],
        crs="EPSG:4326",
    )
    return p


_SAVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tradearea.project import workspace
    path, tag, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    p = workspace.open_project(path)
    p.scenarios[tag] = {"rent": 1.0}
    (path.parent / f"{tag}.ready").touch()
    for _ in range(600):
        if go.exists():
            break
        time.sleep(0.01)
    try:
        workspace.save_project(p)
    except workspace.ProjectChangedError as exc:
        print("CHANGED", exc)
        sys.exit(3)
    print("SAVED")
    """
)


def test_two_processes_saving_one_project_lose_nothing(tmp_path: Path) -> None:
    path = workspace.save_project(_project(), tmp_path / "shared.gpkg")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(path), tag, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for tag in ("alice", "bob")
    ]
    for tag in ("alice", "bob"):
        for _ in range(600):
            if (tmp_path / f"{tag}.ready").exists():
                break
            subprocess.run(["sleep", "0.05"], check=True)
    go.touch()  # both save at the same moment
    codes = [p.wait(timeout=120) for p in procs]
    outs = [p.stdout.read() for p in procs]
    assert sorted(codes) == [0, 3], outs  # one saved, the other was told the file changed
    assert any("changed since you opened it" in o for o in outs)
    saved = workspace.open_project(path)
    winner = "alice" if codes[0] == 0 else "bob"
    assert list(saved.scenarios) == [winner]
    assert len(saved.layer("customers")) == 3  # the customers layer is whole
    assert not list(tmp_path.glob(".shared.*.tmp.gpkg*"))


def test_second_writer_is_told_the_file_changed(tmp_path: Path) -> None:
    path = workspace.save_project(_project(), tmp_path / "p.gpkg")
    a, b = workspace.open_project(path), workspace.open_project(path)
    a.scenarios["a"] = {}
    workspace.save_project(a)
    b.scenarios["b"] = {}
    entries = len(b.log)
    with pytest.raises(workspace.ProjectChangedError, match="reload it, or save yours"):
        workspace.save_project(b)
    assert len(b.log) == entries  # the refused save left no "save" entry
    assert list(workspace.open_project(path).scenarios) == ["a"]
    workspace.save_project(b, tmp_path / "b.gpkg")  # save as works
    workspace.save_project(a)  # the first writer goes on saving


def test_saving_over_another_existing_file_asks_first(tmp_path: Path) -> None:
    workspace.save_project(_project(5), tmp_path / "taken.gpkg")
    other = _project(2)
    with pytest.raises(workspace.ProjectExistsError, match="already exists"):
        workspace.save_project(other, tmp_path / "taken.gpkg")
    assert len(workspace.open_project(tmp_path / "taken.gpkg").layer("customers")) == 5
    workspace.save_project(other, tmp_path / "taken.gpkg", overwrite=True)
    assert len(workspace.open_project(tmp_path / "taken.gpkg").layer("customers")) == 2


def test_failed_save_is_not_logged_and_is_bad_input(tmp_path: Path, monkeypatch) -> None:
    import pyogrio

    real = pyogrio.write_dataframe

    def disk_full(frame, path, **kwargs):
        if kwargs.get("layer") == "audit_log":
            raise OSError(28, "No space left on device")
        return real(frame, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", disk_full)
    p = _project()
    before = [dict(e) for e in p.log]
    with pytest.raises(InputError, match="No space left on device"):
        workspace.save_project(p, tmp_path / "p.gpkg")
    assert p.log == before  # not logged as a save
    assert p.path is None
    assert list(tmp_path.iterdir()) == []  # no temporary file left
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot save the project"):
        workspace.save_project(p, blocker / "p.gpkg")  # a folder that cannot be made
    with pytest.raises(InputError, match="cannot save the project"):
        workspace.save_project(p, tmp_path / ("n" * 300 + ".gpkg"))  # a name too long


def test_saved_project_is_owner_readable_only_and_log_names_the_user(tmp_path: Path) -> None:
    path = workspace.save_project(_project(), tmp_path / "p.gpkg")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = workspace.open_project(path).log[-1]
    assert entry["what"] == "save" and entry["user"] and entry["at"]


@pytest.mark.browser
def test_two_browsers_saving_one_project(tmp_path: Path, browser: object) -> None:
    home = tmp_path / "home"
    projects = home / "projects"
    path = workspace.save_project(_project(), projects / "shared.gpkg")
    proc, url = start_app(path, home)
    try:
        pages = []
        for _ in range(2):
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = ctx.new_page()
            page.goto(url)
            page.get_by_text("Project file: save, open, new").click(timeout=90_000)
            page.get_by_role("button", name="Save project").wait_for(timeout=90_000)
            pages.append(page)
        first, second = pages
        first.get_by_role("button", name="Save project").click()
        first.get_by_text("Saved to").wait_for(timeout=60_000)
        second.get_by_role("button", name="Save project").click()
        second.get_by_text("changed since you opened it").first.wait_for(timeout=60_000)
        assert second.get_by_text("Saved to").count() == 0
        # another, existing name: asked first
        second.get_by_label("Save as").fill("other")
        (projects / "other.gpkg").write_bytes(path.read_bytes())
        second.get_by_label("Save as").press("Enter")
        second.get_by_role("button", name="Save project").click()
        second.get_by_text("already exists. Replace it?").wait_for(timeout=60_000)
        second.get_by_role("button", name="Replace it").click()
        second.get_by_text("Saved to").wait_for(timeout=60_000)
    finally:
        stop_app(proc)


def test_a_project_setting_never_reads_a_file_outside_its_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET-LINE\n")
    folder = tmp_path / "projects"
    p = _project()
    workspace.save_project(p, folder / "p.gpkg")
    for value in (str(secret), "../secret.txt", "/etc/passwd"):
        with pytest.raises(InputError, match="outside the project's folder") as info:
            workspace.project_data_file(p, value, setting="crm_file")
        assert "SECRET" not in str(info.value) and "root:" not in str(info.value)
    (folder / "crm.csv").write_text("customer_id\n1\n")
    assert (
        workspace.project_data_file(p, "crm.csv", setting="crm_file")
        == (folder / "crm.csv").resolve()
    )


def test_report_of_a_hostile_project_does_not_read_its_crm_file(tmp_path: Path) -> None:
    from tradearea import report

    secret = tmp_path / "credentials"
    secret.write_text("aws_secret_access_key=SECRET-LINE\n")
    p = workspace.open_project("demo")
    p.settings = p.settings.model_copy(update={"crm_file": str(secret)})
    workspace.save_project(p, tmp_path / "projects" / "hostile.gpkg")
    html = report.render(report.build_report(p, sections=["crm"]), "html").decode()
    assert "SECRET" not in html
    assert "outside the project" in html


def test_a_project_scenario_never_reads_a_comparables_file_elsewhere(tmp_path: Path) -> None:
    from tradearea import report
    from tradearea.project.scenarios import project_scenario

    secret = tmp_path / "comparables.csv"
    secret.write_text("name,price_per_m2\nSECRET-LINE,1\n")
    p = workspace.open_project("demo")
    workspace.save_project(p, tmp_path / "projects" / "hostile.gpkg")
    name, data = next(iter(p.scenarios.items()))
    hostile = {**data, "market": {**(data.get("market") or {}), "comparables_file": str(secret)}}
    with pytest.raises(InputError, match="outside the project's folder") as info:
        project_scenario(p, hostile, name=name)
    assert "SECRET" not in str(info.value)
    p.scenarios[name] = hostile
    html = report.render(report.build_report(p, sections=["pricing"]), "html").decode()
    assert "SECRET" not in html
