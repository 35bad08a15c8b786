"""The project layer (layer 5): a project on disk, its settings, market and analysis.

Every face (app pages, CLI, report, batch run) reads a project's figures from here, so they
agree; every change to a project goes through :mod:`tradearea.project.commands`.
"""

from __future__ import annotations

from tradearea.project.analysis import (
    IRS_AFTER_LABEL,
    IRS_BEFORE_LABEL,
    ProjectAnalysis,
    SiteAnalysis,
    Unavailable,
)
from tradearea.project.candidates import (
    COMPARISON_FIGURES,
    candidate_inputs,
    candidates_table,
    compare_candidates,
    compare_project_candidates,
    evaluate_candidates,
)
from tradearea.project.commands import (
    place_candidate,
    put_candidate,
    remove_candidate,
    set_huff,
    set_layer,
    set_scenario,
    set_settings,
    set_taboo_ticks,
)
from tradearea.project.evaluation import (
    CANDIDATE_COLUMNS,
    CandidateEvaluation,
    evaluate_candidate,
    evaluation_of,
    with_rent,
    with_ticks,
)
from tradearea.project.market import (
    competitors,
    demand_zones,
    huff_parameters,
    layer_ids,
    market_stores,
    next_candidate_id,
    own_stores,
)
from tradearea.project.scenarios import (
    candidate_scenario,
    lease_template,
    pricing_format,
    scenario_template,
)
from tradearea.project.settings import ProjectSettings, load_settings
from tradearea.project.summary import project_summary
from tradearea.project.workspace import Project, open_project, save_project


def demo_candidate() -> dict[str, object]:
    """Return the demo project's candidate as keywords of :func:`evaluate_candidate`."""
    from tradearea.project.demo import DEMO_CANDIDATE  # the demo builds on this package

    site = DEMO_CANDIDATE

    return {
        "lat": site.lat,
        "lon": site.lon,
        "name": site.name,
        "format": site.format,
        "floor_area_m2": site.floor_area_m2,
        "candidate_id": site.site_id,
    }


__all__ = [
    "CANDIDATE_COLUMNS",
    "COMPARISON_FIGURES",
    "IRS_AFTER_LABEL",
    "IRS_BEFORE_LABEL",
    "CandidateEvaluation",
    "Project",
    "ProjectAnalysis",
    "ProjectSettings",
    "SiteAnalysis",
    "Unavailable",
    "candidate_inputs",
    "candidate_scenario",
    "candidates_table",
    "compare_candidates",
    "compare_project_candidates",
    "competitors",
    "demand_zones",
    "demo_candidate",
    "evaluate_candidate",
    "evaluate_candidates",
    "evaluation_of",
    "huff_parameters",
    "layer_ids",
    "lease_template",
    "load_settings",
    "market_stores",
    "next_candidate_id",
    "open_project",
    "own_stores",
    "place_candidate",
    "pricing_format",
    "project_summary",
    "put_candidate",
    "remove_candidate",
    "save_project",
    "scenario_template",
    "set_huff",
    "set_layer",
    "set_scenario",
    "set_settings",
    "set_taboo_ticks",
    "with_rent",
    "with_ticks",
]
