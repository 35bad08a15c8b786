"""Online is opt-in for real: with online options off, a full run opens no network socket."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"
_INET = (socket.AF_INET, socket.AF_INET6)


class NetworkBlockedError(OSError):
    """Raised instead of opening a network connection."""


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Block (and record) every attempt to resolve a name or connect an internet socket.

    Local (AF_UNIX) sockets still work: they never leave the machine.
    """
    attempts: list[str] = []

    def refuse(what: str, target: Any) -> None:
        attempts.append(f"{what} {target!r}"[:200])
        msg = f"network blocked in this test: {what} {target!r}"
        raise NetworkBlockedError(msg)

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in _INET:
            refuse("connect", address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in _INET:
            refuse("connect_ex", address)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        refuse("create_connection", address)
        raise AssertionError  # unreachable

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> list[Any]:
        refuse("getaddrinfo", host)
        raise AssertionError  # unreachable

    def gethostbyname(host: Any) -> str:
        refuse("gethostbyname", host)
        raise AssertionError  # unreachable

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    yield attempts


def test_the_block_catches_what_a_leak_would_do(no_network: list[str]) -> None:
    """The fixture is not a no-op: urllib, raw sockets and name lookups are all caught."""
    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.com/", timeout=2)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(NetworkBlockedError):
        s.connect(("93.184.216.34", 80))
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("nominatim.openstreetmap.org", 443)
    assert len(no_network) == 3


def test_online_geocoding_is_the_only_switch(no_network: list[str], tmp_path: Path) -> None:
    """Turned on, the online geocoder does try the network (so the offline run below proves
    something); the attempt fails cleanly and the rows stay unmatched, not lost."""
    import pandas as pd

    from tradearea.geocode import geocode_frame
    from tradearea.geocode.online import OnlineGeocoder

    frame = pd.DataFrame({"address": ["Nowhere street 999, 99999 Atlantis"]})
    online = OnlineGeocoder(cache=False, min_delay_s=0, max_retries=0, timeout=1)
    out = geocode_frame(frame, region="helsinki-center", address_col="address", online=online)
    assert no_network, "the online geocoder should have tried to connect"
    assert len(out) == 1
    assert out["match_level"].iloc[0] == "unmatched"


def test_full_offline_run_opens_no_socket(
    no_network: list[str], tmp_path: Path, demo_region: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Survey -> geocode -> trade areas -> IRS and Huff -> CRM -> pricing -> report (HTML, PDF)."""
    from tradearea import competition, crm, pricing, saturation
    from tradearea.demand import read_demand
    from tradearea.geocode import account, geocode_frame
    from tradearea.huff import huff_model
    from tradearea.io.geofiles import read_polygons
    from tradearea.project.demo import DEMO_SURVEY, demo_stores
    from tradearea.project.workspace import open_project
    from tradearea.report import build_report, render
    from tradearea.surveys import load_survey
    from tradearea.tradeareas import trade_areas

    monkeypatch.setenv("TRADEAREA_CACHE", str(tmp_path / "cache"))
    survey, _rejected = load_survey(DEMO_SURVEY)
    geocoded = geocode_frame(survey, region=demo_region, address_col="address")
    acc = account(geocoded)
    assert acc["rows"] == 150 and acc["placed"] >= 140

    stores = competition.fill_floor_area(demo_stores())
    own = stores[stores["role"] == "own"]
    placed = geocoded[geocoded["lat"].notna()]
    areas = trade_areas(placed, own, method="share", weight="customers", region=demo_region)
    assert set(areas.areas["tier"]) == {1, 2, 3}

    irs = saturation.irs_by_trade_area(areas.areas, stores, format="supermarket", spend=90.0)
    assert len(irs) == 3 and (irs["spend"] == 90.0).all()
    zones = read_demand(EXAMPLES / "zones.geojson", spend=90.0)
    huff = huff_model(zones, stores)
    assert huff.sales["expected_sales"].sum() == pytest.approx(zones["demand"].sum(), rel=1e-6)

    result = crm.analyse_crm(
        EXAMPLES / "crm_transactions.csv",
        read_polygons(EXAMPLES / "crm_areas.geojson"),
        profile=EXAMPLES / "crm_customers.csv",
        match_on=["name", "phone", "email"],
        dedup=True,
    )
    assert result.summary()["customers"] > 0

    priced = pricing.analyse(pricing.load_scenario(EXAMPLES / "scenario.toml"))
    assert priced["investment"]["metrics"]["npv"] is not None

    report = build_report(open_project("demo"))
    html = render(report, "html", tmp_path / "report.html")
    pdf = render(report, "pdf", tmp_path / "report.pdf")
    assert html.lstrip().lower().startswith(b"<!doctype html") and pdf.startswith(b"%PDF")
    assert no_network == [], f"sockets opened with online options off: {no_network}"


def test_cli_geocode_without_online_opens_no_socket(
    no_network: list[str], tmp_path: Path, demo_region: object
) -> None:
    """The command line too: `tradearea geocode` (no --online) stays on the machine."""
    from typer.testing import CliRunner

    from tradearea.cli import app

    out = tmp_path / "geocoded.csv"
    result = CliRunner().invoke(
        app,
        ["geocode", str(REPO / "surveys" / "demo_survey.csv"), "--region", "helsinki-center",
         "--out", str(out), "--json"],
        env={"TRADEAREA_CACHE": str(tmp_path / "cache")},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"online": false' in result.stdout
    assert out.stat().st_size > 0
    assert no_network == []
