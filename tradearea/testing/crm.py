"""Seeded synthetic CRM data: people with known duplicates, and transaction tables, for tests and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradearea.crm._names import NICKNAMES

FIRST_NAMES = (
    "anna",
    "maria",
    "liisa",
    "sanna",
    "laura",
    "johanna",
    "katariina",
    "kristiina",
    "elizabeth",
    "margaret",
    "susan",
    "jennifer",
    "patricia",
    "rebecca",
    "victoria",
    "mikael",
    "matti",
    "timo",
    "johannes",
    "aleksanteri",
    "jukka",
    "antti",
    "ville",
    "juho",
    "robert",
    "william",
    "michael",
    "richard",
    "thomas",
    "james",
    "david",
    "joseph",
    "daniel",
    "christopher",
    "samuel",
    "peter",
    "emilia",
    "aino",
    "helmi",
    "olivia",
    "eino",
    "leo",
    "oliver",
    "elias",
    "onni",
    "veeti",
    "ilona",
)
LAST_NAMES = (
    "korhonen",
    "virtanen",
    "makinen",
    "nieminen",
    "makela",
    "hamalainen",
    "laine",
    "heikkinen",
    "koskinen",
    "jarvinen",
    "lehtonen",
    "lehtinen",
    "saarinen",
    "salminen",
    "heinonen",
    "niemi",
    "heikkila",
    "kinnunen",
    "salonen",
    "turunen",
    "salo",
    "laitinen",
    "tuominen",
    "rantanen",
    "karjalainen",
    "jokinen",
    "mattila",
    "savolainen",
    "lahtinen",
    "ahonen",
    "smith",
    "johnson",
    "brown",
    "taylor",
    "anderson",
    "wilson",
    "martin",
    "thompson",
    "white",
    "harris",
    "clark",
    "lewis",
    "walker",
    "hall",
    "young",
    "allen",
    "wright",
    "scott",
    "green",
    "baker",
    "adams",
)
CN_NAMES = (
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄勇",
    "周杰",
    "吴霞",
    "徐涛",
    "孙丽",
)
STREETS = (
    "Mannerheimintie",
    "Aleksanterinkatu",
    "Fredrikinkatu",
    "Bulevardi",
    "Annankatu",
    "Lonnrotinkatu",
    "Eerikinkatu",
    "Kalevankatu",
    "Uudenmaankatu",
    "Iso Roobertinkatu",
    "Yrjonkatu",
    "Runeberginkatu",
    "Topeliuksenkatu",
    "Hameentie",
    "Sturenkatu",
    "Kaisaniemenkatu",
)
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.fi", "elisanet.fi", "kolumbus.fi")
_SHORT = {}
for _nick, _formal in NICKNAMES.items():
    _SHORT.setdefault(_formal, []).append(_nick)


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = int(rng.integers(1, len(word) - 1))
    kind = rng.integers(0, 4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    letter = "aeiouklmnrst"[int(rng.integers(0, 12))]
    return word[:i] + letter + word[i + 1 :]


def _phone_layout(digits: str, rng: np.random.Generator) -> str:
    body = digits[1:]
    layouts = (
        f"0{body}",
        f"+358 {body[:2]} {body[2:5]} {body[5:]}",
        f"0{body[:2]}-{body[2:]}",
        f"(0{body[:2]}) {body[2:5]} {body[5:]}",
        f"00358{body}",
        f"0{body[:2]} {body[2:5]} {body[5:]}",
    )
    return layouts[int(rng.integers(0, len(layouts)))]


def _person(
    rng: np.random.Generator,
    *,
    chinese: bool,
    last: str | None = None,
    street: str | None = None,
    phone: str | None = None,
) -> dict[str, str]:
    first = str(rng.choice(FIRST_NAMES))
    last = last or str(rng.choice(LAST_NAMES))
    if chinese:
        name = str(rng.choice(CN_NAMES)) + str(rng.choice(list("明华强军平丽红玲")))
        email_local = f"user{int(rng.integers(10_000, 99_999))}"
    else:
        name = f"{first.title()} {last.title()}"
        email_local = f"{first}.{last}{int(rng.integers(0, 100)) if rng.random() < 0.4 else ''}"
    return {
        "name": name,
        "phone": phone or "04" + "".join(str(d) for d in rng.integers(0, 10, 8)),
        "email": f"{email_local}@{rng.choice(DOMAINS)}",
        "address": street
        or f"{rng.choice(STREETS)} {int(rng.integers(1, 80))} {'ABC'[int(rng.integers(0, 3))]} "
        f"{int(rng.integers(1, 40))}",
    }


def _perturb_name(name: str, rng: np.random.Generator) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        choice = rng.integers(0, 3)
        return [name[0] + " " + name[1:], name[0] + "先生", name + " "][int(choice)]
    first, last = name.split(" ", 1)
    kind = int(rng.integers(0, 6))
    if kind == 0:
        first = _typo(first.lower(), rng).title()
    elif kind == 1:
        last = _typo(last.lower(), rng).title()
    elif kind == 2 and first.lower() in _SHORT:
        first = str(rng.choice(_SHORT[first.lower()])).title()
    elif kind == 3:
        return f"{last}, {first}"
    elif kind == 4:
        return f"{'Mr' if rng.random() < 0.5 else 'Ms'} {first} {last}".upper()
    return f"{first} {last}"


def _perturb_address(address: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return address.replace("katu", "k.").replace("tie", "t.")
    if kind == 1:
        return " ".join(address.split(" ")[:-2])
    if kind == 2:
        return address.upper()
    return address.replace(" ", "  ")


def synthetic_people(
    n_people: int,
    *,
    duplicate_share: float = 0.1,
    family_share: float = 0.1,
    chinese_share: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Return CRM contact records of fictional people with known duplicates and hard non-duplicates.

    Duplicates have a typo, a nickname, a reordered or upper-case name with a title, a phone in
    another layout, an e-mail in other case, an abbreviated or shortened address, and missing
    fields; each keeps at least one contact detail of the original. Families share a surname,
    an address and often a phone but are different people.

    Parameters
    ----------
    n_people : int
        Distinct people.
    duplicate_share : float
        Share of people with one or two extra records.
    family_share : float
        Share of people who get a relative at the same address.
    chinese_share : float
        Share of people with Chinese names.
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, person_id, name, phone, email, address`` (``person_id`` is the truth).
    """
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    taken: set[str] = set()

    def add(person: dict, pid: int) -> None:
        local, domain = person["email"].split("@")
        while person["email"] in taken:
            person["email"] = f"{local}{int(rng.integers(1, 1000))}@{domain}"
        taken.add(person["email"])
        rows.append({"person_id": pid, **person})

    for pid in range(n_people):
        add(_person(rng, chinese=rng.random() < chinese_share), pid)
    for pid in np.flatnonzero(rng.random(n_people) < family_share):
        base = rows[pid]
        last = base["name"].split(" ")[-1].lower() if " " in base["name"] else None
        phone = base["phone"] if rng.random() < 0.5 else None
        rel = _person(rng, chinese=last is None, last=last, street=base["address"], phone=phone)
        if rel["name"].split(" ")[0] == base["name"].split(" ")[0]:
            continue
        add(rel, len(rows) + n_people * 10)
    originals = list(rows)
    for base in originals:
        if rng.random() >= duplicate_share:
            continue
        for _ in range(1 + int(rng.random() < 0.3)):
            dup = dict(base)
            dup["name"] = _perturb_name(base["name"], rng)
            dup["phone"] = _phone_layout(base["phone"], rng)
            dup["email"] = base["email"].upper() if rng.random() < 0.3 else base["email"]
            dup["address"] = _perturb_address(base["address"], rng)
            drop = [f for f in ("phone", "email", "address") if rng.random() < 0.3]
            if len(drop) == 3:
                drop = drop[:2]
            for f in drop:
                dup[f] = None
            rows.append(dup)
    order = rng.permutation(len(rows))
    table = pd.DataFrame([rows[i] for i in order])
    table.insert(0, "customer_id", [f"C{i:07d}" for i in range(len(table))])
    return table


