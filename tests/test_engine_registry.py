"""The Dask engine is a plugin: twins register themselves, with their pandas function's signature."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import tradearea
from tradearea._core import dispatch

# Layers L0-L3 (pyproject.toml [tool.importlinter]): where the dask-aware pandas functions live.
ABOVE_ANALYSIS = {"scale", "project", "report", "batch", "mapping", "cli", "ui", "testing"}


def _pandas_functions() -> dict[str, Callable[..., Any]]:
    for info in pkgutil.walk_packages(tradearea.__path__, "tradearea."):
        if info.name.split(".")[1] not in ABOVE_ANALYSIS:
            importlib.import_module(info.name)
    return dispatch.pandas_functions()


def _params(fn: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_every_dask_aware_function_has_a_registered_twin() -> None:
    pandas = _pandas_functions()
    dispatch.load_engine()
    twins = dispatch.dask_twins()
    assert len(pandas) >= 14
    assert sorted(pandas) == sorted(twins)


@pytest.mark.parametrize("name", sorted(_pandas_functions()))
def test_twin_has_the_signature_and_defaults_of_its_pandas_function(name: str) -> None:
    """Parameters, their kinds and defaults are equal; only the data argument may be Dask."""
    pandas = dispatch.pandas_functions()[name]
    twin = dispatch.dask_twin(name)
    assert twin.__name__ == pandas.__name__
    assert _params(twin) == _params(pandas), (
        f"{twin.__module__}.{name}{inspect.signature(twin)} != "
        f"{pandas.__module__}.{name}{inspect.signature(pandas)}"
    )


def test_the_pandas_library_never_imports_the_engine() -> None:
    code = (
        "import sys, pandas as pd; "
        "from tradearea import crm, huff, saturation, geocode, tradeareas, sites, pricing; "
        "from tradearea.crm import link, value; "
        "crm.rfm_scores(pd.DataFrame({'last_purchase': pd.to_datetime(['2024-01-01']), "
        "'orders': [1], 'revenue': [1.0]})); "
        "print('tradearea.scale' in sys.modules, 'dask' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_a_dask_frame_loads_the_engine_by_name() -> None:
    """A Dask frame reaching a pandas function loads the plugin, which registers its twins."""
    code = (
        "import sys, pandas as pd, dask.dataframe as dd; from tradearea import crm; "
        "print('tradearea.scale' in sys.modules); "
        "tx = pd.DataFrame({'customer_id': ['x', 'y'], 'amount': [1.0, 2.0], "
        "'date': pd.to_datetime(['2024-01-01', '2024-02-01'])}); "
        "out = crm.customers_from_transactions(dd.from_pandas(tx, npartitions=2)); "
        "print('tradearea.scale' in sys.modules, type(out).__module__.split('.')[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "True", "dask"], out.stderr


def test_a_missing_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import dask.dataframe as dd

    from tradearea import crm

    monkeypatch.setattr(dispatch, "_TWINS", {})
    monkeypatch.setattr(dispatch, "ENGINE_MODULE", "tradearea_engine_that_is_not_installed")
    frame = dd.from_pandas(pd.DataFrame({"m": [1.0, 2.0]}), npartitions=1)
    with pytest.raises(ImportError, match=r"pip install 'tradearea\[scale\]'"):
        crm.pareto_share(frame["m"])


def test_a_function_without_a_twin_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "_TWINS", {})
    monkeypatch.setattr(dispatch, "load_engine", lambda: None)
    with pytest.raises(LookupError, match="'pareto_share'"):
        dispatch.dask_twin("pareto_share")


def test_two_twins_for_one_name_are_refused() -> None:
    def pareto_share(revenue: Any, *, top: float = 0.2) -> float:
        return 0.0

    with pytest.raises(ValueError, match="two Dask twins"):
        dispatch.register_dask_twin()(pareto_share)
