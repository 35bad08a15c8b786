"""Batch pipeline: survey/CRM -> geocode -> tiers -> Huff/IRS -> CRM tables -> report, resumable."""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradearea import __version__
from tradearea.batch.context import Context, Step, StepReport
from tradearea.batch.steps import STEPS
from tradearea.errors import InputError
from tradearea.regions.packs import region_path

ENGINES = ("pandas", "dask")
STATE_DIR = ".pipeline"
STEP_VERSION = 1  # bump when a step's outputs change for the same inputs
SECTIONS: dict[str, frozenset[str]] = {
    "run": frozenset(
        {"name", "output", "engine", "scheduler", "workers", "memory_limit", "partition_rows",
         "local_directory", "processes", "currency"}
    ),
    "region": frozenset({"name"}),
    "inputs": frozenset({"survey", "crm", "crm_profile", "stores", "zones"}),
    "geocode": frozenset({"address_col"}),
    "trade_areas": frozenset({"method", "thresholds", "stores", "rings_m", "weight"}),
    "crm": frozenset({"as_of", "retention_rate", "discount_rate", "horizon", "mapping"}),
    "huff": frozenset({"alpha", "beta", "spend", "format", "attractiveness"}),
    "irs": frozenset({"format", "spend", "period", "cumulative"}),
    "report": frozenset({"title"}),
}  # fmt: skip
CANDIDATE_KEYS = frozenset({"id", "name", "lat", "lon", "floor_area_m2", "format"})


@dataclass
class PipelineConfig:
    """A pipeline file, checked: paths resolved against the file's folder.

    Attributes
    ----------
    path : pathlib.Path
        The TOML file.
    raw : dict
        Its tables as read (used in the step keys).
    output : pathlib.Path
        Folder for every output.
    engine : str
        ``pandas`` or ``dask``.
    scheduler : str or None
        Dask scheduler address (None: a local cluster).
    inputs : dict
        Input name -> file.
    candidates : list of dict
        Candidate sites.
    """

    path: Path
    raw: dict[str, Any]
    output: Path
    engine: str = "pandas"
    scheduler: str | None = None
    inputs: dict[str, Path] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def section(self, name: str) -> dict[str, Any]:
        """Return a table of the file (empty if absent)."""
        return dict(self.raw.get(name, {}))

    @property
    def region(self) -> str | None:
        """The region pack named in ``[region]``."""
        return self.section("region").get("name")

    @property
    def partition_rows(self) -> int:
        """Rows per Dask partition for tables read whole."""
        return int(self.section("run").get("partition_rows", 250_000))


def _bad(message: str, path: Path, column: str | None = None) -> InputError:
    return InputError(message, file=str(path), column=column)


