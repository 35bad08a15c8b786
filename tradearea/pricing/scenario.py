"""Pricing scenario inputs: validated pydantic models, TOML loading and dotted input keys."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradearea.errors import InputError
from tradearea.formats import format_key
from tradearea.pricing.rent import position_multiplier


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Floor(_Group):
    """A floor, or a single unit, of the shop space that is leased or sold as one piece."""

    name: str = Field(min_length=1, description="Label, e.g. '1F' or '1F-A corner'.")
    level: int = Field(1, ge=-5, le=200, description="1 = ground floor, 2 = first upper, -1 = B1.")
    area_m2: float = Field(gt=0, le=1e7, description="Net leasable / saleable area, m².")
    rent_multiplier: float | None = Field(
        None, gt=0, le=10, description="Rent vs the base (ground floor) rent; default by level."
    )
    price_multiplier: float | None = Field(
        None, gt=0, le=10, description="Price vs the base price; default = rent multiplier."
    )
    corner: bool = Field(False, description="Corner unit (adds the corner premium).")
    frontage_m: float | None = Field(None, gt=0, le=1000, description="Street frontage, m.")

    def rent_factor(self) -> float:
        """The rent multiplier, given or derived from level, corner and frontage."""
        if self.rent_multiplier is not None:
            return self.rent_multiplier
        return position_multiplier(level=self.level, corner=self.corner, frontage_m=self.frontage_m)

    def price_factor(self) -> float:
        """The price multiplier, given or equal to the rent multiplier."""
        return self.price_multiplier if self.price_multiplier is not None else self.rent_factor()


def _default_floors() -> list[Floor]:
    return [Floor(name="1F", level=1, area_m2=1000.0)]


class Site(_Group):
    """The site and its space."""

    name: str = "Site"
    format: str = Field("shopping_mall", description="Retail format (业态) of the tenants.")
    land_area_m2: float | None = Field(None, gt=0, le=1e8, description="Land area, m² (info).")
    gross_floor_area_m2: float | None = Field(
        None, gt=0, le=1e8, description="Gross floor area; default net area ÷ efficiency."
    )
    efficiency: float = Field(0.75, gt=0, le=1, description="Net leasable ÷ gross floor area.")
    floors: list[Floor] = Field(default_factory=_default_floors, min_length=1)

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        return format_key(value)


class Costs(_Group):
    """Development, selling, leasing, nurturing and operating costs."""

    land_cost_per_m2: float = Field(8000.0, ge=0, le=1e6, description="Per m² of gross floor area.")
    construction_cost_per_m2: float = Field(5000.0, ge=0, le=1e6, description="Per m² GFA.")
    soft_cost_ratio: float = Field(0.10, ge=0, le=1, description="Design, fees; × construction.")
    sales_cost_ratio: float = Field(0.02, ge=0, lt=0.5, description="× sale proceeds.")
    leasing_cost_ratio: float = Field(0.04, ge=0, lt=0.5, description="× value of leased space.")
    nurturing_cost_ratio: float = Field(0.09, ge=0, lt=0.5, description="× value of all space.")
    nurturing_years: float = Field(3.0, ge=0, le=30, description="Years after opening.")
    operating_cost_per_m2_month: float = Field(20.0, ge=0, le=1e5, description="Leased area.")
    cost_inflation: float = Field(0.02, ge=-0.5, le=1, description="Yearly growth of opex.")
    exit_cost_ratio: float = Field(0.02, ge=0, lt=1, description="× exit value.")


class Rents(_Group):
    """Rents and sale prices of the base (ground-floor, standard) unit and how rents evolve."""

    base_rent_per_m2_month: float = Field(250.0, ge=0, le=1e6, description="Mature rent, 1F.")
    sale_price_per_m2: float = Field(30000.0, ge=0, le=1e8, description="Sale price, 1F.")
    opening_rent_ratio: float = Field(0.7, gt=0, le=2, description="Rent at opening ÷ mature.")
    maturity_years: float = Field(3.0, ge=0, le=20, description="Years for rents to mature.")
    growth: float = Field(0.03, ge=-0.5, le=1, description="Yearly growth of market rent.")
    step_every_years: float = Field(3.0, ge=0, le=50, description="Rent step interval; 0 = none.")
    step_increase: float = Field(0.05, ge=-0.5, le=1, description="Rent step, × rent.")
    free_months: float = Field(3.0, ge=0, le=60, description="Rent-free months per new lease.")
    vacancy: float = Field(0.05, ge=0, lt=1, description="Stabilised vacancy.")
    collection_loss: float = Field(0.02, ge=0, lt=1, description="Rent not collected.")


class Timing(_Group):
    """When things happen, in years and months from the start (land purchase)."""

    construction_years: int = Field(2, ge=1, le=10, description="Opening after this many years.")
    hold_years: int = Field(10, ge=1, le=50, description="Years of operation until exit.")
    leasing_start_months_before_opening: float = Field(6.0, ge=0, le=60)
    lease_up_months: float = Field(12.0, ge=0, le=120, description="Months to stabilise.")
    occupancy_at_opening: float = Field(0.6, ge=0, le=1, description="Share let at opening.")
    sales_months_before_opening: float = Field(12.0, ge=0, le=120, description="Sales window.")


class Finance(_Group):
    """Discounting, yields and debt."""

    discount_rate: float = Field(0.08, gt=-1, le=1, description="For NPV.")
    market_yield: float = Field(0.10, gt=0, le=1, description="Gross rent ÷ price (6–12 y).")
    exit_yield: float = Field(0.07, gt=0, le=1, description="Final-year NOI ÷ exit value.")
    loan_to_cost: float = Field(0.0, ge=0, le=0.95, description="Debt share of land + build.")
    interest_rate: float = Field(0.05, ge=0, le=1, description="Yearly, interest only.")


_MODE_ALIASES = {
    "lease": "lease",
    "lease only": "lease",
    "rent": "lease",
    "只租不售": "lease",
    "sell": "sell",
    "sell only": "sell",
    "sale": "sell",
    "只售不租": "sell",
    "mixed": "mixed",
    "租售结合": "mixed",
}


class BusinessModel(_Group):
    """Lease only (只租不售), sell only (只售不租) or mixed (租售结合)."""

    mode: Literal["lease", "sell", "mixed"] = "lease"
    sold_floors: list[str] = Field(default_factory=list, description="Floors sold if mixed.")

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _MODE_ALIASES.get(
                " ".join(value.strip().lower().replace("_", " ").split()), value
            )
        return value


class Market(_Group):
    """Inputs of the valuation methods: comparables, tenant sales and method weights."""

    comparables_file: str | None = Field(None, description="CSV of comparable shops.")
    comparables: list[dict[str, str | float | int]] = Field(default_factory=list)
    tenant_sales_per_year: float | None = Field(None, ge=0, le=1e13, description="Huff forecast.")
    households: float | None = Field(None, ge=0, le=1e9, description="Survey estimate.")
    monthly_spending_per_household: float | None = Field(None, ge=0, le=1e8)
    capture_share: float = Field(0.1, ge=0, le=1, description="Share of spending captured.")
    occupancy_cost_ratio: float | None = Field(None, gt=0, lt=1, description="Format default.")
    weight_cost: float = Field(1.0, ge=0, le=100, description="Weight of the cost price.")
    weight_market: float = Field(1.0, ge=0, le=100, description="Weight of the market price.")
    weight_income: float = Field(1.0, ge=0, le=100, description="Weight of the income price.")


GROUPS: dict[str, type[_Group]] = {
    "site": Site,
    "costs": Costs,
    "rents": Rents,
    "timing": Timing,
    "finance": Finance,
    "business_model": BusinessModel,
    "market": Market,
}


class Scenario(BaseModel):
    """All inputs of one pricing scenario, grouped as a leasing team thinks of them."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = "Base"
    description: str = ""
    site: Site = Field(default_factory=Site)
    costs: Costs = Field(default_factory=Costs)
    rents: Rents = Field(default_factory=Rents)
    timing: Timing = Field(default_factory=Timing)
    finance: Finance = Field(default_factory=Finance)
    business_model: BusinessModel = Field(default_factory=BusinessModel)
    market: Market = Field(default_factory=Market)

    @model_validator(mode="after")
    def _floors_and_model(self) -> Scenario:
        names = [f.name for f in self.site.floors]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            msg = f"site.floors: floor names must be unique; repeated: {', '.join(duplicated)}"
            raise ValueError(msg)
        sold = self.business_model.sold_floors
        unknown = [n for n in sold if n not in names]
        if unknown:
            msg = (
                f"business_model.sold_floors: unknown floor {unknown[0]!r}; "
                f"floors are {', '.join(names)}"
            )
            raise ValueError(msg)
        if self.business_model.mode == "mixed" and not sold:
            msg = "business_model.sold_floors: the mixed model needs at least one sold floor"
            raise ValueError(msg)
        if self.business_model.mode != "mixed" and sold:
            msg = "business_model.sold_floors: only used when mode = 'mixed'"
            raise ValueError(msg)
        return self


