"""Every CLI command against every relevant hostile file: exit 0 or 2 naming the file, never 1."""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradearea.cli import app
from tradearea.errors import InputError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLES = REPO / "data" / "examples"
sys.path.insert(0, str(HERE / "hostile"))
import make_corpus  # noqa: E402

CALL_SECONDS = 30.0  # any single command taking longer is a hang
runner = CliRunner()

TABULAR = (".csv", ".xlsx", ".xls", ".xlsm")
GEO = (".geojson", ".gpkg")
# Files of the wrong kind every slot also gets (a user picks the wrong file).
CROSS = {
    "empty.csv",
    "binary_garbage.csv",
    "not_json.geojson",
    "path_like_name.gpkg",
    "zip_bomb.xlsx",
    "scenario_not_toml.toml",
    "garbage.osm.pbf",
    make_corpus.BIG_NAME,
    make_corpus.XSS_NAME,
}


# Files whose error rightly names another file: the one they refer to.
NAMED = {
    "scenario_comparables_traversal.toml": "passwd",
    "pipeline_traversal.toml": "passwd",
    "pipeline_device.toml": "/dev/zero",
    "pipeline_zip_bomb.toml": "zip_bomb.xlsx",
    "pipeline_xss_stores.toml": "competitors_xss.csv",
}


class Hang(BaseException):
    """Raised by the alarm when a command runs past CALL_SECONDS."""


@dataclass
class Outcome:
    """What one command did with one hostile file."""

    slot: str
    file: str
    code: int | None
    seconds: float
    output: str
    problem: str = ""


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    """The hostile files, the 200 MB CSV included (generated once, then cached)."""
    return make_corpus.write_corpus(HERE / "hostile" / "generated", big=True)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, demo_region: object) -> Path:
    """A folder with small valid companion inputs (geocoded customers, CRM transactions)."""
    import pandas as pd

    folder = tmp_path_factory.mktemp("hostile_work")
    truth = pd.read_csv(REPO / "surveys" / "demo_survey_truth.csv")
    placed = truth[["respondent_id", "lat", "lon"]].dropna()
    placed.head(40).to_csv(folder / "customers.csv", index=False)
    crm = pd.read_csv(EXAMPLES / "crm_transactions.csv", dtype=str)
    crm.head(60).to_csv(folder / "crm.csv", index=False)
    return folder


# Slot -> (file kinds it reads, argv with {f} for the hostile file). {out}, {comp}, {zones},
# {areas}, {crm}, {customers} are valid companion inputs, so only one input at a time is hostile.
_STORE = "60.1699,24.9420"
SLOT_ARGS: dict[str, tuple[tuple[str, ...], str]] = {
    "region build": ((".pbf",), "region build {f} --name hostile"),
    "geocode": (TABULAR, "geocode {f} --region helsinki-center --out {out}.csv"),
    "areas INPUT": (TABULAR, f"areas {{f}} --store {_STORE} --weight-col customers --out {{out}}.geojson"),
    "areas --stores": (TABULAR, "areas {customers} --stores {f} --weight-col customers --out {out}.geojson"),
    "areas --zones": (GEO, f"areas {{customers}} --store {_STORE} --method penetration --zones {{f}} --out {{out}}.geojson"),
    "huff --stores": (TABULAR, "huff --stores {f} --demand {zones} --out {out}.csv"),
    "huff --demand": (GEO + TABULAR, "huff --stores {comp} --demand {f} --spend 90 --out {out}.csv"),
    "huff --costs": (TABULAR, "huff --stores {comp} --demand {zones} --costs {f} --out {out}.csv"),
    "huff --calibrate": (TABULAR, "huff --stores {comp} --demand {zones} --calibrate {f} --out {out}.csv"),
    "saturation --areas": (GEO, "saturation --areas {f} --competitors {comp} --out {out}.csv"),
    "saturation --competitors": (TABULAR, "saturation --areas {areas} --competitors {f} --out {out}.csv"),
    "saturation --zones": (GEO, "saturation --areas {areas} --competitors {comp} --zones {f} --out {out}.csv"),
    "crm CRM": (TABULAR, "crm {f} --areas {areas} --out {out}.csv"),
    "crm --areas": (GEO, "crm {crm} --areas {f} --out {out}.csv"),
    "crm --customers": (TABULAR, "crm {crm} --customers {f} --areas {areas} --out {out}.csv"),
    "pricing": ((".toml",), "pricing {f} --out {out}.json"),
    "report": ((".gpkg",), "report {f} --format html --out {out}.html"),
    "run": ((".toml",), "run {f} --out {out}_run --quiet"),
}  # fmt: skip
SLOTS = tuple(SLOT_ARGS)