def load_config(
    path: str | Path,
    *,
    engine: str | None = None,
    scheduler: str | None = None,
    output: str | Path | None = None,
) -> PipelineConfig:
    """Read and check a pipeline TOML file (see ``data/examples/pipeline.toml``).

    Parameters
    ----------
    path : path
        The file.
    engine : {'pandas', 'dask'}, optional
        Overrides ``[run] engine``.
    scheduler : str, optional
        Dask scheduler address; overrides ``[run] scheduler`` (implies the Dask engine).
    output : path, optional
        Overrides ``[run] output``.

    Returns
    -------
    PipelineConfig
        The checked configuration.

    Raises
    ------
    InputError
        For a file that is not TOML, an unknown table or key, a bad value or a missing input.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("pipeline file not found", file=str(path))
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad(f"not a valid TOML file: {exc}", path) from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise _bad("not a valid TOML file: nested too deeply", path) from None
    for key, value in raw.items():
        if key == "candidates":
            continue
        if key not in SECTIONS:
            known = ", ".join([*SECTIONS, "candidates"])
            raise _bad(f"unknown table [{key}]; known tables: {known}", path, key)
        if not isinstance(value, dict):
            raise _bad(f"[{key}] must be a table", path, key)
        unknown = sorted(set(value) - SECTIONS[key])
        if unknown:
            allowed = ", ".join(sorted(SECTIONS[key]))
            raise _bad(
                f"unknown key {unknown[0]!r} in [{key}]; allowed: {allowed}",
                path,
                f"{key}.{unknown[0]}",
            )
    run = raw.get("run", {})
    chosen = engine or ("dask" if scheduler else None) or run.get("engine", "pandas")
    if chosen not in ENGINES:
        raise _bad(f"engine {chosen!r}: use pandas or dask", path, "run.engine")
    workers = run.get("workers", 1)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise _bad(f"workers {workers!r}: use a whole number above 0", path, "run.workers")
    rows = run.get("partition_rows", 250_000)
    if not isinstance(rows, int) or rows < 1:
        raise _bad(
            f"partition_rows {rows!r}: use a whole number above 0", path, "run.partition_rows"
        )
    base = path.resolve().parent
    out = Path(output) if output is not None else base / str(run.get("output", "pipeline-out"))
    inputs: dict[str, Path] = {}
    for name, value in raw.get("inputs", {}).items():
        file = (base / str(value)).resolve()
        if not file.exists():
            raise InputError(
                f"[inputs] {name}: {value} not found", file=str(path), column=f"inputs.{name}"
            )
        inputs[name] = file
    if "stores" not in inputs:
        raise _bad("[inputs] needs stores (own stores and competitors)", path, "inputs.stores")
    candidates = _candidates(raw.get("candidates", []), path)
    _check_numbers(raw, path)
    return PipelineConfig(
        path=path,
        raw=raw,
        output=out.resolve(),
        engine=chosen,
        scheduler=scheduler or run.get("scheduler"),
        inputs=inputs,
        candidates=candidates,
    )


def _candidates(items: Any, path: Path) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise _bad("candidates must be [[candidates]] tables", path, "candidates")
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _bad(f"candidate {i} must be a table", path, "candidates")
        unknown = sorted(set(item) - CANDIDATE_KEYS)
        if unknown:
            raise _bad(
                f"candidate {i}: unknown key {unknown[0]!r}", path, f"candidates.{unknown[0]}"
            )
        for key, bound in (("lat", 90), ("lon", 180)):
            value = item.get(key)
            if not isinstance(value, int | float) or not -bound <= value <= bound:
                raise _bad(
                    f"candidate {i}: {key} must be a number in [-{bound}, {bound}]",
                    path,
                    f"candidates.{key}",
                )
        out.append({"id": str(item.get("id", f"K{i}")), **item})
    ids = [c["id"] for c in out]
    if len(set(ids)) != len(ids):
        raise _bad("candidate ids repeat", path, "candidates.id")
    return out


def _check_numbers(raw: dict[str, Any], path: Path) -> None:
    checks: dict[str, dict[str, tuple[float, float]]] = {
        "huff": {"alpha": (0, 10), "beta": (0, 10), "spend": (0, math.inf)},
        "crm": {"retention_rate": (0, 1), "discount_rate": (-0.99, 10), "horizon": (0, 1000)},
        "irs": {"spend": (0, math.inf)},
    }
    for sec, keys in checks.items():
        for key, (lo, hi) in keys.items():
            value = raw.get(sec, {}).get(key)
            if value is None:
                continue
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not lo <= value <= hi
            ):
                raise _bad(
                    f"[{sec}] {key} = {value!r}: expected a number in [{lo}, {hi}]",
                    path,
                    f"{sec}.{key}",
                )


# ---- fingerprints and state ---------------------------------------------------------------


def _files_of(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [path] if path.is_file() else []  # never a device such as /dev/zero: read forever


class Fingerprints:
    """Content digests of files and folders, re-read only when size or time changed."""

    def __init__(self, cache: dict[str, dict[str, Any]]) -> None:
        self.cache = cache

    def file(self, path: Path) -> str:
        """Digest of one file (cached by size and modification time)."""
        st = path.stat()
        key = str(path.resolve())
        hit = self.cache.get(key)
        if hit and hit["size"] == st.st_size and hit["mtime_ns"] == st.st_mtime_ns:
            return str(hit["digest"])
        h = hashlib.blake2b(digest_size=16)
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        digest = h.hexdigest()
        self.cache[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "digest": digest}
        return digest

    def of(self, path: Path) -> str | None:
        """Digest of a file or of a folder's files (None if missing)."""
        files = _files_of(path)
        if not files:
            return None
        if path.is_file():
            return self.file(path)
        h = hashlib.blake2b(digest_size=16)
        for f in files:
            h.update(str(f.relative_to(path)).encode())
            h.update(self.file(f).encode())
        return h.hexdigest()


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


