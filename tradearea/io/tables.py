"""Read the small tables users upload for competition work (CSV in any encoding, Excel)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tradearea._core.text import fold
from tradearea.errors import InputError
from tradearea.io.reader import read_table as read_any

_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def read_table(
    path: str | Path, *, aliases: Mapping[str, Sequence[str]] | SynonymTable | None = None
) -> pd.DataFrame:
    """Read a CSV (any common encoding and delimiter) or Excel sheet as text columns.

    The file goes through the hardened reader :func:`tradearea.io.reader.read_table` (size limit
    ``TRADEAREA_MAX_INPUT_MB``, zip-bomb check, column limit, encoding detection, title lines
    above the header skipped), so every upload path shares the same guards.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    aliases : mapping or SynonymTable, optional
        Canonical column name -> accepted header spellings (English or Chinese), matched by
        :func:`map_headers`.

    Returns
    -------
    pandas.DataFrame
        Every cell as text (``None`` where empty); headers renamed to their canonical names.

    Raises
    ------
    InputError
        If the file cannot be read as a table, is empty or has a header but no rows.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise InputError("not found", file=file)
    suffix = path.suffix.lower()
    if suffix not in _EXCEL_SUFFIXES and suffix not in _TEXT_SUFFIXES and suffix != "":
        msg = f"unsupported file type {suffix!r}; use .csv or .xlsx"
        raise InputError(msg, file=file)
    if not path.is_file():
        raise InputError("is not a regular file (expected a CSV or XLSX file)", file=file)
    known = (
        aliases.match
        if isinstance(aliases, SynonymTable)
        else (SynonymTable(aliases).match if aliases else None)
    )
    raw, _info = read_any(path, name=file, known_header=known)
    frame = raw.apply(lambda s: s.str.strip()).replace({"": None})
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if aliases:
        frame = rename_columns(frame, aliases)
    return frame


# ---- header mapping: the one engine; each domain keeps only its synonym table ---------------

MAX_HEADER_CHARS = 200  # no column name is longer; a longer "header" is data
_DROP = re.compile(r"[\W_]+")
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_PARTS = re.compile(r"[/|()（）\[\]【】\n]")


def header_key(text: object) -> str:
    """Return the comparison key of a header: folded (case, width, accents), no punctuation.

    ``"Visits (per week)"``, ``"visits_per_week"`` and ``"VISITS PER WEEK"`` share a key.
    """
    return _DROP.sub("", fold(str(text)))


@dataclass(frozen=True)
class SynonymTable:
    """Canonical column names and the header spellings (English, Chinese) that stand for them.

    Parameters
    ----------
    synonyms : mapping
        Canonical name -> accepted spellings (the canonical name itself is always accepted).
    patterns : sequence of callable, optional
        Functions from a header key to a canonical name or None, for families of columns
        (``competitor_3_visits_per_month``); tried after the synonyms.
    """

    synonyms: Mapping[str, Sequence[str]]
    patterns: Sequence[Callable[[str], str | None]] = ()
    index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for canonical, names in self.synonyms.items():
            for name in (canonical, *names):
                index.setdefault(header_key(name), canonical)
        object.__setattr__(self, "index", index)

    def match(self, header: object) -> str | None:
        """Return the canonical name a header stands for, or None.

        The whole header is tried, then the header without bracketed parts (units), then each
        part between ``/``, ``|`` or brackets: ``"address / 住址"`` matches by either part.
        """
        if not isinstance(header, str) or not header.strip() or len(header) > MAX_HEADER_CHARS:
            return None  # a "header" of a paragraph is data; and _BRACKETS is quadratic on it
        attempts = [header_key(header), header_key(_BRACKETS.sub(" ", header))]
        attempts += [header_key(p) for p in _PARTS.split(header) if p.strip()]
        for attempt in attempts:
            if not attempt:
                continue
            if attempt in self.index:
                return self.index[attempt]
            for pattern in self.patterns:
                canonical = pattern(attempt)
                if canonical:
                    return canonical
        return None


@dataclass(frozen=True)
class HeaderMap:
    """Which header of a table maps to which canonical column, and how.

    Attributes
    ----------
    columns : dict
        Canonical name -> header, in the table's column order.
    how : dict
        Header -> ``given`` (an explicit mapping), ``exact`` (the canonical name itself) or
        ``synonym``.
    unmatched : tuple of str
        Headers that map to nothing (kept as extra columns by the domains).
    """

    columns: dict[str, str]
    how: dict[str, str]
    unmatched: tuple[str, ...]

    @property
    def renames(self) -> dict[str, str]:
        """Header -> canonical name (for ``DataFrame.rename``)."""
        return {header: canonical for canonical, header in self.columns.items()}

    def report(self) -> pd.DataFrame:
        """One row per header: header, canonical (None if unmatched), how."""
        rows = [(h, c, self.how[h]) for c, h in self.columns.items()]
        rows += [(h, None, None) for h in self.unmatched]
        return pd.DataFrame(rows, columns=["header", "canonical", "how"])