def _argv(slot: str, path: Path, work: Path) -> list[str]:
    """The command line of ``slot`` with ``path`` as its hostile input (paths kept whole)."""
    companions = {
        "out": str(work / "out"),
        "comp": str(EXAMPLES / "competitors.csv"),
        "zones": str(EXAMPLES / "zones.geojson"),
        "areas": str(EXAMPLES / "crm_areas.geojson"),
        "crm": str(work / "crm.csv"),
        "customers": str(work / "customers.csv"),
    }
    words = SLOT_ARGS[slot][1].split()
    out = []
    for word in words:
        if word == "{f}":
            out.append(str(path))
        else:
            out.append(word.format(f=path, **companions))
    return out


# Every file goes through each shared reader in full in its primary slot. The other slots of
# that reader get every file the reader accepts (their content reaches command-specific code)
# but, of the files the reader refuses, only a sample: the refusal is the same shared code, and
# the sample proves the slot does go through the guarded reader (size, zip bomb, columns).
PRIMARY = {"geocode", "crm CRM", "huff --stores", "saturation --areas", "pricing", "run",
           "report", "region build"}  # fmt: skip
REFUSAL_SAMPLE = {"empty.csv", "binary_garbage.csv", "zip_bomb.xlsx", "million_columns.csv",
                  "truncated.xlsx", "not_json.geojson", "truncated.gpkg", "regex_bomb_header.csv",
                  make_corpus.BIG_NAME}  # fmt: skip


@functools.cache
def _refused_by_shared_reader(path: Path) -> bool:
    """Whether the shared table or polygon reader refuses ``path`` outright."""
    from tradearea.io.geofiles import read_polygons
    from tradearea.surveys import read_table

    try:
        if path.name.endswith(GEO):
            read_polygons(path, polygons=False, numeric=())
        else:
            read_table(path)
    except InputError:
        return True
    return False


def _relevant(slot: str, files: list[Path]) -> list[Path]:
    kinds = SLOT_ARGS[slot][0]
    chosen = [f for f in files if f.name.endswith(kinds) or f.name in CROSS]
    if slot in PRIMARY:
        return chosen
    return [f for f in chosen if f.name in REFUSAL_SAMPLE or not _refused_by_shared_reader(f)]


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise Hang in this (main) thread if the block runs longer than ``seconds``."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _judge(slot: str, path: Path, argv: list[str], env: dict[str, str]) -> Outcome:
    start = time.perf_counter()
    try:
        with _alarm(CALL_SECONDS):
            result = runner.invoke(app, argv, env=env)
    except Hang:
        return Outcome(slot, path.name, None, CALL_SECONDS, "", f"hang (> {CALL_SECONDS:.0f} s)")
    seconds = time.perf_counter() - start
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    outcome = Outcome(slot, path.name, result.exit_code, seconds, text)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        outcome.problem = f"exception {type(result.exception).__name__}: {result.exception}"
    elif "Traceback" in text:
        outcome.problem = "traceback printed"
    elif result.exit_code not in (0, 2):
        outcome.problem = f"exit {result.exit_code}"
    elif result.exit_code == 2 and not (path.name in text or NAMED.get(path.name, "//") in text):
        outcome.problem = "message does not name the file"
    return outcome


ENV = {"TRADEAREA_DEBUG": ""}
OUTCOMES: dict[str, list[Outcome]] = {}


def run_slot(slot: str, files: list[Path], work: Path) -> list[Outcome]:
    """Run one command slot against its relevant hostile files; one outcome per file."""
    env = {
        "TRADEAREA_CACHE": str(work / "cache"),
        "TRADEAREA_PROJECTS": str(work / "projects"),
    }
    if slot == "region build":  # a pack that did build must not land in the real data folder
        env["TRADEAREA_DATA"] = str(work / "data")
    return [_judge(slot, path, _argv(slot, path, work), env) for path in _relevant(slot, files)]


@pytest.mark.parametrize("slot", SLOTS)
def test_hostile_files(slot: str, corpus: list[Path], work: Path) -> None:
    """Exit 0 or 2 naming the file, within the time limit, for every relevant hostile file."""
    outcomes = run_slot(slot, corpus, work)
    OUTCOMES[slot] = outcomes
    for o in outcomes:  # the 200 MB file is refused at once (size limit, or not a .pbf)
        if o.file == make_corpus.BIG_NAME and not o.problem and (o.code != 2 or o.seconds > 10):
            o.problem = f"200 MB file: exit {o.code} after {o.seconds:.1f} s"
    failures = [o for o in outcomes if o.problem]
    report = "\n".join(f"{o.file}: {o.problem}\n    {o.output.strip()[-300:]}" for o in failures)
    assert not failures, f"{slot}: {len(failures)} of {len(outcomes)} failed:\n{report}"