# ---- steps and the run --------------------------------------------------------------------


def run_pipeline(
    config: PipelineConfig,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[StepReport]:
    """Run every configured step whose inputs changed since it last finished; skip the rest.

    A step's key is a digest of its settings, its input files' contents, its upstream outputs'
    contents and the step version. A step whose key and outputs are unchanged is skipped, so
    rerunning after a crash or an edit redoes only what depends on what changed. Outputs are
    Parquet (GeoParquet for polygons) in ``config.output``; the state is kept in
    ``config.output/.pipeline/state.json``.

    Parameters
    ----------
    config : PipelineConfig
        From :func:`load_config`.
    force : bool
        Run every step even if up to date.
    progress : callable, optional
        Receives one line per event (step started, finished, skipped, inner progress).

    Returns
    -------
    list of StepReport
        One per configured step, in order.
    """
    say = progress or (lambda line: None)
    config.output.mkdir(parents=True, exist_ok=True)
    state_path = config.output / STATE_DIR / "state.json"
    state = _read_state(state_path)
    prints = Fingerprints(state.setdefault("files", {}))
    steps = [s for s in STEPS if s.when(config)]
    names = {s.name for s in steps}
    ctx = Context(config, say)
    reports: list[StepReport] = []
    try:
        for n, step in enumerate(steps, start=1):
            tag = f"[{n}/{len(steps)}] {step.name}"
            key = _step_key(step, config, prints, state, names)
            done = state.setdefault("steps", {}).get(step.name)
            if (
                not force
                and done
                and done.get("key") == key
                and _outputs_intact(step, config, prints, done)
            ):
                say(f"{tag}: up to date, skipped")
                reports.append(
                    StepReport(
                        step.name, "skipped", 0.0, list(step.outputs), done.get("summary", {})
                    )
                )
                continue
            ctx.ensure_client()
            say(f"{tag}: running ({config.engine})")
            started = time.perf_counter()
            summary = step.run(ctx)
            seconds = time.perf_counter() - started
            state["steps"][step.name] = {
                "key": key,
                "outputs": {o: prints.of(config.output / o) for o in step.outputs},
                "summary": summary,
                "seconds": round(seconds, 3),
                "engine": config.engine,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            _write_json(state_path, state)
            say(f"{tag}: done in {seconds:.1f} s{_brief(summary)}")
            reports.append(StepReport(step.name, "ran", seconds, list(step.outputs), summary))
    finally:
        ctx.close()
        _write_json(state_path, state)
    return reports


def _brief(summary: dict[str, Any]) -> str:
    text = summary.get("line")
    return f" - {text}" if text else ""


def _read_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _step_key(
    step: Step, config: PipelineConfig, prints: Fingerprints, state: dict[str, Any], names: set[str]
) -> str:
    payload: dict[str, Any] = {
        "step": step.name,
        "version": STEP_VERSION,
        "tradearea": __version__,
        "settings": {s: config.raw.get(s) for s in step.sections},
        "inputs": {i: prints.of(config.inputs[i]) for i in step.inputs if i in config.inputs},
        "upstream": {
            n: state.get("steps", {}).get(n, {}).get("outputs") for n in step.needs if n in names
        },
    }
    if "candidates" in step.sections:
        payload["settings"]["candidates"] = config.candidates
    if step.uses_region and config.region:
        meta = region_path(config.region) / "meta.json"
        payload["region"] = prints.of(meta) if meta.exists() else config.region
    return _digest(payload)


def _outputs_intact(
    step: Step, config: PipelineConfig, prints: Fingerprints, done: dict[str, Any]
) -> bool:
    recorded = done.get("outputs", {})
    return all(
        recorded.get(o) is not None and prints.of(config.output / o) == recorded.get(o)
        for o in step.outputs
    )
