"""One customer, one ID: find duplicate CRM records, merge them with a log, link survey respondents."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import permutations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tradearea.crm._names import NICKNAMES

MATCH_FIELDS = ("name", "phone", "email", "address")
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_TITLES = (
    r"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mme|mlle|herr|frau|herra|rouva|neiti|jr|sr)\b\.?"
)
_CN_TITLES = r"(?:先生|女士|小姐|太太|夫人|老师|同学)"
_CONFLICT = 85.0
_EMAIL_CONFLICT = 15.0
_PHONE_CONFLICT = 5.0
_STREET_WORDS = {
    "street": "st",
    "str": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "square": "sq",
    "court": "ct",
    "apartment": "apt",
    "flat": "apt",
    "floor": "fl",
    "katu": "k",
    "tie": "t",
    "asunto": "as",
}


def _fold(values: pd.Series) -> pd.Series:
    s = values.fillna("").astype(str).str.normalize("NFKC")
    s = s.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
    return s.str.casefold()


def normalise_names(names: pd.Series, *, nicknames: bool = True) -> pd.Series:
    """Return a comparable key per name: no titles, accents or punctuation, nicknames expanded.

    Western names become their sorted tokens (``"Smith, Bob"`` and ``"Robert Smith"`` both give
    ``"robert smith"``); Chinese names lose spaces and titles (``"张先生"`` gives ``"张"``).

    Parameters
    ----------
    names : pandas.Series
        Names as typed.
    nicknames : bool
        Replace nicknames by the formal name (``bob`` -> ``robert``).

    Returns
    -------
    pandas.Series
        Keys; ``""`` where no name is given.
    """
    uniq = pd.Series(pd.unique(names.fillna("").astype(str).to_numpy()), dtype=object)
    s = _fold(uniq)
    s = s.str.replace(_TITLES, " ", regex=True).str.replace(_CN_TITLES, " ", regex=True)
    s = (
        s.str.replace(r"[^\w\s]|[\d_]", " ", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )
    cjk = s.str.contains(_CJK, regex=True).to_numpy(dtype=bool)
    nick = NICKNAMES if nicknames else {}
    keys = [
        v.replace(" ", "") if c else " ".join(sorted(nick.get(t, t) for t in v.split()))
        for v, c in zip(s.to_numpy(dtype=object), cjk, strict=True)
    ]
    lookup = pd.Series(keys, index=uniq.to_numpy(), dtype=object)
    return pd.Series(
        lookup.reindex(names.fillna("").astype(str).to_numpy()).to_numpy(),
        index=names.index,
        dtype=object,
    )


def normalise_phones(phones: pd.Series) -> pd.Series:
    """Return the last nine digits of each phone number (country code and trunk zero ignored).

    Parameters
    ----------
    phones : pandas.Series
        Phone numbers in any layout (``+358 40 123 4567``, ``040-1234567``).

    Returns
    -------
    pandas.Series
        Digit keys; ``""`` where fewer than seven digits are given.
    """
    digits = phones.fillna("").astype(str).str.normalize("NFKC").str.replace(r"\D", "", regex=True)
    key = digits.str[-9:]
    return key.where(digits.str.len() >= 7, "").astype(object)


def normalise_emails(emails: pd.Series) -> pd.Series:
    """Return lower-case e-mails without ``+tags`` (and without dots for Gmail).

    Parameters
    ----------
    emails : pandas.Series
        E-mail addresses.

    Returns
    -------
    pandas.Series
        Keys; ``""`` where no valid address is given.
    """
    s = (
        _fold(emails)
        .str.strip()
        .str.replace(r"^mailto:", "", regex=True)
        .str.replace(r"\s", "", regex=True)
    )
    parts = s.str.extract(r"^([^@]+)@([^@]+\.[^@]+)$")
    local = parts[0].str.replace(r"\+.*$", "", regex=True)
    domain = parts[1].replace({"googlemail.com": "gmail.com"})
    local = local.where(domain != "gmail.com", local.str.replace(".", "", regex=False))
    return (local + "@" + domain).fillna("").astype(object)


def normalise_addresses(addresses: pd.Series) -> pd.Series:
    """Return a comparable address key: folded case, no punctuation, common words abbreviated.

    Parameters
    ----------
    addresses : pandas.Series
        Street addresses.

    Returns
    -------
    pandas.Series
        Keys; ``""`` where no address is given.
    """
    s = _fold(addresses).str.replace(r"[^\w\s]|_", " ", regex=True)
    s = s.str.replace(r"(\d+)\s*([a-z])\b", r"\1 \2", regex=True)
    pattern = r"\b(" + "|".join(sorted(_STREET_WORDS, key=len, reverse=True)) + r")\b"
    s = s.str.replace(pattern, lambda m: _STREET_WORDS[m.group(1)], regex=True)
    s = s.str.replace(
        r"(\w{3,})(katu|tie)\b", lambda m: m.group(1) + _STREET_WORDS[m.group(2)], regex=True
    )
    return s.str.replace(r"\s+", " ", regex=True).str.strip().astype(object)


def match_keys(personal: pd.DataFrame, *, fields: Iterable[str] = MATCH_FIELDS) -> pd.DataFrame:
    """Return the normalised match keys of each record (only in memory).

    Parameters
    ----------
    personal : pandas.DataFrame
        ``customer_id`` and any of ``name, phone, email, address``.
    fields : iterable of str
        The personal fields the user allowed for matching.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, name, phone, email, address`` keys (``""`` when missing or not allowed),
        plus helper columns ``name_raw`` (nicknames kept), ``cjk``, ``email_bare`` (no digits)
        and ``numbers`` (house and flat numbers).
    """
    allowed = set(fields)
    empty = pd.Series("", index=personal.index, dtype=object)
    keys = pd.DataFrame(
        {"customer_id": personal["customer_id"].astype(str).to_numpy()}, index=personal.index
    )
    makers = {
        "name": normalise_names,
        "phone": normalise_phones,
        "email": normalise_emails,
        "address": normalise_addresses,
    }
    for name, make in makers.items():
        keys[name] = make(personal[name]) if name in allowed and name in personal else empty
    use_name = "name" in allowed and "name" in personal
    keys["name_raw"] = normalise_names(personal["name"], nicknames=False) if use_name else empty
    keys["cjk"] = keys["name"].str.contains(_CJK, regex=True).to_numpy(dtype=bool)
    keys["email_bare"] = keys["email"].str.replace(r"\d", "", regex=True)
    keys["numbers"] = keys["address"].str.findall(r"\d+").str.join("|") + "|"
    return keys.reset_index(drop=True)


def _blocking_keys(keys: pd.DataFrame) -> dict[str, np.ndarray]:
    number = keys["address"].str.extract(r"(\d+)")[0].fillna("")
    street = keys["address"].str.extract(r"([^\W\d]{3,})")[0].fillna("").str[:5]
    tokens = keys["name"].str.split(" ")
    initials = tokens.str[0].fillna("").str[:1] + tokens.str[-1].fillna("").str[:1]
    street_no = (street + "#" + number + "#" + initials).where((number != "") & (street != ""), "")
    first_tokens = tokens.str[0].fillna("").str[:3]
    last_tokens = tokens.str[-1].fillna("").str[:3]
    tail = keys["phone"].str[-4:]
    return {
        "phone": keys["phone"].to_numpy(dtype=object),
        "email": keys["email"].to_numpy(dtype=object),
        "address": keys["address"].where(keys["address"].str.len() >= 5, "").to_numpy(dtype=object),
        "street_no": street_no.to_numpy(dtype=object),
        "name_phone": (first_tokens + last_tokens + "#" + tail)
        .where(tail.str.len() == 4, "")
        .to_numpy(dtype=object),
    }


def _pairs_from_key(
    key: np.ndarray, order: np.ndarray, *, max_block: int, window: int
) -> np.ndarray:
    idx = np.flatnonzero(key != "")
    if len(idx) < 2:
        return np.empty((0, 2), dtype=np.int64)
    frame = pd.DataFrame({"k": key[idx], "o": order[idx], "i": idx}).sort_values(
        ["k", "o"], kind="stable"
    )
    rec = frame["i"].to_numpy()
    group = frame.groupby("k", sort=False).ngroup().to_numpy()
    sizes = np.bincount(group)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    out = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_block)]):
        members = starts[sizes == size][:, None] + np.arange(size)
        a, b = np.triu_indices(int(size), 1)
        out.append(np.column_stack((rec[members[:, a].ravel()], rec[members[:, b].ravel()])))
    big = sizes[group] > max_block
    for step in range(1, window + 1):
        p = np.flatnonzero(big[:-step] & (group[:-step] == group[step:]))
        out.append(np.column_stack((rec[p], rec[p + step])))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def candidate_pairs(keys: pd.DataFrame, *, max_block: int = 50, window: int = 5) -> np.ndarray:
    """Return record pairs worth comparing, by blocking on exact normalised keys.

    Blocks: phone, e-mail, address, street + house number + name initials, and name
    initials + last four phone digits. Records sharing only a name are never candidates (a name alone does not make a
    merge). Blocks larger than ``max_block`` (a big apartment block, a
    shared switchboard number) are compared only between neighbours in name order (``window``),
    so the work stays near-linear in the number of records.

    Parameters
    ----------
    keys : pandas.DataFrame
        From :func:`match_keys`.
    max_block : int
        Largest block compared pair by pair.
    window : int
        Neighbours compared inside larger blocks.

    Returns
    -------
    numpy.ndarray
        Unique pairs of row positions ``(i, j)`` with ``i < j``, shape (n, 2).
    """
    order = keys["name"].to_numpy(dtype=object)
    found = [
        _pairs_from_key(k, order, max_block=max_block, window=window)
        for k in _blocking_keys(keys).values()
    ]
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if not len(pairs):
        return pairs
    n = np.int64(len(keys))
    code = np.unique(pairs[:, 0].astype(np.int64) * n + pairs[:, 1])
    return np.column_stack((code // n, code % n))


def _similarity(a: np.ndarray, b: np.ndarray, scorer: object) -> np.ndarray:
    both = (a != "") & (b != "")
    out = np.full(len(a), np.nan)
    if both.any():
        out[both] = process.cpdist(list(a[both]), list(b[both]), scorer=scorer, workers=1)
    return out


def _numbers_conflict(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array(
        [
            x != "|" and y != "|" and not (x.startswith(y) or y.startswith(x))
            for x, y in zip(a, b, strict=True)
        ],
        dtype=bool,
    )


def _token_mean(a: str, b: str) -> float:
    if not a or not b:
        return np.nan
    if a.replace(" ", "") == b.replace(" ", ""):
        return 100.0
    ta, tb = a.split(), b.split()
    if len(ta) > len(tb):
        ta, tb = tb, ta
    ta, tb = ta[:4], tb[:5]
    grid = [[fuzz.ratio(t, u) for u in tb] for t in ta]
    mean = max(
        sum(grid[r][c] for r, c in enumerate(cols)) / len(ta)
        for cols in permutations(range(len(tb)), len(ta))
    )
    return 0.9 * mean if len(ta) < len(tb) else mean


def _name_similarity(a: np.ndarray, b: np.ndarray, cjk: np.ndarray) -> np.ndarray:
    sim = np.fmax(_similarity(a, b, fuzz.ratio), 0.9 * _similarity(a, b, fuzz.token_set_ratio))
    close = np.flatnonzero(np.nan_to_num(sim) >= 60)
    sim[close] = [_token_mean(x, y) for x, y in zip(a[close], b[close], strict=True)]
    for k in np.flatnonzero(cjk):
        short, long = sorted((a[k], b[k]), key=len)
        if short and long.startswith(short):
            sim[k] = max(sim[k], 90.0)
    return sim


def score_pairs(keys: pd.DataFrame, pairs: np.ndarray) -> pd.DataFrame:
    """Score candidate pairs from 0 to 100 from name, phone, e-mail and address similarity.

    Field similarities (rapidfuzz, 0-100, NaN when a side is missing): name = max(ratio of the
    sorted keys with and without nicknames expanded, 0.9 x token-set ratio, so "Zhang" vs "Zhang
    Wei" gives 90, as does a Chinese surname with a title vs the full name); phone = ratio of the
    digit keys; e-mail = 100 if equal, else 0.9 x ratio (at most 50 when the addresses differ
    only in digits, ``anna.k@`` vs ``anna.k71@``);
    address = token-set ratio, at most 50 when the house or flat numbers differ (a missing flat
    number is no conflict). Contact evidence =
    the best of phone, e-mail and 0.95 x address. Score = min(name, evidence) when both exist (a
    relative at the same address and phone stays below the name), 0.8 x name without contact
    evidence, 0.9 x evidence without names on both sides.

    Parameters
    ----------
    keys : pandas.DataFrame
        From :func:`match_keys`.
    pairs : numpy.ndarray
        Row position pairs from :func:`candidate_pairs`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id_a, customer_id_b, score, name_sim, phone_sim, email_sim, address_sim``,
        highest score first.
    """
    i, j = pairs[:, 0], pairs[:, 1]
    col = {
        c: keys[c].to_numpy(dtype=object)
        for c in (*MATCH_FIELDS, "name_raw", "email_bare", "numbers")
    }
    cjk = keys["cjk"].to_numpy(dtype=bool)
    cjk = cjk[i] & cjk[j]
    name = _name_similarity(col["name"][i], col["name"][j], cjk)
    name = np.fmax(name, _name_similarity(col["name_raw"][i], col["name_raw"][j], cjk))
    phone = _similarity(col["phone"][i], col["phone"][j], fuzz.ratio)
    ea, eb = col["email"][i], col["email"][j]
    email = 0.9 * _similarity(ea, eb, fuzz.ratio)
    same_bare = col["email_bare"][i] == col["email_bare"][j]
    email = np.where((ea != eb) & same_bare, np.fmin(email, 50.0), email)
    email = np.where((ea != "") & (ea == eb), 100.0, email)
    aa, ab = col["address"][i], col["address"][j]
    address = _similarity(aa, ab, fuzz.token_set_ratio)
    differ = _numbers_conflict(col["numbers"][i], col["numbers"][j])
    address = np.where(differ, np.fmin(address, 50.0), address)
    evidence = np.fmax(np.fmax(phone, email), 0.95 * address)
    has_name, has_evidence = ~np.isnan(name), ~np.isnan(evidence)
    score = np.select(
        [has_name & has_evidence, has_name, has_evidence],
        [np.fmin(name, evidence), 0.8 * name, 0.9 * evidence],
        default=0.0,
    )
    score -= np.where(email < _CONFLICT, _EMAIL_CONFLICT, 0.0) + np.where(
        phone < _CONFLICT, _PHONE_CONFLICT, 0.0
    )
    score = np.clip(score, 0.0, 100.0)
    ids = keys["customer_id"].to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "customer_id_a": ids[i],
            "customer_id_b": ids[j],
            "score": np.round(score, 1),
            "name_sim": name,
            "phone_sim": phone,
            "email_sim": email,
            "address_sim": address,
        }
    )
    return out.sort_values(
        ["score", "customer_id_a"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def find_duplicates(
    personal: pd.DataFrame,
    *,
    fields: Iterable[str] = MATCH_FIELDS,
    threshold: float = 85.0,
    min_score: float = 60.0,
    max_block: int = 50,
) -> pd.DataFrame:
    """Find records that are probably the same person and propose merges with a score.

    Parameters
    ----------
    personal : pandas.DataFrame
        ``customer_id`` and the personal columns allowed for matching.
    fields : iterable of str
        Which of ``name, phone, email, address`` to use.
    threshold : float
        Pairs scoring at least this are proposed for merging (``proposed`` column).
    min_score : float
        Pairs below this are not returned at all.
    max_block : int
        See :func:`candidate_pairs`.

    Returns
    -------
    pandas.DataFrame
        Scored pairs (no personal data, only ids and similarities), best first, with
        ``proposed`` (the pair scores at least ``threshold`` and its records end in one
        consistent group, see :func:`consistent_clusters`) and ``vetoed`` (it scores at least
        ``threshold`` but joining it would put two incompatible records in one group).
    """
    keys = match_keys(personal, fields=fields)
    pairs = candidate_pairs(keys, max_block=max_block)
    scored = score_pairs(keys, pairs)
    group = consistent_clusters(keys, scored, threshold=threshold)
    same = (
        group.reindex(scored["customer_id_a"]).to_numpy()
        == group.reindex(scored["customer_id_b"]).to_numpy()
    )
    strong = (scored["score"] >= threshold).to_numpy()
    scored["proposed"] = strong & same
    scored["vetoed"] = strong & ~same
    return scored[scored["score"] >= min_score].reset_index(drop=True)


def _compatible(keys: pd.DataFrame, left: list[int], right: list[int], threshold: float) -> bool:
    """Whether every record of ``left`` may be the same person as every record of ``right``."""
    pairs = np.array([(a, b) for a in left for b in right], dtype=np.int64)
    scored = score_pairs(keys, pairs)
    contact = scored[["phone_sim", "email_sim", "address_sim"]].to_numpy(dtype=float)
    name = scored["name_sim"].to_numpy(dtype=float)
    no_contact = np.isnan(contact).all(axis=1)
    names_agree = np.isnan(name) | (name >= threshold)
    email = keys.drop_duplicates("customer_id").set_index("customer_id")["email"]
    email_a = email.reindex(scored["customer_id_a"]).to_numpy(dtype=object)
    email_b = email.reindex(scored["customer_id_b"]).to_numpy(dtype=object)
    same_email = (email_a != "") & (email_a == email_b)
    same_id = (scored["customer_id_a"] == scored["customer_id_b"]).to_numpy()
    ok = (scored["score"].to_numpy() >= threshold) | (no_contact & names_agree)
    return bool((ok | same_email | same_id).all())


def consistent_clusters(
    keys: pd.DataFrame, scored: pd.DataFrame, *, threshold: float = 85.0
) -> pd.Series:
    """Group records into people so that every pair inside a group is compatible.

    Pairs scoring at least ``threshold`` are taken best first; two groups are joined only when
    every record of one is compatible with every record of the other: their pair scores at least
    ``threshold``; or they have no contact field to compare (one has only a phone, the other only
    an e-mail) and their names agree (name similarity at least ``threshold``) or one has no name;
    or an exact identifier links them (the same e-mail, the same customer id). So a weak record ("Mr Zhang" with a home phone)
    joins at most one of two relatives: the relatives' own low pair score (their given names
    conflict) vetoes the second join. Chaining through a third record never merges a pair that
    scored below the threshold.

    Parameters
    ----------
    keys : pandas.DataFrame
        From :func:`match_keys`.
    scored : pandas.DataFrame
        From :func:`score_pairs` (all candidate pairs, any score).
    threshold : float
        The merge threshold.

    Returns
    -------
    pandas.Series
        Group number per customer id (index), for the records in a group of two or more.
    """
    ids = keys["customer_id"].to_numpy(dtype=object)
    position = {cid: k for k, cid in enumerate(ids)}
    strong = scored[scored["score"] >= threshold]
    members: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    for a_id, b_id in zip(strong["customer_id_a"], strong["customer_id_b"], strict=True):
        a, b = position[a_id], position[b_id]
        ga, gb = owner.get(a, a), owner.get(b, b)
        if ga == gb:
            continue
        left, right = members.get(ga, [a]), members.get(gb, [b])
        if not _compatible(keys, left, right, threshold):
            continue
        members[ga] = left + right
        members.pop(gb, None)
        for k in members[ga]:
            owner[k] = ga
    return pd.Series(
        [owner[k] for k in owner], index=pd.Index([ids[k] for k in owner], name="customer_id")
    )