def test_hostile_corpus_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """Print how many files x commands were tried and how many failed."""
    if len(OUTCOMES) < len(SLOTS):
        pytest.skip("run with the slot tests to count")
    outcomes = [o for slot in SLOTS for o in OUTCOMES[slot]]
    failures = [o for o in outcomes if o.problem]
    files = {o.file for o in outcomes}
    accepted = sum(1 for o in outcomes if o.code == 0)
    slowest = sorted(outcomes, key=lambda o: -o.seconds)[:3]
    with capsys.disabled():
        print(
            f"\nhostile corpus: {len(files)} files x {len(SLOTS)} commands = {len(outcomes)} "
            f"runs tried ({accepted} accepted, {len(outcomes) - accepted - len(failures)} "
            f"refused with exit 2), {len(failures)} failures; slowest: "
            + ", ".join(f"{o.slot} {o.file} {o.seconds:.1f} s" for o in slowest)
        )
    assert not failures


# --------------------------------------------------------------------------------------------
# No code from data


_UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "joblib", "yaml"}
_UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "read_pickle", "load_pickle"}


def _unsafe_uses(source: str, name: str) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            found += [f"{name}:{node.lineno} imports {m}" for m in modules
                      if m and m.split(".")[0] in _UNSAFE_MODULES]  # fmt: skip
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called in _UNSAFE_CALLS and not (
                called == "compile" and isinstance(func, ast.Attribute)  # re.compile
            ):
                found.append(f"{name}:{node.lineno} calls {called}()")
            for kw in node.keywords:
                if kw.arg in ("allow_pickle", "shell") and getattr(kw.value, "value", False):
                    found.append(f"{name}:{node.lineno} {kw.arg}=True")
    return found


def test_no_code_from_data_anywhere_in_the_package() -> None:
    """No pickle/marshal/shelve/YAML loaders, eval/exec, allow_pickle or shell=True in tradearea/
    (TOML is read with the standard library's tomllib, which builds plain data only)."""
    package = REPO / "tradearea"
    found = []
    for path in sorted(package.rglob("*.py")):
        found += _unsafe_uses(path.read_text("utf-8"), str(path.relative_to(REPO)))
    assert found == []
    assert _unsafe_uses("import pickle\neval('1')\nnp.load(f, allow_pickle=True)\n", "probe")


def test_project_files_are_opened_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a project changes nothing on disk (it works on a read-only file) until saved."""
    import hashlib
    import stat

    from tradearea.project.workspace import Project, open_project, save_project

    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path / "projects"))
    path = save_project(Project(name="shop", region="helsinki-center"), tmp_path / "shop.gpkg")
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    digest, mtime = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    before = sorted(p.name for p in tmp_path.iterdir())
    project = open_project(path)
    assert project.name == "shop"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no journal, -wal or -shm left


def test_uploaded_file_names_are_never_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upload names such as ../../etc/passwd only ever label messages: every file written while
    reading an upload lands in a temporary or the projects folder, under a name of our own."""
    from tradearea.io.geofiles import read_polygons
    from tradearea.ui import competition_page, project_page

    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path / "projects"))
    written: list[Path] = []
    real_write = Path.write_bytes

    def spy(self: Path, data: bytes) -> int:
        written.append(self.resolve())
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", spy)

    class Upload:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self._data = name, data

        def getvalue(self) -> bytes:
            return self._data

    hostile = ["../../etc/passwd", "/etc/cron.d/evil.csv", "..\\..\\boot.ini", make_corpus.XSS_NAME]
    data = (EXAMPLES / "competitors.csv").read_bytes()
    for name in hostile:
        assert competition_page._read_upload(Upload(name, data), lambda p: p.name, "upload")
        with pytest.raises(InputError) as err:
            read_polygons(b"{not json", name=name)
        assert err.value.file == name
        assert not project_page._open_upload(name, b"not a project")
    assert written, "the spy saw no writes"
    allowed = (Path(tempfile.gettempdir()).resolve(), (tmp_path / "projects").resolve())
    for target in written:
        assert target.is_relative_to(allowed[0]) or target.is_relative_to(allowed[1]), target
        ours = target.name in ("upload.csv", "upload.geojson")
        assert ours or target.name.lstrip(".").startswith("uploaded-"), target
    assert not Path("/etc/cron.d/evil.csv").exists()
    assert not list((tmp_path / "projects").glob("uploaded-*"))  # refused uploads not kept


