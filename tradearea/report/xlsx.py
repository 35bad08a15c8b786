"""XLSX rendering with xlsxwriter: one sheet per table, formatted numbers, no live formulas."""

from __future__ import annotations

import io
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from tradearea._core.escaping import neutralise_formula
from tradearea.report.model import ROW_FORMAT, Report, Section, column_kind

NUMBER_FORMATS = {
    "int": "#,##0",
    "money": "#,##0",
    "money2": "#,##0.00",
    "pct": "0.0%",
    "float1": "#,##0.0",
    "years": "0.0",
    "float2": "#,##0.00",
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
# Words a shortened sheet name must not end on (it would read as cut off).
_DANGLING = {
    "a", "an", "and", "&", "at", "by", "for", "from", "in", "of", "on", "or", "per", "the",
    "to", "with", "-", "–", "—", ",",
}  # fmt: skip
# Texts that must never stand in a cell for a number.
_NOT_NUMBERS = {"∞", "-∞", "−∞", "inf", "-inf", "+inf", "infinity", "-infinity", "nan", "none"}
IRS_UNDEFINED = (
    "IRS not defined: no competing selling floor area in the area (spending ÷ 0 m²), so "
    "nothing competes with the site there."
)
IRS_MISSING = "IRS not defined or not computed (no floor area and no households, or missing)."
# Columns that name the figure of a row, and how they name an IRS.
_LABEL_COLUMNS = ("figure", "factor", "measure", "key")
_IRS_TEXT = re.compile(r"\bIRS\b|^irs", re.IGNORECASE)
INFINITE = "Not defined: the figure is infinite (a division by zero)."


def _shorten(text: str, limit: int) -> str:
    """Fit ``text`` in ``limit`` characters at a word boundary, never ending on a joining word.

    Tries, in turn: the text; without parenthesised parts; with "&" for "and"; then whole
    words from the start. A single word longer than the limit is the only thing ever cut.
    """
    tries = [text]
    tries.append(re.sub(r"\s*\([^)]*\)", "", tries[-1]).strip())
    tries.append(re.sub(r"\band\b", "&", tries[-1]))
    for t in tries:
        if t and len(t) <= limit:
            return t
    words = tries[-1].split(" ")
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) > limit:
            break
        kept.append(word)
    while len(kept) > 1 and kept[-1].casefold() in _DANGLING:
        kept.pop()
    return " ".join(kept) if kept else words[0][:limit]


def sheet_name(text: str, taken: set[str]) -> str:
    """Return a valid, unique sheet name (≤ 31 characters, no ``[]:*?/\\``), whole words.

    A caption longer than 31 characters is shortened at a word boundary (see
    :func:`_shorten`), never mid-word; a name already taken gets `` (2)``, `` (3)`` ... The
    ``About`` sheet maps every sheet to its full caption.
    """
    base = _BAD_SHEET_CHARS.sub(" ", str(text)).strip().strip("'") or "Sheet"
    base = re.sub(r"\s+", " ", base)
    name, n = _shorten(base, _SHEET_MAX), 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = _shorten(base, _SHEET_MAX - len(suffix)) + suffix
    taken.add(name.casefold())
    return name


def _cell_text(value: Any) -> str:
    return str(neutralise_formula(str(value)))


class _Writer:
    """Writes tables cell by cell: numbers as numbers, every text through the formula guard."""

    def __init__(self, workbook: Any) -> None:
        self.wb = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.numbers = {
            k: workbook.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()
        }
        self.taken: set[str] = set()

    def value(
        self, ws: Any, row: int, col: int, value: Any, kind: str, *, irs: bool = False
    ) -> None:
        """Write one cell: a number in its format, a blank with a comment when undefined."""
        if value is None or value is pd.NA or value is pd.NaT:
            ws.write_blank(row, col, None)
            if irs:
                ws.write_comment(row, col, IRS_MISSING)
        elif isinstance(value, bool | np.bool_):
            ws.write_boolean(row, col, bool(value))
        elif isinstance(value, int | float | np.integer | np.floating) and kind != "text":
            v = float(value)
            if math.isnan(v):
                ws.write_blank(row, col, None)
                if irs:
                    ws.write_comment(row, col, IRS_MISSING)
            elif math.isinf(v):
                ws.write_blank(row, col, None)
                ws.write_comment(row, col, IRS_UNDEFINED if irs else INFINITE)
            else:
                ws.write_number(row, col, v, self.numbers.get(kind, self.numbers["float2"]))
        elif isinstance(value, float) and math.isnan(value):
            ws.write_blank(row, col, None)
        elif str(value).strip().casefold() in _NOT_NUMBERS:
            ws.write_blank(row, col, None)
            ws.write_comment(row, col, IRS_UNDEFINED if irs else INFINITE)
        else:
            ws.write_string(row, col, _cell_text(value))

    def table(self, name: str, frame: pd.DataFrame) -> str:
        """Write ``frame`` on a new sheet; return the sheet's name.

        Numeric columns are written in their column's format. A table whose rows are different
        figures carries a :data:`~tradearea.report.model.ROW_FORMAT` column: the numbers of
        its other non-numeric columns are written in that row's format, and the column itself
        is left out. A blank IRS cell (column ``irs...``, or a row whose figure, factor,
        measure or key names an IRS) has a comment saying why it is empty.
        """
        sheet = sheet_name(name, self.taken)
        ws = self.wb.add_worksheet(sheet)
        frame = frame.reset_index(drop=True)
        row_kinds = None
        if ROW_FORMAT in frame.columns:
            row_kinds = frame[ROW_FORMAT].astype(str).tolist()
            frame = frame.drop(columns=ROW_FORMAT)
        kinds = [column_kind(c, frame[c]) for c in frame.columns]
        irs_cols = [str(c).lower().startswith("irs") for c in frame.columns]
        label_cols = [j for j, c in enumerate(frame.columns) if str(c) in _LABEL_COLUMNS]
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, _cell_text(col), self.header)
            sample = [len(str(col))] + [len(str(v)) for v in frame[col].head(200)]
            ws.set_column(j, j, min(60, max(sample) + 2))
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            row_kind = row_kinds[i - 1] if row_kinds is not None else None
            irs_row = row_kind is not None and any(
                isinstance(row[j], str) and _IRS_TEXT.search(row[j]) for j in label_cols
            )
            for j, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                by_row = row_kind is not None and kind == "text" and not isinstance(value, str)
                shown = row_kind if by_row and row_kind is not None else kind
                self.value(ws, i, j, value, shown, irs=irs_cols[j] or (irs_row and by_row))
        ws.freeze_panes(1, 0)
        if len(frame.columns):
            ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
        return sheet


