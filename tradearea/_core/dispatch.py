"""Let a public function take a pandas or a Dask frame: Dask input goes to ``tradearea.scale``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def _is_dask(obj: Any) -> bool:
    if "dask" not in sys.modules:  # never import Dask just to check
        return False
    import dask

    return bool(dask.is_dask_collection(obj))


def dask_aware(name: str) -> Callable[[F], F]:
    """Decorate a pandas function so a Dask first argument runs ``tradearea.scale.<name>``.

    The Dask versions run the pandas function partition by partition (with pandas inputs, so
    no recursion) and give the same tables (tests/test_engine_dask.py).

    Parameters
    ----------
    name : str
        The function's name in :mod:`tradearea.scale`.

    Returns
    -------
    callable
        The decorator.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args and _is_dask(args[0]):
                from tradearea import scale

                return getattr(scale, name)(*args, **kwargs)
            return fn(*args, **kwargs)

        wrapper.__wrapped_pandas__ = fn  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
