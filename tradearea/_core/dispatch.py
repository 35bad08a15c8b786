"""Engine dispatch: a public pandas function hands a Dask frame to the Dask twin registered for it."""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: The Dask engine is an optional plugin: this module is imported by name (never statically)
#: the first time a Dask frame reaches a pandas function whose twin is not registered yet.
#: Importing it registers every twin (``register_dask_twin``).
ENGINE_MODULE = "tradearea.scale"
ENGINE_EXTRA = "pip install 'tradearea[scale]'"

_PANDAS: dict[str, Callable[..., Any]] = {}
_TWINS: dict[str, Callable[..., Any]] = {}


def is_dask(obj: Any) -> bool:
    """Return True if ``obj`` is a Dask collection, without ever importing Dask to find out."""
    if "dask" not in sys.modules:  # an object can only be a Dask collection if Dask is loaded
        return False
    dask = sys.modules["dask"]
    return bool(dask.is_dask_collection(obj))


def dask_aware(name: str) -> Callable[[F], F]:
    """Decorate a pandas function so a Dask first argument runs the Dask twin named ``name``.

    The twins (in the optional engine, :data:`ENGINE_MODULE`) run the pandas function partition
    by partition with pandas inputs, so there is no recursion, and give the same tables
    (tests/test_engine_dask.py); they take the same parameters with the same defaults
    (tests/test_engine_registry.py).

    Parameters
    ----------
    name : str
        The public name the twin registers under (the function's own name).

    Returns
    -------
    callable
        The decorator.
    """

    def decorate(fn: F) -> F:
        known = _PANDAS.get(name)
        if known is not None and _qualname(known) != _qualname(fn):
            msg = f"two pandas functions are dask-aware as {name!r}: {_qualname(known)}, {_qualname(fn)}"
            raise ValueError(msg)
        _PANDAS[name] = fn

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args and is_dask(args[0]):
                return dask_twin(name)(*args, **kwargs)
            return fn(*args, **kwargs)

        wrapper.__wrapped_pandas__ = fn  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def register_dask_twin(name: str | None = None) -> Callable[[F], F]:
    """Register the decorated function as the Dask twin of the pandas function ``name``.

    Parameters
    ----------
    name : str, optional
        The public name given to :func:`dask_aware` (default: the twin's own ``__name__``).

    Returns
    -------
    callable
        The decorator; it returns the twin unchanged.
    """

    def decorate(twin: F) -> F:
        key = name or twin.__name__
        known = _TWINS.get(key)
        if known is not None and _qualname(known) != _qualname(twin):
            msg = f"two Dask twins registered for {key!r}: {_qualname(known)}, {_qualname(twin)}"
            raise ValueError(msg)
        _TWINS[key] = twin
        return twin

    return decorate


def dask_twin(name: str) -> Callable[..., Any]:
    """Return the Dask twin registered for ``name``, loading the engine plugin if needed.

    Raises
    ------
    ImportError
        If the engine or Dask is not installed (with how to install the ``scale`` extra).
    LookupError
        If the engine has no twin of that name.
    """
    if name not in _TWINS:
        load_engine()
    try:
        return _TWINS[name]
    except KeyError:
        msg = f"the Dask engine ({ENGINE_MODULE}) has no version of {name!r}; pass a pandas frame"
        raise LookupError(msg) from None


def load_engine() -> None:
    """Import the Dask engine plugin (:data:`ENGINE_MODULE`) so its twins register themselves."""
    try:
        importlib.import_module(ENGINE_MODULE)
        importlib.import_module("dask.dataframe")
    except ImportError as exc:
        msg = f"a Dask frame needs the Dask engine, which is not installed ({exc}): {ENGINE_EXTRA}"
        raise ImportError(msg) from exc


def pandas_functions() -> dict[str, Callable[..., Any]]:
    """Return the dask-aware pandas functions by public name (those imported so far)."""
    return dict(_PANDAS)


def dask_twins() -> dict[str, Callable[..., Any]]:
    """Return the registered Dask twins by public name (all of them once the engine is loaded)."""
    return dict(_TWINS)


def _qualname(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"