def _is_numeric(annotation: Any) -> bool:
    return annotation in (float, int, float | None, int | None)


NUMERIC_KEYS: tuple[str, ...] = tuple(
    f"{group}.{name}"
    for group, model in GROUPS.items()
    for name, info in model.model_fields.items()
    if _is_numeric(info.annotation)
)
# Inputs the cash-flow engine uses (market.* only feed the price and rent estimates).
ENGINE_KEYS: tuple[str, ...] = tuple(
    k
    for k in NUMERIC_KEYS
    if not k.startswith("market.") and k not in ("finance.market_yield", "site.land_area_m2")
)
OPTIONAL_KEYS: tuple[str, ...] = tuple(
    f"{group}.{name}"
    for group, model in GROUPS.items()
    for name, info in model.model_fields.items()
    if info.annotation in (float | None, int | None)
)
INTEGER_KEYS: tuple[str, ...] = tuple(
    f"{group}.{name}"
    for group, model in GROUPS.items()
    for name, info in model.model_fields.items()
    if info.annotation in (int, int | None)
)


def _field_bounds(
    model: type[BaseModel], name: str
) -> tuple[float | None, bool, float | None, bool]:
    low = high = None
    low_inc = high_inc = True
    for item in model.model_fields[name].metadata:
        if isinstance(item, at.Ge):
            low, low_inc = float(item.ge), True
        elif isinstance(item, at.Gt):
            low, low_inc = float(item.gt), False
        elif isinstance(item, at.Le):
            high, high_inc = float(item.le), True
        elif isinstance(item, at.Lt):
            high, high_inc = float(item.lt), False
    return low, low_inc, high, high_inc


