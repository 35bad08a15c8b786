"""Every app upload path against the hostile corpus: an error box naming the file, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "hostile"))
import make_corpus  # noqa: E402

TABULAR = (".csv", ".xlsx", ".xls", ".xlsm")
GEO = (".geojson", ".gpkg")
CROSS = {"empty.csv", "binary_garbage.csv", "not_json.geojson", "zip_bomb.xlsx",
         "garbage.osm.pbf", make_corpus.XSS_NAME, make_corpus.BIG_NAME}  # fmt: skip

# Survey-shaped files whose hostile content reaches the geocoder, account, review table and map
# (the reader-level cases, such as encodings, are read and previewed on the page too).
GEOCODED = ("xss_everywhere.csv", "formula_cells.csv", "nan_inf.csv", "latlon_out_of_range.csv")

# The page module, with st.file_uploader answering from session state (AppTest cannot upload).
_UPLOAD = """
import streamlit as st

class Upload:
    def __init__(self, name, data):
        self.name, self._data = name, data
        self.size = len(data)

    def getvalue(self):
        return self._data

    def read(self, *args):
        return self._data

_real_uploader = st.file_uploader

def _fake_uploader(label, *args, key=None, **kwargs):
    item = st.session_state.get("_upload")
    if item and key == st.session_state.get("_upload_key"):
        return Upload(item[0], item[1])
    return None

st.file_uploader = _fake_uploader
try:
    from tradearea.ui import {module}
    {module}.page()
finally:
    st.file_uploader = _real_uploader
"""


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    """The hostile files (the 200 MB CSV included; generated once, then cached)."""
    return make_corpus.write_corpus(HERE / "hostile" / "generated", big=True)


@pytest.fixture(autouse=True)
def _private_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Project uploads and caches go to a temporary folder."""
    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path / "projects"))
    monkeypatch.setenv("TRADEAREA_CACHE", str(tmp_path / "cache"))


def _pick(files: list[Path], kinds: tuple[str, ...]) -> list[Path]:
    return [f for f in files if f.name.endswith(kinds) or f.name in CROSS]


def _plain(text: str) -> str:
    """Error boxes escape Markdown (``zip\\_bomb\\.xlsx``); compare without the escapes."""
    return text.replace("\\", "")


def _errors(at: AppTest) -> list[str]:
    return [_plain(str(e.value)) for e in at.error]


def _judge(name: str, at: AppTest, problems: list[str]) -> str:
    """'accepted', 'refused' (an error box names the file) or a problem appended."""
    if at.exception:
        problems.append(f"{name}: traceback {at.exception[0].value[:300]}")
        return "problem"
    errors = _errors(at)
    if not errors:
        return "accepted"
    if not any(name in e for e in errors):
        problems.append(f"{name}: error box does not name the file: {errors[0][:200]}")
        return "problem"
    return "refused"