def map_headers(
    headers: Iterable[object],
    table: SynonymTable,
    *,
    given: Mapping[str, str] | None = None,
) -> HeaderMap:
    """Map a table's headers, English or Chinese, to canonical names.

    Explicit mappings come first; then a header that is a canonical name claims it; then each
    remaining header, in column order, takes the canonical name its spelling stands for
    (:meth:`SynonymTable.match`) unless an earlier header took it.

    Parameters
    ----------
    headers : iterable
        The table's column names.
    table : SynonymTable
        The domain's canonical names and synonyms.
    given : mapping, optional
        Canonical name -> header chosen by the user (validated by the caller).

    Returns
    -------
    HeaderMap
        The mapping, how each header matched, and the headers left over.
    """
    names = [str(h) for h in headers]
    chosen: dict[str, str] = {}
    how: dict[str, str] = {}
    for canonical, header in (given or {}).items():
        chosen[canonical] = header
        how[header] = "given"
    for header in names:
        if header not in how and header in table.synonyms and header not in chosen:
            chosen[header] = header
            how[header] = "exact"
    for header in names:
        if header in how:
            continue
        canonical = table.match(header)
        if canonical and canonical not in chosen:
            chosen[canonical] = header
            how[header] = "synonym"
    order = {h: i for i, h in enumerate(names)}
    columns = dict(sorted(chosen.items(), key=lambda kv: order.get(kv[1], -1)))
    unmatched = tuple(h for h in names if h not in how)
    return HeaderMap(columns=columns, how=how, unmatched=unmatched)


def rename_columns(
    frame: pd.DataFrame, aliases: Mapping[str, Sequence[str]] | SynonymTable
) -> pd.DataFrame:
    """Rename headers to canonical names using accepted spellings (see :func:`map_headers`).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as read.
    aliases : mapping or SynonymTable
        Canonical name -> accepted spellings.

    Returns
    -------
    pandas.DataFrame
        The frame with renamed columns (the first matching header wins).
    """
    table = aliases if isinstance(aliases, SynonymTable) else SynonymTable(aliases)
    return frame.rename(columns=map_headers(frame.columns, table).renames)


def column_list(columns: Sequence[object], *, limit: int = 20, width: int = 40) -> str:
    """Column names for a message: at most ``limit`` names of at most ``width`` characters.

    Parameters
    ----------
    columns : sequence
        The names.
    limit, width : int
        How many names, and how much of each, to show.

    Returns
    -------
    str
        ``"a, b, c"``, with ``…`` where something was left out.
    """
    names = [str(c) if len(str(c)) <= width else str(c)[: width - 1] + "…" for c in columns]
    text = ", ".join(names[:limit])
    return text + (f", … ({len(names)} columns)" if len(names) > limit else "")


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, file: str | None) -> None:
    """Raise an InputError naming the first required column that is missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : sequence of str
        Required canonical columns.
    file : str, optional
        The file name for the message.
    """
    for col in columns:
        if col not in frame.columns:
            found = column_list(frame.columns) or "none"
            msg = f"required column {col!r} is missing (columns found: {found})"
            raise InputError(msg, file=file, column=col)


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    *,
    file: str | None,
    minimum: float | None = None,
    positive: bool = False,
    allow_missing: bool = False,
) -> np.ndarray:
    """Return a column as floats, raising an InputError at the first bad row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (rows in file order).
    column : str
        The column.
    file : str, optional
        The file name for the message.
    minimum : float, optional
        Smallest allowed value.
    positive : bool
        Values must be above zero.
    allow_missing : bool
        Empty cells become NaN instead of an error.

    Returns
    -------
    numpy.ndarray
        float64 values.
    """
    raw = frame[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        text = raw.astype("string").str.replace(",", ".", regex=False).str.replace(" ", "")
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = raw.isna().to_numpy()
    bad = np.isnan(values) & ~missing
    if not allow_missing:
        bad |= missing
    bad |= np.isinf(values)
    if minimum is not None:
        bad |= values < minimum
    if positive:
        bad |= values <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = raw.iloc[i]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            what = "is empty"
        else:
            what = f"has {value!r}"
        need = "a number"
        if positive:
            need = "a number above 0"
        elif minimum is not None:
            need = f"a number of at least {minimum:g}"
        raise InputError(f"{what}; expected {need}", file=file, row=i + 1, column=column)
    return values


def latlon(frame: pd.DataFrame, *, file: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Return validated ``lat`` and ``lon`` columns as floats.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with ``lat`` and ``lon``.
    file : str, optional
        The file name for the message.

    Returns
    -------
    tuple of numpy.ndarray
        Latitudes and longitudes.
    """
    require_columns(frame, ("lat", "lon"), file=file)
    lat = numeric_column(frame, "lat", file=file)
    lon = numeric_column(frame, "lon", file=file)
    for name, values, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        out = np.abs(values) > limit
        if out.any():
            i = int(np.flatnonzero(out)[0])
            msg = f"{values[i]:g} is outside [-{limit:g}, {limit:g}]"
            raise InputError(msg, file=file, row=i + 1, column=name)
    return lat, lon


def unique_ids(values: pd.Series, *, column: str, file: str | None) -> pd.Series:
    """Return ids as text, raising an InputError at an empty or repeated id.

    Parameters
    ----------
    values : pandas.Series
        The id column.
    column : str
        Its name, for the message.
    file : str, optional
        The file name for the message.

    Returns
    -------
    pandas.Series
        The ids as ``str``.
    """
    ids = values.astype("string")
    empty = ids.isna() | (ids.str.strip() == "")
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError("id is empty", file=file, row=i + 1, column=column)
    dup = ids.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"id {ids.iloc[i]!r} appears twice", file=file, row=i + 1, column=column)
    return ids.astype(str)
