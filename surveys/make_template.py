"""Write the intercept-survey template: surveys/template.csv and surveys/template.xlsx.

Run: .venv/bin/python surveys/make_template.py
Both files are byte-for-byte reproducible (fixed workbook creation date). Headers are bilingual
("address / 住址"); tradearea reads either language, or both, when the survey comes back.
The columns follow the store-intercept method of DOMAIN.md §1 and are described in
surveys/DATA-DICTIONARY.md.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CREATED = datetime(2026, 1, 1)
AGE_GROUPS = ("under-18", "18-29", "30-44", "45-64", "65+")
GENDERS = ("female", "male", "other", "not-said")
TRAVEL_MODES = ("walk", "bike", "car", "transit", "other")
INCOME_BANDS = ("low", "middle", "high", "not-said")

# (canonical name, Chinese name, type, unit, allowed values, example, description)
COLUMNS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("respondent_id", "问卷编号", "text", "", "unique per questionnaire", "R001",
     "Questionnaire number; a repeated id is rejected as a duplicate."),
    ("survey_date", "调查日期", "date", "YYYY-MM-DD", "", "2026-10-01",
     "Day of the interview at the store."),
    ("address", "住址", "text", "", "street, house number, postcode, city", "Mannerheimintie 14, 00100 Helsinki",
     "Home address (家庭住址). Street and number are enough; postcode and city help."),
    ("visits_per_month", "来店频率（次/月）", "number", "visits per month", ">= 0", "6",
     "How often the respondent shops at this store. Per-week answers may go in a column "
     "visits_per_week / 来店频率（次/周） instead, or be written as '2/week' or '每周2次'."),
    ("large_store_visits_per_month", "大型店利用频度（次/月）", "number", "visits per month", ">= 0", "2",
     "How often the respondent uses large stores (hypermarkets, warehouse clubs) at all."),
    ("competitor_1", "竞争店1", "text", "", "a store name", "K-Market Esplanadi",
     "First competitor store the respondent also uses (竞争店利用)."),
    ("competitor_1_visits_per_month", "竞争店1利用频度（次/月）", "number", "visits per month", ">= 0", "2",
     "How often the respondent uses competitor 1."),
    ("competitor_2", "竞争店2", "text", "", "a store name", "S-Market Hakaniemi",
     "Second competitor store."),
    ("competitor_2_visits_per_month", "竞争店2利用频度（次/月）", "number", "visits per month", ">= 0", "1",
     "How often the respondent uses competitor 2."),
    ("competitor_3", "竞争店3", "text", "", "a store name", "",
     "Third competitor store."),
    ("competitor_3_visits_per_month", "竞争店3利用频度（次/月）", "number", "visits per month", ">= 0", "",
     "How often the respondent uses competitor 3."),
    ("spend_per_visit", "每次消费金额", "number", "currency of the project (EUR, CNY ...)", ">= 0", "24.50",
     "What the respondent spends on a usual visit (客单价)."),
    ("household_size", "家庭人数", "integer", "persons", "1-20", "2",
     "People living in the respondent's household."),
    ("age_group", "年龄段", "category", "", " | ".join(AGE_GROUPS), "30-44",
     "Age band of the respondent."),
    ("gender", "性别", "category", "", " | ".join(GENDERS), "female",
     "Gender of the respondent; 'not-said' when declined."),
    ("income_band", "家庭月收入", "category", "", " | ".join(INCOME_BANDS), "middle",
     "Household income band as defined for the study."),
    ("travel_mode", "交通方式", "category", "", " | ".join(TRAVEL_MODES), "walk",
     "How the respondent came to the store today."),
    ("member_id", "会员号", "text", "", "loyalty card number or empty", "M104630",
     "Links the respondent to the CRM; personal data."),
    ("lat", "纬度", "number", "degrees, WGS84", "-90 to 90", "",
     "Optional: home latitude if pointed on a map (GCJ-02/BD-09 values are converted on request)."),
    ("lon", "经度", "number", "degrees, WGS84", "-180 to 180", "",
     "Optional: home longitude."),
)  # fmt: skip


def headers() -> list[str]:
    """The bilingual header cells: ``"address / 住址"``."""
    return [f"{name} / {zh}" for name, zh, *_ in COLUMNS]


def template_csv() -> bytes:
    """The CSV template (UTF-8 with BOM so Excel shows the Chinese headers)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(headers())
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: sheet 'survey' (headers, validation) and sheet 'dictionary'."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": "tradearea intercept survey / 来店顾客问卷调查",
            "author": "tradearea",
            "created": CREATED,
        }
    )
    head = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"}
    )
    sheet = book.add_worksheet("survey")
    for j, cell in enumerate(headers()):
        sheet.write_string(0, j, cell, head)
        sheet.set_column(j, j, 30 if COLUMNS[j][0] == "address" else 16)
    sheet.set_row(0, 42)
    sheet.freeze_panes(1, 1)
    last = 1000
    for j, (name, _zh, kind, *_rest) in enumerate(COLUMNS):
        choices = {
            "age_group": AGE_GROUPS,
            "gender": GENDERS,
            "income_band": INCOME_BANDS,
            "travel_mode": TRAVEL_MODES,
        }.get(name)
        if choices:
            sheet.data_validation(1, j, last, j, {"validate": "list", "source": list(choices)})
        elif kind in ("number", "integer") and name not in ("lat", "lon"):
            sheet.data_validation(
                1,
                j,
                last,
                j,
                {"validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True},
            )
    info = book.add_worksheet("dictionary")
    cols = ("column", "中文列名", "type", "unit", "allowed values", "example", "description")
    for j, c in enumerate(cols):
        info.write_string(0, j, c, head)
    for i, row in enumerate(COLUMNS, start=1):
        for j, value in enumerate(row):
            info.write_string(i, j, value)
    info.set_column(0, 1, 30)
    info.set_column(2, 5, 16)
    info.set_column(6, 6, 80)
    book.close()
    return buf.getvalue()


def main() -> list[Path]:
    """Write both template files next to this script and return their paths."""
    out = [HERE / "template.csv", HERE / "template.xlsx"]
    out[0].write_bytes(template_csv())
    out[1].write_bytes(template_xlsx())
    return out


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
