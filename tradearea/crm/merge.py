"""Merge duplicate customer records into one id with a log, and link survey respondents to customers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tradearea.crm.dedup import MATCH_FIELDS, _fold, candidate_pairs, match_keys, score_pairs


def duplicate_groups(
    pairs: pd.DataFrame,
    *,
    accepted: pd.Series | np.ndarray | None = None,
    priority: pd.Series | None = None,
) -> pd.DataFrame:
    """Join accepted pairs into consistent groups of one person and pick each group's master id.

    Accepted pairs are taken best score first; two groups are joined only when no pair between
    them is in ``pairs`` without being accepted (a reviewer's rejection, or a pair below the
    threshold, vetoes the join). So a weak record accepted with two people who were kept apart
    joins only the better match, and no group holds a pair that was not accepted.

    Parameters
    ----------
    pairs : pandas.DataFrame
        From :func:`find_duplicates`.
    accepted : array of bool, optional
        Which pairs to merge (e.g. after review); default the ``proposed`` column.
    priority : pandas.Series, optional
        Per customer id (index), higher wins master (e.g. revenue); ties go to the smallest id.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, master_id, score, linked_to, link_score`` for every record in a group of
        two or more: ``score`` is the real score of the pair (record, master) (NaN for the master
        itself and for a pair with nothing to compare, never scored), ``linked_to`` the record
        whose accepted pair brought it into the group and ``link_score`` that pair's score.
    """
    columns = ["customer_id", "master_id", "score", "linked_to", "link_score"]
    take = (
        pairs["proposed"]
        if accepted is None
        else pd.Series(np.asarray(accepted, dtype=bool), index=pairs.index)
    ).to_numpy(dtype=bool)
    if not take.any():
        return pd.DataFrame({c: [] for c in columns})
    score_of = {
        frozenset((a, b)): float(s)
        for a, b, s in zip(
            pairs["customer_id_a"], pairs["customer_id_b"], pairs["score"], strict=True
        )
    }
    refused = {
        frozenset((a, b))
        for a, b in zip(
            pairs.loc[~take, "customer_id_a"], pairs.loc[~take, "customer_id_b"], strict=True
        )
    }
    chosen = pairs[take].sort_values("score", ascending=False, kind="stable")
    members: dict[object, list[object]] = {}
    owner: dict[object, object] = {}
    linked: dict[object, tuple[object, float]] = {}
    for a, b, s in zip(
        chosen["customer_id_a"], chosen["customer_id_b"], chosen["score"], strict=True
    ):
        ga, gb = owner.get(a, a), owner.get(b, b)
        if ga == gb:
            continue
        left, right = members.get(ga, [a]), members.get(gb, [b])
        if any(frozenset((x, y)) in refused for x in left for y in right):
            continue
        linked.setdefault(b, (a, float(s)))
        linked.setdefault(a, (b, float(s)))
        members[ga] = left + right
        members.pop(gb, None)
        for k in members[ga]:
            owner[k] = ga
    ids = pd.Index(list(owner))
    rank = (
        priority.reindex(ids).fillna(-np.inf).to_numpy()
        if priority is not None
        else np.zeros(len(ids))
    )
    table = pd.DataFrame(
        {"customer_id": ids, "group": [owner[k] for k in ids], "rank": rank}, index=range(len(ids))
    )
    table["group"] = pd.factorize(table["group"])[0]
    table = table.sort_values(["group", "rank", "customer_id"], ascending=[True, False, True])
    table["master_id"] = table.groupby("group")["customer_id"].transform("first")
    table["score"] = [
        np.nan if c == m else score_of.get(frozenset((c, m)), np.nan)
        for c, m in zip(table["customer_id"], table["master_id"], strict=True)
    ]
    table["linked_to"] = [linked[c][0] for c in table["customer_id"]]
    table["link_score"] = [linked[c][1] for c in table["customer_id"]]
    return table[columns].reset_index(drop=True)


def merge_log(groups: pd.DataFrame, *, decision: str = "auto") -> pd.DataFrame:
    """Return the merge log: which id was merged into which master, with score and decision.

    Parameters
    ----------
    groups : pandas.DataFrame
        From :func:`duplicate_groups`.
    decision : str
        ``auto`` (threshold) or ``reviewed`` (a person accepted the pairs).

    Returns
    -------
    pandas.DataFrame
        ``merged_id, master_id, score, linked_to, link_score, decision, merged_at`` (ids only, no
        personal data): ``score`` is the real score of the pair (merged, master), NaN when the
        two records had nothing to compare; ``linked_to`` and ``link_score`` name the pair that
        brought the record into the group.
    """
    moved = groups[groups["customer_id"] != groups["master_id"]]
    n = len(moved)
    return pd.DataFrame(
        {
            "merged_id": moved["customer_id"].to_numpy(),
            "master_id": moved["master_id"].to_numpy(),
            "score": moved["score"].to_numpy(),
            "linked_to": moved["linked_to"].to_numpy() if "linked_to" in moved else [None] * n,
            "link_score": moved["link_score"].to_numpy() if "link_score" in moved else [np.nan] * n,
            "decision": decision,
            "merged_at": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        }
    )


def remap_customer_ids(frame: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with merged customer ids replaced by their master id.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table with ``customer_id`` (transactions, personal columns).
    groups : pandas.DataFrame
        From :func:`duplicate_groups`.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    out = frame.copy()
    if groups.empty:
        return out
    master = groups.set_index("customer_id")["master_id"]
    mapped = out["customer_id"].map(master)
    out["customer_id"] = mapped.where(mapped.notna(), out["customer_id"])
    return out


def merge_customers(customers: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Merge one-row-per-customer records of the same person into the master record.

    Orders, revenue, revenue windows and costs add up; the first purchase is the earliest, the
    last purchase the latest; location and home store come from the master record when given.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer id.
    groups : pandas.DataFrame
        From :func:`duplicate_groups`.

    Returns
    -------
    pandas.DataFrame
        One row per master id.
    """
    if groups.empty:
        return customers.copy()
    out = remap_customer_ids(customers, groups)
    out["_master"] = customers["customer_id"].to_numpy() == out["customer_id"].to_numpy()
    out = out.sort_values("_master", ascending=False, kind="stable")
    rules = {
        "first_purchase": "min",
        "last_purchase": "max",
        "orders": "sum",
        "revenue": "sum",
        "recent_revenue": "sum",
        "prior_revenue": "sum",
        "acquisition_cost": "sum",
        "service_cost": "sum",
        "risk_cost": "sum",
    }
    named = {
        c: (c, rules.get(c, "first")) for c in out.columns if c not in {"customer_id", "_master"}
    }
    merged = out.groupby("customer_id", sort=False).agg(**named).reset_index()
    order = pd.Index(customers["customer_id"]).get_indexer(merged["customer_id"])
    return merged.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _member_key(values: pd.Series) -> pd.Series:
    s = _fold(values).str.replace(r"[\s\-_.]", "", regex=True)
    s = s.str.replace(r"^([^\W\d]*)0+(?=\d)", r"\1", regex=True)
    return s.astype(object)