def bounds(key: str) -> tuple[float | None, bool, float | None, bool]:
    """Allowed range of a numeric input: ``(low, low_inclusive, high, high_inclusive)``."""
    if key not in NUMERIC_KEYS:
        msg = f"{key!r} is not a numeric scenario input; choose one of: {', '.join(NUMERIC_KEYS)}"
        raise KeyError(msg)
    group, _, name = key.partition(".")
    return _field_bounds(GROUPS[group], name)


def _describe(limits: tuple[float | None, bool, float | None, bool], *, whole: bool) -> str:
    low, low_inc, high, high_inc = limits
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"{kind} in {'[' if low_inc else '('}{low:g}, {high:g}{']' if high_inc else ')'}"
    if low is not None:
        return f"{kind} {'>=' if low_inc else '>'} {low:g}"
    if high is not None:
        return f"{kind} {'<=' if high_inc else '<'} {high:g}"
    return kind


def describe_range(key: str) -> str:
    """Say in words what values ``key`` accepts, e.g. ``"a number in [0, 1)"``."""
    return _describe(bounds(key), whole=key in INTEGER_KEYS)


def _dotted(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] += f"[{item + 1}]"
        else:
            parts.append(str(item))
    return ".".join(parts)


def _expected(loc: tuple[Any, ...]) -> str | None:
    """The range a numeric input at ``loc`` accepts, or None if it is not a numeric input."""
    names = [str(p) for p in loc if not isinstance(p, int)]
    key = ".".join(names)
    if key in NUMERIC_KEYS:
        return describe_range(key)
    if len(names) == 3 and names[:2] == ["site", "floors"]:
        info = Floor.model_fields.get(names[2])
        if info is not None and _is_numeric(info.annotation):
            return _describe(_field_bounds(Floor, names[2]), whole=info.annotation is int)
    return None