def _summary(
    path: str, outcomes: dict[str, str], problems: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    refused = sum(1 for v in outcomes.values() if v == "refused")
    with capsys.disabled():
        print(
            f"\nhostile uploads, {path}: {len(outcomes)} files tried, "
            f"{refused} refused with an error box, {len(problems)} failures"
        )
    assert not problems, "\n".join(problems)


def _page_test(module: str, upload_key: str, *, timeout: float = 60) -> AppTest:
    at = AppTest.from_string(_UPLOAD.replace("{module}", module), default_timeout=timeout)
    at.session_state["_upload_key"] = upload_key
    return at


def test_survey_page_uploads(
    corpus: list[Path], demo_region: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """Survey page: read, preview, map columns and geocode each hostile file, on the real page."""
    outcomes: dict[str, str] = {}
    problems: list[str] = []
    reader = _page_test("survey_page", "survey.upload")  # read and preview: one session
    for path in _pick(corpus, TABULAR):
        reader.session_state["_upload"] = (path.name, path.read_bytes())
        reader.run()
        outcomes[path.name] = _judge(path.name, reader, problems)
    for name in GEOCODED:  # geocode: a fresh session each, so results do not mix
        at = _page_test("survey_page", "survey.upload")
        at.session_state["_upload"] = (name, (HERE / "hostile" / "generated" / name).read_bytes())
        at.run()
        run = [b for b in at.button if b.key == "survey.run"]
        assert run, f"{name}: no Geocode button"
        run[0].click().run()  # geocode it and show the account, review and map
        _judge(name, at, problems)
    assert outcomes["empty.csv"] == "refused"
    assert outcomes["xss_everywhere.csv"] == "accepted"
    _summary("Survey page", outcomes, problems, capsys)


_LOOP = """
import json
from pathlib import Path

import streamlit as st

from tradearea import demand
from tradearea.ui import competition_page, customers_page
from tradearea.ui._common import current_project, show_error

class Upload:
    def __init__(self, name, data):
        self.name, self._data = name, data

    def getvalue(self):
        return self._data

project = current_project()
out = {}
for file in st.session_state["_files"]:
    path = Path(file)
    upload = Upload(path.name, path.read_bytes())
    before = (id(project.layers["competitors"]), id(project.layers["zones"]), len(project.log))
    try:
        if st.session_state["_path"] == "competitors":
            competition_page._load_upload(project, upload)
            accepted = len(project.log) > before[2]
        elif st.session_state["_path"] == "zones":
            accepted = competition_page._read_upload(upload, demand.read_zones, "zones") is not None
        else:  # customers: what the page does with a CRM export or uploaded trade areas
            example = customers_page._examples()
            crm, crm_name, areas = upload.getvalue(), upload.name, example["areas"]
            options = {"match_on": ["name", "phone", "email"], "dedup": True, "threshold": 85.0,
                       "as_of": None, "retention_rate": None, "discount_rate": 0.1, "horizon": 3,
                       "region": project.region, "areas_name": None}
            if st.session_state["_path"] == "trade areas":
                crm, crm_name = example["crm"], example["crm_name"]
                areas = upload.getvalue().decode("utf-8", errors="replace")
                options.update(areas_name=upload.name, match_on=[], dedup=False)
            try:
                customers_page._analyse(crm, crm_name, None, None, areas,
                                        json.dumps(options, sort_keys=True), None)
                accepted = True
            except Exception as exc:  # the page's own handling: an error box
                show_error(exc)
                accepted = False
        after = (id(project.layers["competitors"]), id(project.layers["zones"]), len(project.log))
        if not accepted and after != before:
            out[path.name] = "problem: a refused import changed the project"
        else:
            out[path.name] = "accepted" if accepted else "refused"
    except Exception as exc:
        out[path.name] = f"problem: uncaught {type(exc).__name__}: {exc}"
st.session_state["_out"] = out
"""


@pytest.mark.parametrize(
    ("path", "kinds"),
    [
        ("competitors", TABULAR),
        ("zones", (*GEO, ".csv")),
        ("customers", TABULAR),
        ("trade areas", GEO),
    ],
)
def test_upload_processing_in_one_run(
    path: str,
    kinds: tuple[str, ...],
    corpus: list[Path],
    demo_region: object,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Competition page (competitors, zones), Customers page (CRM export, trade areas)."""
    files = _pick(corpus, kinds)
    at = AppTest.from_string(_LOOP, default_timeout=120)
    at.session_state["_files"] = [str(f) for f in files]
    at.session_state["_path"] = path
    at.run()
    assert not at.exception, at.exception[0].value
    outcomes = dict(at.session_state["_out"])
    errors = _errors(at)
    problems = [f"{n}: {v}" for n, v in outcomes.items() if v.startswith("problem")]
    for name, verdict in outcomes.items():
        if verdict == "refused" and not any(name in e for e in errors):
            problems.append(f"{name}: refused without an error box naming the file")
    assert len(outcomes) == len(files)
    _summary(f"{path} upload", outcomes, problems, capsys)


def test_customers_page_areas_upload_on_the_page(
    corpus: list[Path], demo_region: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """Customers page: binary and XSS-named files as uploaded trade areas, on the real page."""
    problems: list[str] = []
    at = _page_test("customers_page", "crm_upload_areas", timeout=120)
    at.run()
    at.radio(key="crm_areas_source").set_value("upload").run()
    outcomes = {}
    for name in ("binary_garbage.csv", make_corpus.XSS_NAME, "bowtie_zones.geojson"):
        at.session_state["_upload"] = (name, (HERE / "hostile" / "generated" / name).read_bytes())
        at.run()
        outcomes[name] = _judge(name, at, problems)
    assert outcomes["binary_garbage.csv"] == "refused"
    assert outcomes["bowtie_zones.geojson"] == "accepted"  # repaired, then used
    _summary("Customers page trade areas", outcomes, problems, capsys)


def test_project_page_opens_uploaded_projects(
    corpus: list[Path], demo_region: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """Project page: open an uploaded .gpkg; a failure leaves the open project and no copy."""
    files = _pick(corpus, (".gpkg",))
    script = """
from pathlib import Path
import streamlit as st
from tradearea.settings import projects_dir
from tradearea.ui import project_page
from tradearea.ui._common import current_project

before = current_project()
out = {}
for file in st.session_state["_files"]:
    path = Path(file)
    try:
        opened = project_page._open_upload(path.name, path.read_bytes())
        kept = [p.name for p in projects_dir().glob("uploaded-*.gpkg")]
        if opened:
            out[path.name] = "problem: a hostile file opened as a project"
        elif current_project() is not before or kept:
            out[path.name] = "problem: a failed open changed the project or kept the file"
        else:
            out[path.name] = "refused"
    except Exception as exc:
        out[path.name] = f"problem: uncaught {type(exc).__name__}: {exc}"
st.session_state["_out"] = out
"""
    at = AppTest.from_string(script, default_timeout=60)
    at.session_state["_files"] = [str(f) for f in files]
    at.run()
    assert not at.exception, at.exception[0].value
    outcomes = dict(at.session_state["_out"])
    errors = _errors(at)
    problems = [f"{n}: {v}" for n, v in outcomes.items() if v.startswith("problem")]
    for name, verdict in outcomes.items():
        if verdict == "refused" and not any(name in e for e in errors):
            problems.append(f"{name}: refused without an error box naming the upload")
    assert len(outcomes) == len(files)
    _summary("Project page open", outcomes, problems, capsys)


def _hostile_scenarios() -> dict[str, Any]:
    import tomllib

    deep: dict[str, Any] = {}
    node = deep
    for _ in range(3000):
        node["site"] = {}
        node = node["site"]
    out: dict[str, Any] = {
        "comparables_elsewhere": {"market": {"comparables_file": "/etc/passwd"}},
        "site_not_a_table": {"site": "all of it"},
        "floors_nan": {"site": {"floors": [{"name": "1F", "level": 1, "area_m2": float("nan")}]}},
        "cost_inf": {"costs": {"land_cost_per_m2": float("inf")}},
        "not_a_dict": ["a", "list"],
        "nothing": None,
        "deep": deep,
        make_corpus.XSS: {"name": make_corpus.XSS, "site": {"name": make_corpus.FORMULAS[0]}},
    }
    generated = HERE / "hostile" / "generated"
    for toml in sorted(generated.glob("scenario_*.toml")):
        try:
            out[toml.stem] = tomllib.loads(toml.read_text("utf-8"))
        except (ValueError, RecursionError):
            continue  # unreadable TOML never gets into a project
    return out


def test_pricing_page_loads_hostile_project_scenarios(
    corpus: list[Path], demo_region: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pricing page: scenarios kept in a (hostile) project load, or give an error box naming them."""
    from tradearea.ui._common import current_project  # noqa: F401  (the page's project)

    scenarios = _hostile_scenarios()
    script = """
import streamlit as st
from tradearea.ui import pricing_page
from tradearea.ui._common import current_project

project = current_project()
project.scenarios.update(st.session_state["_scenarios"])
out = {}
for name in st.session_state["_scenarios"]:
    st.session_state.pop(pricing_page._P + "load_error", None)
    try:
        pricing_page._load(name)
        error = st.session_state.get(pricing_page._P + "load_error")
        out[name] = "refused" if error is not None and error.file == name else "accepted"
        if error is not None and error.file != name:
            out[name] = f"problem: error does not name the scenario: {error}"
    except Exception as exc:
        out[name] = f"problem: uncaught {type(exc).__name__}: {exc}"
st.session_state["_out"] = out
"""
    at = AppTest.from_string(script, default_timeout=60)
    at.session_state["_scenarios"] = scenarios
    at.run()
    assert not at.exception, at.exception[0].value
    outcomes = dict(at.session_state["_out"])
    problems = [f"{n}: {v}" for n, v in outcomes.items() if v.startswith("problem")]
    assert outcomes["comparables_elsewhere"] == "refused"  # a path in a project is never opened
    assert outcomes["not_a_dict"] == "refused"
    _summary("Pricing page project scenarios", outcomes, problems, capsys)