def link_respondents(
    respondents: pd.DataFrame,
    personal: pd.DataFrame,
    *,
    respondent_col: str = "respondent_id",
    member_col: str = "member_id",
    allow_contact: bool = False,
    fields: Iterable[str] = MATCH_FIELDS,
    threshold: float = 90.0,
) -> pd.DataFrame:
    """Link survey respondents to CRM customers by member id, or by contact details if allowed.

    Parameters
    ----------
    respondents : pandas.DataFrame
        Survey rows: ``respondent_id``, optionally ``member_id`` and contact columns.
    personal : pandas.DataFrame
        CRM ``customer_id`` and the contact columns allowed for matching.
    respondent_col, member_col : str
        Column names in ``respondents``.
    allow_contact : bool
        Also match respondents without a member-id match on name, phone, e-mail, address.
    fields : iterable of str
        Contact fields allowed for matching.
    threshold : float
        Minimum score for a contact match.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id, customer_id, method (member_id | contact), score``, one row per linked
        respondent.
    """
    links = []
    crm_ids = personal["customer_id"].astype(str)
    if member_col in respondents:
        crm = pd.DataFrame(
            {"customer_id": crm_ids.to_numpy(), "key": _member_key(crm_ids).to_numpy()}
        )
        crm = crm[crm["key"] != ""].drop_duplicates("key")
        resp = pd.DataFrame(
            {
                "respondent_id": respondents[respondent_col].to_numpy(),
                "key": _member_key(respondents[member_col]).to_numpy(),
            }
        )
        hit = resp[resp["key"] != ""].merge(crm, on="key")
        links.append(
            hit.assign(method="member_id", score=100.0)[
                ["respondent_id", "customer_id", "method", "score"]
            ]
        )
    done = set(links[0]["respondent_id"]) if links else set()
    if allow_contact:
        rest = respondents[~respondents[respondent_col].isin(done)].reset_index(drop=True)
        contact = [c for c in MATCH_FIELDS if c in rest]
        left = rest[contact].assign(customer_id=[f"R{i}" for i in range(len(rest))])
        both = pd.concat([left, personal.assign(customer_id="C" + crm_ids)], ignore_index=True)
        keys = match_keys(both, fields=fields)
        pairs = candidate_pairs(keys)
        side = keys["customer_id"].str.startswith("R").to_numpy()
        pairs = pairs[side[pairs[:, 0]] != side[pairs[:, 1]]] if len(pairs) else pairs
        scored = score_pairs(keys, pairs)
        scored = scored[scored["score"] >= threshold]
        a_is_resp = scored["customer_id_a"].str.startswith("R")
        resp = scored["customer_id_a"].where(a_is_resp, scored["customer_id_b"]).str[1:].astype(int)
        cust = scored["customer_id_b"].where(a_is_resp, scored["customer_id_a"]).str[1:]
        found = pd.DataFrame(
            {
                "respondent_id": rest[respondent_col].to_numpy()[resp.to_numpy()],
                "customer_id": cust.to_numpy(),
                "method": "contact",
                "score": scored["score"].to_numpy(),
            }
        ).drop_duplicates("respondent_id")
        links.append(found)
    if not links:
        return pd.DataFrame({"respondent_id": [], "customer_id": [], "method": [], "score": []})
    return pd.concat(links, ignore_index=True)
