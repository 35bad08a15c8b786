"""Shared by the section modules: the failure guard and the analysis lookup."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tradearea.project.analysis import ProjectAnalysis, SiteAnalysis, Unavailable
from tradearea.report.model import Section, Site, unavailable

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

LOG = logging.getLogger("tradearea.report")
SectionFunction = Callable[..., Section]


def site_analysis(project: Project, site: Site, ctx: ProjectAnalysis | None) -> SiteAnalysis:
    """Return the analysis of ``site`` from ``ctx`` (a fresh one for ``project`` if None)."""
    ctx = ctx if ctx is not None else ProjectAnalysis(project)
    return ctx.site(site)


def guarded(key: str) -> Callable[[SectionFunction], SectionFunction]:
    """Turn a section function's failure into a "not available" section with the reason."""

    def decorate(func: SectionFunction) -> SectionFunction:
        @functools.wraps(func)
        def wrapper(project: Any, site: Site | None = None, *args: Any, **kw: Any) -> Section:
            sid = site.site_id if isinstance(site, Site) else None
            try:
                return func(project, site, *args, **kw)
            except Unavailable as exc:
                return unavailable(key, str(exc), site_id=sid)
            except Exception as exc:  # one section must never sink the report
                LOG.warning("report section %s failed: %s", key, exc, exc_info=True)
                return unavailable(key, f"failed: {type(exc).__name__}: {exc}", site_id=sid)

        return wrapper

    return decorate


def money_unit(ctx: ProjectAnalysis, per: str = "year") -> str:
    """Return the money unit text, e.g. ``EUR/year``."""
    return f"{ctx.currency}/{per}"
