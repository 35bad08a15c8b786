"""The layer contract (pyproject.toml [tool.importlinter]) holds: `lint-imports` passes."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_contracts_are_kept() -> None:
    assert LINT_IMPORTS.exists(), "import-linter is in the dev extra: pip install -e '.[dev]'"
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BROKEN" not in proc.stdout


def test_every_top_level_module_has_a_layer() -> None:
    """A new module of tradearea/ must be placed in a layer (docs/architecture.md)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers")
    assert contract["exhaustive"] is True
    declared = {
        name.strip().strip("()")
        for layer in contract["layers"]
        for name in layer.replace("|", ":").split(":")
    } | set(contract["exhaustive_ignores"])
    package = REPO / "tradearea"
    present = {
        p.stem if p.is_file() else p.name
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert present <= declared, sorted(present - declared)


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The check is not vacuous: a lower layer importing a higher one fails `lint-imports`."""
    package = tmp_path / "layered"
    for name, code in {
        "__init__.py": "",
        "faces.py": "from layered import analysis\n",
        "analysis.py": "from layered import faces\n",
    }.items():
        package.mkdir(exist_ok=True)
        (package / name).write_text(code, encoding="utf-8")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = layered\n\n"
        "[importlinter:contract:layers]\nname = layers\ntype = layers\n"
        "layers =\n    layered.faces\n    layered.analysis\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "layered.analysis -> layered.faces" in proc.stdout
