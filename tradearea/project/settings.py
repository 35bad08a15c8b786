"""The typed, validated settings of a project (what used to be a free dict of keys)."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from tradearea.errors import InputError
from tradearea.huff import DEFAULT_ALPHA, DEFAULT_BETA
from tradearea.privacy import DEFAULT_K
from tradearea.sites.areas import DEFAULT_METHOD, TRADE_AREA_METHODS

__all__ = [
    "CURRENCIES",
    "HuffSettings",
    "ProjectSettings",
    "SalesForecast",
    "TradeAreaSettings",
    "load_settings",
]

CURRENCIES = ("EUR", "CNY", "USD", "GBP", "HKD", "SGD", "JPY", "SEK", "NOK", "DKK", "CHF")
HuffSource = Literal["default", "survey_ml", "survey_mci", "user", "calibrated"]
Period = Literal["week", "month", "year"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class HuffSettings(_Model):
    """The Huff model's parameters and where they come from.

    Attributes
    ----------
    alpha : float
        Attractiveness exponent (floor area ** alpha).
    beta : float
        Distance-decay exponent (distance ** -beta).
    source : str
        ``default``, ``survey_ml`` / ``survey_mci`` (fitted from the survey) or ``user``.
    """

    alpha: float = DEFAULT_ALPHA
    beta: float = DEFAULT_BETA
    source: HuffSource = "default"

    @field_validator("alpha", "beta")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value) or value < 0:
            msg = f"must be a finite number of at least 0, not {value}"
            raise ValueError(msg)
        return value


class TradeAreaSettings(_Model):
    """How the project's own trade-area layer was drawn (kept for the report's assumptions)."""

    method: str = "share"
    thresholds: list[float] = Field(default_factory=lambda: [75.0, 90.0, 95.0])
    metric: str = "distance"
    weight: str = "annual_spend"


class SalesForecast(_Model):
    """The last candidate evaluated: its Huff sales a year (offered to the Pricing page)."""

    candidate_id: str
    name: str = ""
    expected_sales_per_year: float


class ProjectSettings(BaseModel):
    """Everything a project decides, typed (unknown keys of newer files are kept, unused).

    Attributes
    ----------
    currency : str
        ISO code of every money figure.
    irs_period : {'week', 'month', 'year'}
        Period of spending in the Index of Retail Saturation (DOMAIN.md: per week).
    huff : HuffSettings
        α, β and their source.
    share_thresholds : tuple of float
        Cumulative shares (0–1) of the primary, secondary and tertiary tiers.
    trade_areas : TradeAreaSettings or None
        How the trade-area layer was drawn.
    candidate_trade_area : str
        How a candidate's tiers are drawn (``rings``, ``walk``, ``drive``, ``huff``).
    competitors_from_region : bool
        Count the region's OpenStreetMap shops of the category as competitors, besides the
        project's competitors layer.
    spend_per_household : dict of str to float
        Spending per household per week by category, replacing the defaults.
    taboo_ticks : dict
        Per candidate id, the taboo checklist answers a person gave.
    scorecard_weights : dict of str to float
        Weights of the site scorecard's factors.
    privacy_k : int
        Smallest customer count shown on a map cell or in a report table.
    survey_file, crm_file : str or None
        The files the customers and CRM came from (names only; read only when chosen).
    sales_forecast : SalesForecast or None
        The last candidate's Huff sales (what the Pricing page offers as tenant sales).
    language : {'en', 'zh'} or None
        Language the project was last used in.
    """

    currency: str = "EUR"
    irs_period: Period = "week"
    huff: HuffSettings = Field(default_factory=HuffSettings)
    share_thresholds: tuple[float, float, float] = (0.75, 0.90, 0.95)
    trade_areas: TradeAreaSettings | None = None
    candidate_trade_area: str = DEFAULT_METHOD
    competitors_from_region: bool = False
    spend_per_household: dict[str, float] = Field(default_factory=dict)
    taboo_ticks: dict[str, dict[str, bool]] = Field(default_factory=dict)
    scorecard_weights: dict[str, float] = Field(default_factory=dict)
    privacy_k: StrictInt = Field(default=DEFAULT_K, ge=DEFAULT_K, le=1000)
    survey_file: str | None = None
    crm_file: str | None = None
    sales_forecast: SalesForecast | None = None
    language: Literal["en", "zh"] | None = None

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        """Old keys: ``huff_alpha`` / ``huff_beta`` become ``huff``."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        alpha, beta = data.pop("huff_alpha", None), data.pop("huff_beta", None)
        if (alpha is not None or beta is not None) and not data.get("huff"):
            data["huff"] = {
                "alpha": DEFAULT_ALPHA if alpha is None else alpha,
                "beta": DEFAULT_BETA if beta is None else beta,
                "source": "user",
            }
        return data

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = str(value).strip().upper()
        if len(code) != 3 or not code.isalpha():
            msg = f"a currency is a three-letter ISO code such as EUR or CNY, not {value!r}"
            raise ValueError(msg)
        return code

    @field_validator("share_thresholds", mode="before")
    @classmethod
    def _shares(cls, value: Any) -> Any:
        vals = [float(v) for v in value]
        if len(vals) == 3 and all(v > 1 for v in vals):  # given in percent
            vals = [v / 100 for v in vals]
        if len(vals) != 3 or not all(0 < v <= 1 for v in vals) or sorted(vals) != vals:
            msg = f"three increasing shares between 0 and 1, not {value!r}"
            raise ValueError(msg)
        return tuple(vals)

    @field_validator("candidate_trade_area")
    @classmethod
    def _method(cls, value: str) -> str:
        if value not in TRADE_AREA_METHODS:
            msg = f"one of {', '.join(TRADE_AREA_METHODS)}, not {value!r}"
            raise ValueError(msg)
        return value

    def to_json(self) -> dict[str, Any]:
        """Return the settings as JSON-ready values (what the project file stores)."""
        return self.model_dump(mode="json", exclude_none=True)


def load_settings(data: Any, *, file: str | None = None) -> ProjectSettings:
    """Validate stored settings (migrating old keys) into :class:`ProjectSettings`.

    Parameters
    ----------
    data : ProjectSettings, dict or None
        The settings as stored, or already typed.
    file : str, optional
        The project file, for the message.

    Returns
    -------
    ProjectSettings

    Raises
    ------
    InputError
        Naming the setting (``column``) and what is wrong with it.
    """
    if isinstance(data, ProjectSettings):
        return data
    try:
        return ProjectSettings.model_validate(dict(data or {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        msg = f"project setting {where}: {err.get('msg', 'invalid')}"
        raise InputError(msg, file=file, column=where) from None