def _input_error(exc: ValidationError, file: str | None) -> InputError:
    error = exc.errors()[0]
    loc = tuple(error.get("loc", ()))
    key = _dotted(loc) if loc else None
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        known = _known_keys(parent)
        hint = f"; known keys here: {', '.join(known)}" if known else ""
        return InputError(f"unknown key {key!r}{hint}", file=file, column=key)
    if kind == "missing":
        return InputError(f"missing required key {key!r}", file=file, column=key)
    if not loc:
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        match = re.match(r"^([\w.]+): (.*)$", text, flags=re.S)
        if match:
            return InputError(match.group(2), file=file, column=match.group(1))
        return InputError(text, file=file)
    expected = _expected(loc)
    if expected is not None:
        value = error.get("input")
        return InputError(f"{value!r} is not valid; expected {expected}", file=file, column=key)
    text = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return InputError(text, file=file, column=key)


def _known_keys(parent: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Scenario
    for part in parent:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return []
        annotation = info.annotation
        if part == "floors":
            annotation = Floor
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def scenario_from_dict(data: dict[str, Any], *, file: str | None = None) -> Scenario:
    """Validate a dict of inputs (from TOML, JSON or a project) into a :class:`Scenario`.

    Parameters
    ----------
    data : dict
        Nested groups as in ``data/examples/scenario.toml``.
    file : str, optional
        Where the inputs came from, named in errors.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    tradearea.errors.InputError
        Naming the dotted key (``column``) and the expected range; unknown keys are an error.
    """
    if not isinstance(data, dict):
        raise InputError("a scenario must be a table of inputs", file=file)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, file) from None


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain, JSON- and TOML-friendly dict of a scenario (what a project saves)."""
    return scenario.model_dump(mode="json")


_MAX_TOML_BYTES = 4 * 2**20  # a scenario is a few KB; anything this big is not one


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file (``tomllib``, the safe standard-library reader).

    A relative ``market.comparables_file`` is resolved against the TOML's folder; the scenario
    name defaults to the file name.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.toml`` file.

    Returns
    -------
    Scenario
        The validated scenario.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("not found (expected a scenario .toml file)", file=str(path))
    if path.stat().st_size > _MAX_TOML_BYTES:
        msg = f"is larger than {_MAX_TOML_BYTES // 2**20} MB: not a scenario file"
        raise InputError(msg, file=str(path))
    text = path.read_bytes()
    try:
        data = tomllib.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path)) from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise InputError("not valid TOML: nested too deeply", file=str(path)) from None
    data.setdefault("name", path.stem)
    market = data.get("market")
    if isinstance(market, dict) and isinstance(market.get("comparables_file"), str):
        comparables = Path(market["comparables_file"]).expanduser()
        if not comparables.is_absolute():
            comparables = path.resolve().parent / comparables
        market["comparables_file"] = str(comparables)
    return scenario_from_dict(data, file=str(path))


def defaults_used(scenario: Scenario) -> list[str]:
    """Return the inputs a scenario did not give, so they took their defaults.

    Parameters
    ----------
    scenario : Scenario
        A scenario as validated from a file or dict (what it set is remembered).

    Returns
    -------
    list of str
        A group's name where the whole group is missing (``"costs"``), else the dotted keys of
        the group that are missing (``"rents.vacancy"``), in the groups' order.
    """
    out: list[str] = []
    for group in GROUPS:
        if group not in scenario.model_fields_set:
            out.append(group)
            continue
        values = getattr(scenario, group)
        out.extend(
            f"{group}.{name}"
            for name in type(values).model_fields
            if name not in values.model_fields_set
        )
    return out


def with_inputs(scenario: Scenario, changes: dict[str, Any]) -> Scenario:
    """Return a copy of ``scenario`` with dotted keys changed and validated.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    changes : dict
        Dotted key (``"rents.vacancy"``) -> new value.

    Returns
    -------
    Scenario
        A new, validated scenario.
    """
    data = scenario_to_dict(scenario)
    for key, value in changes.items():
        group, _, name = key.partition(".")
        if group not in GROUPS or not name:
            data[key] = value
            continue
        data.setdefault(group, {})[name] = value
    return scenario_from_dict(data)
