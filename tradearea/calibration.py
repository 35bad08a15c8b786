"""Calibrate the Huff model's α and β from a customer survey (MCI regression, maximum likelihood)."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from tradearea.distance import great_circle_m
from tradearea.errors import InputError
from tradearea.huff import DEFAULT_ALPHA, DEFAULT_BETA, MIN_DISTANCE_M

ChoiceSet = Literal["all", "named"]
COMPETITOR_SLOTS = (
    ("competitor_1", "competitor_1_visits_per_month"),
    ("competitor_2", "competitor_2_visits_per_month"),
)


@dataclass
class Calibration:
    """Fitted Huff parameters with their standard errors and fit statistics.

    Attributes
    ----------
    method : str
        ``mci`` (log-centering regression) or ``ml`` (maximum likelihood).
    alpha, beta : float
        Attractiveness and distance-decay exponents.
    se_alpha, se_beta : float
        Standard errors (MCI: OLS; ML: inverse Hessian of the visit-weighted likelihood).
    se_alpha_robust, se_beta_robust : float
        ML only: sandwich errors clustered by respondent (visits of one person are not
        independent trips); NaN for MCI.
    n_respondents : int
        Respondents used.
    n_observations : int
        Respondent-store pairs used.
    n_visits : float
        Visits used (ML weights).
    log_likelihood, log_likelihood_null : float
        Visit-weighted multinomial log-likelihood at the estimates and at α = β = 0, over the
        same choice sets (so both methods can be compared).
    pseudo_r2 : float
        McFadden's 1 − LL / LL0.
    r2 : float
        MCI only: R² of the log-centred regression; NaN for ML.
    choice_set : str
        ``all`` (every store, unvisited ones with 0 visits) or ``named`` (the stores listed for
        the respondent in the choices table). MCI always uses the stores with visits > 0
        (log 0 is undefined).
    dropped : int
        Respondents without usable data (no coordinates, or fewer than two stores in the choice
        set).
    converged : bool
        Whether the optimiser converged (always True for MCI).
    notes : list of str
        What was dropped or assumed.
    """

    method: str
    alpha: float
    beta: float
    se_alpha: float
    se_beta: float
    n_respondents: int
    n_observations: int
    n_visits: float
    log_likelihood: float
    log_likelihood_null: float
    pseudo_r2: float
    choice_set: str
    r2: float = float("nan")
    se_alpha_robust: float = float("nan")
    se_beta_robust: float = float("nan")
    dropped: int = 0
    converged: bool = True
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (for JSON; NaN becomes None)."""
        return {
            k: (None if isinstance(v, float) and not np.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def _norm(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return " ".join(t.replace("-", " ").split())


def survey_choices(
    survey: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    own_store_id: str | None = None,
    coords: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Turn an intercept survey into visits per respondent and store.

    The surveyed (own) store gets ``visits_per_month``; ``competitor_1`` / ``competitor_2`` are
    matched to store names (case, accents and spacing ignored) with their visits per month.

    Parameters
    ----------
    survey : pandas.DataFrame
        respondent_id, visits_per_month, competitor columns, and lat, lon (geocoded) unless
        ``coords`` is given.
    stores : pandas.DataFrame
        store_id, name (and ``role`` = 'own' for the surveyed store if ``own_store_id`` is None).
    own_store_id : str, optional
        The store where the survey was taken.
    coords : pandas.DataFrame, optional
        respondent_id, lat, lon (e.g. ``surveys/demo_survey_truth.csv``) joined to the survey.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        Long table respondent_id, store_id, visits, lat, lon; and a report (respondents,
        without_coordinates, unmatched_names, mentions_without_visits).
    """
    for col in ("respondent_id", "visits_per_month"):
        if col not in survey.columns:
            raise InputError(f"survey: required column {col!r} is missing", column=col)
    own = _own_store(stores, own_store_id)
    frame = survey.copy()
    frame["respondent_id"] = frame["respondent_id"].astype(str)
    if coords is not None:
        c = coords[["respondent_id", "lat", "lon"]].assign(
            respondent_id=lambda d: d["respondent_id"].astype(str)
        )
        frame = frame.drop(columns=[k for k in ("lat", "lon") if k in frame.columns]).merge(
            c, on="respondent_id", how="left"
        )
    if "lat" not in frame.columns or "lon" not in frame.columns:
        msg = "survey has no lat/lon: geocode it first (tradearea geocode) or give coordinates"
        raise InputError(msg, column="lat")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    located = lat.notna() & lon.notna()
    names = {
        _norm(n): str(s)
        for s, n in zip(stores["store_id"], stores.get("name", stores["store_id"]), strict=True)
    }
    rows: list[tuple[str, str, float, float, float]] = []
    unmatched: dict[str, int] = {}
    no_visits = 0
    for i in np.flatnonzero(located.to_numpy()):
        rec = frame.iloc[i]
        rid, la, lo = rec["respondent_id"], float(lat.iloc[i]), float(lon.iloc[i])
        v = pd.to_numeric(pd.Series([rec["visits_per_month"]]), errors="coerce").iloc[0]
        if pd.notna(v) and v > 0:
            rows.append((rid, own, float(v), la, lo))
        for name_col, visit_col in COMPETITOR_SLOTS:
            name = rec.get(name_col)
            if not isinstance(name, str) or not name.strip():
                continue
            sid = names.get(_norm(name))
            if sid is None:
                unmatched[name] = unmatched.get(name, 0) + 1
                continue
            cv = pd.to_numeric(pd.Series([rec.get(visit_col)]), errors="coerce").iloc[0]
            if pd.isna(cv) or cv <= 0:
                no_visits += 1
                continue
            rows.append((rid, sid, float(cv), la, lo))
    choices = pd.DataFrame(rows, columns=["respondent_id", "store_id", "visits", "lat", "lon"])
    choices = choices.groupby(["respondent_id", "store_id"], as_index=False, sort=False).agg(
        visits=("visits", "sum"), lat=("lat", "first"), lon=("lon", "first")
    )
    report = {
        "respondents": len(frame),
        "without_coordinates": int((~located).sum()),
        "unmatched_names": unmatched,
        "mentions_without_visits": no_visits,
        "own_store_id": own,
    }
    return choices, report


def _own_store(stores: pd.DataFrame, own_store_id: str | None) -> str:
    ids = stores["store_id"].astype(str)
    if own_store_id is not None:
        if str(own_store_id) not in set(ids):
            raise InputError(
                f"own store {own_store_id!r} is not among the stores", column="store_id"
            )
        return str(own_store_id)
    if "role" in stores.columns:
        own = ids[stores["role"].astype(str) == "own"]
        if len(own) == 1:
            return str(own.iloc[0])
    msg = "say which store the survey was taken at (own store id, or one store with role 'own')"
    raise InputError(msg, column="role")


def _design(
    choices: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    attractiveness: str,
    choice_set: ChoiceSet,
    costs: Any,
    min_cost: float | None,
) -> dict[str, Any]:
    store_ids = stores["store_id"].astype(str).to_numpy()
    attr = pd.to_numeric(stores[attractiveness], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(attr) & (attr > 0)):
        i = int(np.flatnonzero(~(np.isfinite(attr) & (attr > 0)))[0])
        raise InputError(
            "attractiveness must be a number above 0", row=i + 1, column=attractiveness
        )
    resp = pd.Index(pd.unique(choices["respondent_id"].astype(str)))
    r = resp.get_indexer(choices["respondent_id"].astype(str))
    s = pd.Index(store_ids).get_indexer(choices["store_id"].astype(str))
    if (s < 0).any():
        bad = choices["store_id"].iloc[int(np.flatnonzero(s < 0)[0])]
        raise InputError(f"store {bad!r} in the survey is not among the stores", column="store_id")
    visits = np.zeros((len(resp), len(store_ids)))
    np.add.at(visits, (r, s), choices["visits"].to_numpy(dtype=float))
    named = np.zeros(visits.shape, dtype=bool)
    named[r, s] = True
    first = (
        choices.groupby(choices["respondent_id"].astype(str), sort=False)[["lat", "lon"]]
        .first()
        .loc[resp]
    )
    if costs is None:
        d = great_circle_m(
            first["lat"].to_numpy()[:, None], first["lon"].to_numpy()[:, None],
            stores["lat"].to_numpy(float)[None, :], stores["lon"].to_numpy(float)[None, :],
        )  # fmt: skip
        guard = MIN_DISTANCE_M if min_cost is None else float(min_cost)
    else:
        d = np.asarray(costs[slice(None)], dtype=float)
        positive = d[(d > 0) & np.isfinite(d)]
        guard = (
            float(min_cost)
            if min_cost is not None
            else (float(positive.min()) / 2 if positive.size else 1.0)
        )
    d = np.maximum(d, guard)
    if choice_set not in ("all", "named"):
        msg = f"choice_set must be 'all' or 'named', not {choice_set!r}"
        raise ValueError(msg)
    mask = np.isfinite(d) & (named if choice_set == "named" else True)
    return {
        "respondents": resp,
        "visits": visits,
        "log_a": np.log(attr),
        "log_d": np.log(np.where(np.isfinite(d), d, 1.0)),
        "mask": np.broadcast_to(mask, visits.shape).copy(),
    }


def _loglik(
    theta: np.ndarray, x: dict[str, Any]
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Visit-weighted log-likelihood, gradient, Hessian and per-respondent scores."""
    alpha, beta = theta
    m = x["mask"]
    u = np.where(m, alpha * x["log_a"][None, :] - beta * x["log_d"], -np.inf)
    top = u.max(axis=1, keepdims=True)
    w = np.exp(u - top)
    total = w.sum(axis=1, keepdims=True)
    p = w / total
    logp = np.where(m, u - top - np.log(total), 0.0)
    v = x["visits"] * m
    vi = v.sum(axis=1)
    x1 = np.broadcast_to(x["log_a"][None, :], u.shape)
    x2 = -x["log_d"]
    feats = (np.where(m, x1, 0.0), np.where(m, x2, 0.0))
    mean = [(p * f).sum(axis=1) for f in feats]
    scores = np.column_stack(
        [(v * f).sum(axis=1) - vi * mu for f, mu in zip(feats, mean, strict=True)]
    )
    hess = np.empty((2, 2))
    for a in range(2):
        for b in range(2):
            cov = (p * feats[a] * feats[b]).sum(axis=1) - mean[a] * mean[b]
            hess[a, b] = -(vi * cov).sum()
    return float((v * logp).sum()), scores.sum(axis=0), hess, scores


def _usable(x: dict[str, Any]) -> np.ndarray:
    return (x["mask"].sum(axis=1) >= 2) & ((x["visits"] * x["mask"]).sum(axis=1) > 0)


def _subset(x: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    return {
        k: (v[keep] if k in ("visits", "log_d", "mask") else v)
        for k, v in x.items()
        if k != "respondents"
    }


def calibrate_ml(
    choices: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    attractiveness: str = "floor_area_m2",
    choice_set: ChoiceSet = "all",
    costs: Any = None,
    min_cost: float | None = None,
    start: tuple[float, float] = (DEFAULT_ALPHA, DEFAULT_BETA),
) -> Calibration:
    """Fit α and β by maximising the visit-weighted multinomial log-likelihood.

    LL(α, β) = Σ_i Σ_j v_ij · log P_ij(α, β), P over respondent i's choice set. The likelihood is
    concave; scipy's trust-region Newton method with the exact gradient and Hessian finds the
    maximum, and standard errors come from the inverse of the negative Hessian.

    Parameters
    ----------
    choices : pandas.DataFrame
        respondent_id, store_id, visits, lat, lon (from :func:`survey_choices`).
    stores : pandas.DataFrame
        store_id, lat, lon and the attractiveness column.
    attractiveness : str
        Store column used as attractiveness.
    choice_set : {'all', 'named'}
        Every store (unvisited ones count as 0 visits) or only the stores listed for the
        respondent in ``choices`` (the ones the respondent uses).
    costs : numpy.ndarray or NetworkCosts, optional
        Respondents (in order of first appearance) x stores; None for straight-line metres.
    min_cost : float, optional
        Guard against zero cost (default 50 m for straight lines).
    start : tuple of float
        Starting values.

    Returns
    -------
    Calibration
        The estimates and fit statistics.
    """
    x = _design(
        choices,
        stores,
        attractiveness=attractiveness,
        choice_set=choice_set,
        costs=costs,
        min_cost=min_cost,
    )
    keep = _usable(x)
    data = _subset(x, keep)
    if keep.sum() < 3:
        msg = "too few respondents with at least two stores to choose from to calibrate"
        raise InputError(msg)

    scale = float((data["visits"] * data["mask"]).sum())  # per-visit objective: gtol is relative

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad, _, _ = _loglik(theta, data)
        return -ll / scale, -grad / scale

    res = minimize(
        objective, np.asarray(start, dtype=float), jac=True, method="trust-exact",
        hess=lambda t: -_loglik(t, data)[2] / scale, options={"gtol": 1e-9, "maxiter": 200},
    )  # fmt: skip
    ll, _, hess, scores = _loglik(res.x, data)
    cov = np.linalg.inv(-hess)
    robust = cov @ (scores.T @ scores) @ cov
    ll0 = _loglik(np.zeros(2), data)[0]
    return Calibration(
        method="ml",
        alpha=float(res.x[0]),
        beta=float(res.x[1]),
        se_alpha=float(np.sqrt(cov[0, 0])),
        se_beta=float(np.sqrt(cov[1, 1])),
        se_alpha_robust=float(np.sqrt(robust[0, 0])),
        se_beta_robust=float(np.sqrt(robust[1, 1])),
        n_respondents=int(keep.sum()),
        n_observations=int(data["mask"].sum()),
        n_visits=float((data["visits"] * data["mask"]).sum()),
        log_likelihood=ll,
        log_likelihood_null=ll0,
        pseudo_r2=1.0 - ll / ll0 if ll0 < 0 else float("nan"),
        choice_set=choice_set,
        dropped=int((~keep).sum()),
        converged=bool(res.success),
        notes=_notes(x, keep),
    )


def calibrate_mci(
    choices: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    attractiveness: str = "floor_area_m2",
    costs: Any = None,
    min_cost: float | None = None,
) -> Calibration:
    """Fit α and β by the MCI log-centering regression (Nakanishi and Cooper 1974).

    For each respondent i and store j the respondent uses (visits > 0), with s_ij the share of
    visits: log(s_ij / s̃_i) = α · log(A_j / Ã_i) − β · log(d_ij / d̃_i) + ε_ij, where ~ is the
    geometric mean over i's stores. OLS without intercept; standard errors with n − groups − 2
    degrees of freedom (centring uses one per respondent).

    Parameters
    ----------
    choices : pandas.DataFrame
        respondent_id, store_id, visits, lat, lon.
    stores : pandas.DataFrame
        store_id, lat, lon and the attractiveness column.
    attractiveness : str
        Store column used as attractiveness.
    costs : numpy.ndarray or NetworkCosts, optional
        Respondents x stores; None for straight-line metres.
    min_cost : float, optional
        Guard against zero cost.

    Returns
    -------
    Calibration
        The estimates, R², and the multinomial log-likelihood at them (named choice sets).
    """
    x = _design(
        choices,
        stores,
        attractiveness=attractiveness,
        choice_set="named",
        costs=costs,
        min_cost=min_cost,
    )
    x["mask"] &= x["visits"] > 0
    keep = _usable(x)
    data = _subset(x, keep)
    m = data["mask"]
    if keep.sum() < 3:
        msg = "too few respondents using at least two stores to calibrate by MCI"
        raise InputError(msg)
    with np.errstate(divide="ignore"):
        log_s = np.where(
            m, np.log(data["visits"] / (data["visits"] * m).sum(axis=1, keepdims=True)), 0.0
        )
    cols = [np.broadcast_to(data["log_a"][None, :], m.shape), data["log_d"]]

    def centred(values: np.ndarray) -> np.ndarray:
        mean = np.where(m, values, 0.0).sum(axis=1, keepdims=True) / m.sum(axis=1, keepdims=True)
        return (values - mean)[m]

    y = centred(log_s)
    design = np.column_stack([centred(c) for c in cols])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    dof = max(len(y) - int(keep.sum()) - 2, 1)
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    theta = np.array([coef[0], -coef[1]])
    ll = _loglik(theta, data)[0]
    ll0 = _loglik(np.zeros(2), data)[0]
    tss = float(y @ y)
    return Calibration(
        method="mci",
        alpha=float(theta[0]),
        beta=float(theta[1]),
        se_alpha=float(np.sqrt(cov[0, 0])),
        se_beta=float(np.sqrt(cov[1, 1])),
        n_respondents=int(keep.sum()),
        n_observations=len(y),
        n_visits=float((data["visits"] * m).sum()),
        log_likelihood=ll,
        log_likelihood_null=ll0,
        pseudo_r2=1.0 - ll / ll0 if ll0 < 0 else float("nan"),
        r2=1.0 - float(resid @ resid) / tss if tss > 0 else float("nan"),
        choice_set="named",
        dropped=int((~keep).sum()),
        notes=_notes(x, keep),
    )


def _notes(x: dict[str, Any], keep: np.ndarray) -> list[str]:
    notes = []
    if (~keep).any():
        notes.append(
            f"{int((~keep).sum())} respondent(s) with fewer than two stores in their choice set left out"
        )
    return notes


def calibrate(
    choices: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    method: Literal["ml", "mci"] = "ml",
    **options: Any,
) -> Calibration:
    """Fit α and β by ``ml`` (:func:`calibrate_ml`) or ``mci`` (:func:`calibrate_mci`).

    Parameters
    ----------
    choices, stores : pandas.DataFrame
        See :func:`calibrate_ml`.
    method : {'ml', 'mci'}
        Estimation method.
    **options
        Passed on (attractiveness, costs, min_cost, and choice_set for ML).

    Returns
    -------
    Calibration
        The estimates.
    """
    if method == "ml":
        return calibrate_ml(choices, stores, **options)
    if method == "mci":
        options.pop("choice_set", None)
        return calibrate_mci(choices, stores, **options)
    msg = f"method must be 'ml' or 'mci', not {method!r}"
    raise ValueError(msg)


def huff_parameters(
    fit: Calibration | None,
    *,
    alpha: float | None = None,
    beta: float | None = None,
) -> tuple[float, float, str]:
    """Return the α, β to use: explicit values, else the survey fit, else the defaults.

    Parameters
    ----------
    fit : Calibration or None
        A calibration from the loaded survey.
    alpha, beta : float, optional
        Values the user set explicitly.

    Returns
    -------
    tuple of (float, float, str)
        α, β and where they come from (``user``, ``survey_ml``, ``survey_mci`` or ``default``).
    """
    if alpha is not None and beta is not None:
        return float(alpha), float(beta), "user"
    if fit is not None and np.isfinite(fit.alpha) and np.isfinite(fit.beta):
        return (
            float(alpha if alpha is not None else fit.alpha),
            float(beta if beta is not None else fit.beta),
            f"survey_{fit.method}",
        )
    return (
        float(DEFAULT_ALPHA if alpha is None else alpha),
        float(DEFAULT_BETA if beta is None else beta),
        "default",
    )