def _site_prefix(report: Report, sec: Section) -> str:
    if sec.site_id is None or len(report.sites) < 2:
        return ""
    return f"{sec.site_id} "


def render_xlsx(report: Report) -> bytes:
    """Render the report as an Excel workbook.

    Sheets: ``About`` (what the workbook holds, privacy, attribution, not-available sections),
    ``Summary`` (every figure), then one sheet per table. Text cells are written as text and
    those starting with ``= + - @`` are prefixed with an apostrophe, so no cell runs a formula.

    Parameters
    ----------
    report : Report
        The report.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    import xlsxwriter

    buf = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    wb = xlsxwriter.Workbook(buf, options)
    w = _Writer(wb)
    about = wb.add_worksheet(sheet_name("About", w.taken))
    figures = []
    for sec in report.sections():
        site = report.site(sec.site_id).name if sec.site_id else ""
        for key, fig in sec.figures.items():
            number = fig.value if not isinstance(fig.value, str) else None
            shown = fig.text
            if isinstance(number, int | float | np.integer | np.floating) and not math.isfinite(
                float(number)
            ):
                is_irs = key.startswith("irs") or "IRS" in fig.label
                shown = "not defined: no competing floor area" if is_irs else "not defined"
            figures.append(
                {
                    "site": site,
                    "section": sec.title,
                    "figure": fig.label,
                    "figure_zh": fig.label_zh,
                    "key": key,
                    "value": number,
                    "shown_as": shown,
                    "unit": fig.unit,
                    ROW_FORMAT: fig.kind,
                }
            )
    summary = pd.DataFrame(
        figures,
        columns=["site", "section", "figure", "figure_zh", "key", "value", "shown_as", "unit",
                 ROW_FORMAT],
    )  # fmt: skip
    summary["value"] = summary["value"].astype(object)
    index = [("Summary", "Every headline figure of the report", "")]
    w.table("Summary", summary)
    sites = pd.DataFrame(
        [
            {
                "site_id": s.site_id,
                "name": s.name,
                "kind": s.kind,
                "format": s.format,
                "floor_area_m2": s.floor_area_m2,
                "floor_area_source": s.floor_area_source,
                "address": s.address or "",
                "lat": s.lat,
                "lon": s.lon,
            }
            for s in report.sites
        ]
    )
    index.append((w.table("Sites", sites), "The sites of the report", ""))
    for sec in report.sections():
        prefix = _site_prefix(report, sec)
        for caption, frame in sec.tables.items():
            sheet = w.table(prefix + caption, frame)
            site = report.site(sec.site_id).name if sec.site_id else ""
            index.append((sheet, f"{sec.title}: {caption}", site))
    if report.detailed:
        customers = report.layers.get("customers")
        if customers is not None and len(customers):
            frame = pd.DataFrame(customers.drop(columns=customers.geometry.name))
            sheet = w.table("Customers (personal data)", frame)
            index.append((sheet, "Every customer row (detailed export)", ""))
    _about(w, about, report, index)
    wb.close()
    return buf.getvalue()


def _about(w: _Writer, ws: Any, report: Report, index: list[tuple[str, str, str]]) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 2, 30)
    ws.write_string(0, 0, _cell_text(report.title), w.title)
    rows = [
        ("Project", report.project_name),
        ("Region", report.region),
        ("Generated (UTC)", report.generated_at),
        ("Money", report.currency),
        (
            "Privacy",
            "INTERNAL: contains personal data"
            if report.detailed
            else f"Customers only as counts on map cells of at least {report.k}; no personal data",
        ),
        ("Map data", report.attribution),
        (
            "Reading the sheets",
            "Sheet names are short (Excel allows 31 characters): the list below gives each "
            "sheet's full caption. Numbers are numbers; an empty number cell with a comment is "
            "a figure that is not defined, such as an IRS where no competing floor area exists.",
        ),
    ]
    r = 2
    for key, value in rows:
        ws.write_string(r, 0, key, w.bold)
        ws.write_string(r, 1, _cell_text(value), w.wrap)
        r += 1
    r += 1
    ws.write_string(r, 0, "Sheet", w.header)
    ws.write_string(r, 1, "Contents", w.header)
    ws.write_string(r, 2, "Site", w.header)
    for sheet, what, site in index:
        r += 1
        ws.write_string(r, 0, _cell_text(sheet))
        ws.write_string(r, 1, _cell_text(what))
        ws.write_string(r, 2, _cell_text(site))
    missing = report.availability()
    if missing:
        r += 2
        ws.write_string(r, 0, "Not available", w.header)
        ws.write_string(r, 1, "Why", w.header)
        for what, reason in missing.items():
            r += 1
            ws.write_string(r, 0, _cell_text(what))
            ws.write_string(r, 1, _cell_text(reason), w.wrap)