# --------------------------------------------------------------------------------------------
# Limits


def test_time_limit_stops_a_long_run_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """TRADEAREA_MAX_SECONDS turns a run that goes on too long into bad-input exit material."""
    from tradearea.settings import max_seconds, time_limit

    monkeypatch.setenv("TRADEAREA_MAX_SECONDS", "0.3")
    assert max_seconds() == 0.3
    start = time.perf_counter()
    expected = r"took longer than 0.3 s.*TRADEAREA_MAX_SECONDS"
    with pytest.raises(InputError, match=expected), time_limit(what="geocode"):
        while True:
            time.sleep(0.01)
    assert time.perf_counter() - start < 2
    monkeypatch.setenv("TRADEAREA_MAX_SECONDS", "")
    assert max_seconds() is None
    with time_limit():  # no limit: the block just runs
        time.sleep(0.01)


def test_size_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TRADEAREA_MAX_INPUT_MB applies to tables and polygon files alike."""
    from tradearea.io.geofiles import read_polygons
    from tradearea.surveys import read_table

    table = tmp_path / "t.csv"
    table.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)  # 1.2 MB
    zones = tmp_path / "z.geojson"
    zones.write_bytes((EXAMPLES / "zones.geojson").read_bytes())
    monkeypatch.setenv("TRADEAREA_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match="more than the 1 MB limit"):
        read_table(table)
    monkeypatch.setenv("TRADEAREA_MAX_INPUT_MB", "0.001")
    with pytest.raises(InputError, match="TRADEAREA_MAX_INPUT_MB"):
        read_polygons(zones)
    monkeypatch.setenv("TRADEAREA_MAX_INPUT_MB", "2")
    assert len(read_table(table)[0]) == 300_000


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..", "a/../../b", "<x>"])
def test_path_like_names_stay_names(name: str, tmp_path: Path) -> None:
    """A project or region named like a path never becomes one."""
    from tradearea.project.workspace import safe_project_filename

    file = safe_project_filename(name)
    assert "/" not in file and "\\\\" not in file and not file.startswith(".")
    assert (tmp_path / file).resolve().parent == tmp_path.resolve()
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"")
    result = runner.invoke(
        app, ["region", "build", str(pbf), "--name", name], env={"TRADEAREA_DATA": str(tmp_path)}
    )
    assert result.exit_code == 2 and "--name" in result.output
    assert not (tmp_path / "regions").exists() or not any((tmp_path / "regions").iterdir())


def test_200mb_csv_is_refused_by_the_size_limit_at_once(
    corpus: list[Path], tmp_path: Path, demo_region: object
) -> None:
    """The 200 MB CSV: exit 2 naming the file and the limit, without reading it."""
    big = next(p for p in corpus if p.name == make_corpus.BIG_NAME)
    assert big.stat().st_size >= make_corpus.BIG_BYTES
    start = time.perf_counter()
    result = runner.invoke(
        app,
        ["geocode", str(big), "--region", "helsinki-center", "--out", str(tmp_path / "o.csv")],
    )
    assert time.perf_counter() - start < 5
    assert result.exit_code == 2
    assert make_corpus.BIG_NAME in result.output
    assert (
        "more than the 100 MB limit" in result.output and "TRADEAREA_MAX_INPUT_MB" in result.output
    )


def test_repaired_polygons_and_converted_crs_are_reported(
    corpus: list[Path], tmp_path: Path
) -> None:
    """A bow tie is repaired (make_valid) and said so; a projected file is converted and said so."""
    import json

    from tradearea.io.geofiles import read_polygons, repairs

    generated = HERE / "hostile" / "generated"
    bowtie = read_polygons(generated / "bowtie_zones.geojson")
    assert bowtie.is_valid.all()
    assert bowtie.geometry.iloc[0].area == pytest.approx(
        2 * (0.01 * 0.01 / 4), rel=1e-6
    )  # 2 triangles
    projected = read_polygons(generated / "wrong_crs.geojson")
    assert repairs(projected) == ["reprojected from EPSG:32635 to WGS84 (EPSG:4326)"]
    assert 24 < projected.geometry.iloc[0].centroid.x < 26  # Helsinki, in degrees
    result = runner.invoke(
        app,
        ["saturation", "--areas", str(generated / "bowtie_zones.geojson"), "--competitors",
         str(EXAMPLES / "competitors.csv"), "--out", str(tmp_path / "irs.csv"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "feature 1: invalid polygon (Self-intersection" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(summary["repairs"]) == 1 and "make_valid" in summary["repairs"][0]