def synthetic_transactions(
    n_customers: int,
    n_transactions: int,
    *,
    n_stores: int = 10,
    start: str = "2022-01-01",
    days: int = 1095,
    seed: int = 0,
) -> pd.DataFrame:
    """Return a transactions table (customer_id, date, amount, store_id) with skewed activity.

    Parameters
    ----------
    n_customers, n_transactions : int
        Sizes.
    n_stores : int
        Stores the purchases are spread over.
    start : str
        First date.
    days : int
        Length of the period.
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        Transactions; about 2 % are refunds (negative amounts).
    """
    rng = np.random.default_rng(seed)
    weight = rng.pareto(1.5, n_customers) + 0.1
    cust = rng.choice(n_customers, size=n_transactions, p=weight / weight.sum())
    life_start = rng.integers(0, days, n_customers)
    offset = life_start[cust] + (rng.random(n_transactions) * (days - life_start[cust])).astype(
        np.int64
    )
    amount = np.round(rng.gamma(2.0, 25.0, n_transactions), 2)
    refund = rng.random(n_transactions) < 0.02
    amount[refund] = -amount[refund]
    return pd.DataFrame(
        {
            "customer_id": pd.Index([f"C{i:07d}" for i in range(n_customers)])[cust],
            "date": pd.Timestamp(start) + pd.to_timedelta(offset, unit="D"),
            "amount": amount,
            "store_id": pd.Index([f"S{i:02d}" for i in range(n_stores)])[
                rng.integers(0, n_stores, n_transactions)
            ],
        }
    )
