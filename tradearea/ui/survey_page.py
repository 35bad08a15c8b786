"""App page "Survey" (问卷调查): upload, preview, column mapping, geocoding, account and review."""

from __future__ import annotations

import hashlib
from typing import Any

import folium
import pandas as pd
import streamlit as st

from tradearea._core.escaping import escape_html, neutralise_frame
from tradearea.project.commands import logged_download
from tradearea.project.demo import DEMO_SURVEY
from tradearea.ui._common import (
    current_project,
    current_region,
    offline_map,
    show_error,
    show_map,
    tr,
)
from tradearea.ui._format import DATUM_LABELS

_K = "survey."
NONE = "—"
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk", "big5", "latin-1", "cp1252")
DELIMITERS = {"auto": None, ",": ",", ";": ";", "tab": "\t", "|": "|"}
COORDS = DATUM_LABELS
# The columns an analyst maps by hand; others are detected and kept.
KEY_COLUMNS = (
    ("address", "Address", "住址"),
    ("respondent_id", "Respondent id", "问卷编号"),
    ("visits_per_month", "Visits per month", "来店频率（次/月）"),
    ("visits_per_week", "Visits per week", "来店频率（次/周）"),
    ("spend_per_visit", "Spend per visit", "每次消费金额"),
    ("lat", "Latitude", "纬度"),
    ("lon", "Longitude", "经度"),
)
_KEY_NAMES = frozenset(c for c, _, _ in KEY_COLUMNS)
LEVEL_COLOURS = {
    "input_coords": "#1a9850",
    "address": "#1a9850",
    "street": "#fdae61",
    "postcode": "#d73027",
    "district": "#d73027",
    "online": "#4575b4",
}
STATUS_ZH = {
    "geocoded": "已定位",
    "repaired": "已修复",
    "unmatched": "未匹配",
    "rejected": "已拒绝",
}


def _choose(widget: Any, label: str, choices: dict[Any, str], **kwargs: Any) -> Any:
    """Show ``choices``' labels in a selectbox or radio and return the chosen key."""
    back = {shown: value for value, shown in choices.items()}
    return back[widget(label, list(back), **kwargs)]


REVIEW_FORM = ("review.typed", "review.latlon", "review.pick", "review.how")


def _rows(n: int) -> str:
    """``1 row``, ``2 rows`` (``1 行`` in Chinese)."""
    return tr(f"{n:,} row" if n == 1 else f"{n:,} rows", f"{n:,} 行")


def _status_label(status: str) -> str:
    return tr(status, STATUS_ZH.get(status, status))


def _source() -> dict[str, Any] | None:
    """The file to read: an upload, or the demo survey when the analyst asked for it."""
    uploaded = st.file_uploader(
        tr(
            "Survey file (CSV or Excel; any encoding; English or Chinese headers)",
            "问卷文件（CSV 或 Excel；任意编码；中英文表头）",
        ),
        type=["csv", "txt", "tsv", "xlsx", "xlsm"],
        key=_K + "upload",
    )
    if uploaded is not None:
        return {"name": uploaded.name, "data": uploaded.getvalue()}
    if st.button(tr("Use the demo survey", "使用示例问卷"), key=_K + "demo"):
        st.session_state[_K + "source"] = {
            "name": DEMO_SURVEY.name,
            "data": DEMO_SURVEY.read_bytes(),
        }
    return st.session_state.get(_K + "source")


def _read(source: dict[str, Any]) -> tuple[pd.DataFrame, Any] | None:
    from tradearea.surveys import read_table

    with st.expander(tr("Reading options", "读取选项")):
        c1, c2, c3, c4 = st.columns(4)
        encoding = c1.selectbox(tr("Encoding", "编码"), ENCODINGS, key=_K + "encoding")
        delim = c2.selectbox(tr("Delimiter", "分隔符"), list(DELIMITERS), key=_K + "delimiter")
        header = c3.number_input(
            tr("Header row (0 = detect)", "表头行（0 = 自动）"), 0, 1000, 0, key=_K + "header"
        )
        sheet = c4.text_input(tr("Sheet (Excel)", "工作表（Excel）"), "", key=_K + "sheet")
    try:
        return read_table(
            source["data"],
            name=source["name"],
            encoding=None if encoding == "auto" else encoding,
            delimiter=DELIMITERS[delim],
            header_row=int(header) or None,
            sheet=sheet.strip() or None,
        )
    except Exception as exc:
        show_error(exc)
        return None


def _mapping(frame: pd.DataFrame) -> dict[str, str]:
    from tradearea.surveys import map_columns

    detected = map_columns(frame)
    options = [NONE, *map(str, frame.columns)]
    st.subheader(tr("Columns", "列对应"))
    cols = st.columns(4)
    chosen: dict[str, str] = {}
    for k, (canon, en, zh) in enumerate(KEY_COLUMNS):
        default = detected.get(canon)
        index = options.index(str(default)) if default is not None else 0
        pick = cols[k % 4].selectbox(tr(en, zh), options, index=index, key=f"{_K}map.{canon}")
        if pick != NONE:
            chosen[canon] = pick
    taken = set(chosen.values())
    mapping = {c: col for c, col in detected.items() if c not in _KEY_NAMES and col not in taken}
    mapping.update(chosen)
    others = [f"{c} ← {col}" for c, col in mapping.items() if c not in chosen]
    if others:
        st.text(tr("Also recognised: ", "其他识别的列：") + ", ".join(others))
    return mapping


def _run(frame: pd.DataFrame, info: Any, mapping: dict[str, str], key: str) -> None:
    from tradearea.geocode import datum_warning, geocode_frame, parse_coordinate
    from tradearea.surveys import normalise_survey

    project = current_project()
    c1, c2 = st.columns(2)
    coord = _choose(
        c1.radio,
        tr("Coordinates in the file are", "文件中坐标为"),
        COORDS,
        horizontal=True,
        key=_K + "coords",
        disabled=not {"lat", "lon"} <= set(mapping),
    )
    online = c2.toggle(
        tr(
            "Online geocoder for rows left unplaced (Nominatim)",
            "对未定位行使用在线地理编码（Nominatim）",
        ),
        value=False,
        key=_K + "online",
    )
    if online:
        c2.warning(
            tr(
                "Addresses of unplaced rows will be sent to the internet: they are personal data.",
                "未定位行的地址将发送到互联网：这些是个人数据。",
            )
        )
    if not st.button(tr("Geocode", "地理编码"), type="primary", key=_K + "run"):
        return
    bar = st.progress(0.0, text=tr("Geocoding…", "正在地理编码…"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=f"{done:,} / {total:,}")

    try:
        survey, _ = normalise_survey(frame, mapping, source_rows=info.source_rows, file=info.file)
        has_coords = {"lat", "lon"} <= set(survey.columns)
        geocoded = geocode_frame(
            survey,
            region=current_region(),
            address_col="address",
            lat_col="lat" if has_coords else None,
            lon_col="lon" if has_coords else None,
            online=online,
            fixes=project.layers.get("fixes"),
            progress=progress,
            coord_system=coord,
        )
    except Exception as exc:
        show_error(exc)
        return
    bar.empty()
    if coord != "wgs84" and has_coords:
        lats = survey["lat"].map(parse_coordinate)
        note = datum_warning(
            lats, survey["lon"].map(parse_coordinate), system=coord, what=info.file
        )
        if note:
            st.warning(
                tr(
                    "The coordinates are declared GCJ-02/BD-09 but none is in China: "
                    "they were left unchanged.",
                    "坐标声明为 GCJ-02/BD-09，但没有一个位于中国境内：已保持不变。",
                )
            )
            st.text(note)  # text: the file name is never markup
    st.session_state[_K + "result"] = {
        "key": key,
        "survey": survey,
        "geocoded": geocoded,
        "coord": coord,
    }
    _save(project, geocoded, info.file, online)


def _save(project: Any, geocoded: pd.DataFrame, file: str, online: bool) -> None:
    from tradearea.geocode import account
    from tradearea.project.workspace import points_frame

    project.layers["customers"] = points_frame(geocoded)
    acc = account(geocoded)
    project.record("import", file=file, rows=acc["rows"])
    project.record("geocode", rows=acc["rows"], placed=acc["placed"], online=bool(online))


def _account(geocoded: pd.DataFrame) -> None:
    from tradearea.geocode import MATCH_LEVELS, account, account_table

    acc = account(geocoded)
    st.subheader(tr("Row account", "逐行结果"))
    c = st.columns(5)
    c[0].metric(tr("Rows", "行数"), f"{acc['rows']:,}")
    c[1].metric(tr("Geocoded", "已定位"), f"{acc['geocoded']:,}")
    c[2].metric(tr("Repaired", "已修复"), f"{acc['repaired']:,}")
    c[3].metric(tr("Unmatched", "未匹配"), f"{acc['unmatched']:,}")
    c[4].metric(tr("Rejected", "已拒绝"), f"{acc['rejected']:,}")
    table = account_table(geocoded)
    table["status"] = table["status"].map(
        lambda s: tr("total", "合计") if s == "total" else _status_label(s)
    )
    levels = pd.DataFrame(
        {
            "match_level": list(MATCH_LEVELS),
            "count": [acc["by_match_level"][lv] for lv in MATCH_LEVELS],
        }
    )
    left, right = st.columns(2)
    left.dataframe(table, hide_index=True, width="stretch")
    right.dataframe(levels, hide_index=True, width="stretch")
    choices = {"all": tr("all", "全部")} | {s: _status_label(s) for s in STATUS_ZH}
    status = _choose(st.selectbox, tr("Show rows", "显示行"), choices, key=_K + "filter")
    shown = geocoded if status == "all" else geocoded[geocoded["status"] == status]
    cols = [
        c
        for c in (
            "source_row",
            "respondent_id",
            "address",
            "status",
            "reason",
            "match_level",
            "match_score",
            "matched_address",
            "lat",
            "lon",
        )
        if c in shown.columns
    ]
    st.dataframe(shown[cols], hide_index=True, width="stretch")
    st.download_button(
        tr("Download geocoded CSV", "下载地理编码结果 CSV"),
        logged_download(
            current_project(),
            lambda: neutralise_frame(geocoded).to_csv(index=False).encode("utf-8-sig"),
            table="geocoded survey",
            format="csv",
            file="geocoded.csv",
            rows=len(geocoded),
        ),
        file_name="geocoded.csv",
        mime="text/csv",
        key=_K + "download",
    )


def _map(
    geocoded: pd.DataFrame, picked: tuple[float, float] | None, *, label: str = ""
) -> dict[str, Any]:
    placed = geocoded[geocoded["status"].isin(("geocoded", "repaired"))]
    center = (float(placed["lat"].mean()), float(placed["lon"].mean())) if len(placed) else None
    m = offline_map(center=center, zoom=15)
    for row in placed[["lat", "lon", "match_level"]].itertuples(index=False):
        folium.CircleMarker(
            (row.lat, row.lon),
            radius=4,
            weight=1,
            color=LEVEL_COLOURS.get(row.match_level, "#666"),
            fill=True,
            fill_opacity=0.8,
        ).add_to(m)
    if picked:
        tip = escape_html(label) if label else None  # the row id is user text
        folium.Marker(picked, icon=folium.Icon(color="red"), tooltip=tip).add_to(m)
    return show_map(m, key=_K + "map", height=460)


def _review(geocoded: pd.DataFrame) -> None:
    from tradearea.geocode import candidates, review_rows

    todo = review_rows(geocoded, rejected=True)
    st.subheader(tr("Review", "人工复核"))
    saved = st.session_state.pop(_K + "review.saved", None)
    if saved is not None:
        st.success(tr("Fix saved with the project and applied.", "修正已随项目保存并生效。"))
        st.text(tr(f"Fixed: {saved}", f"已修正：{saved}"))  # text: ids are never markup
    if todo.empty:
        st.success(
            tr(
                "Nothing to review: every row is placed with a good score.",
                "无需复核：所有行均已可靠定位。",
            )
        )
        return
    st.caption(
        tr(
            f"{_rows(len(todo))} unmatched, placed with a low score (< 80) or rejected "
            "(a rejected row can be placed by hand).",
            f"{_rows(len(todo))}未匹配、匹配分数较低（< 80）或已拒绝（已拒绝的行可手动放置）。",
        )
    )
    labels = {int(i): _review_label(geocoded, i) for i in todo.index}
    i = _choose(st.selectbox, tr("Row", "行"), labels, key=_K + "review.row")
    address = str(geocoded.at[i, "address"]) if "address" in geocoded else ""
    if address.strip().lower() in ("", "nan", "none"):
        address = ""
    st.text(tr("Reason: ", "原因：") + str(geocoded.at[i, "reason"]))
    cands = candidates(address, region=current_region(), k=5) if address else pd.DataFrame()
    if len(cands):
        st.dataframe(cands, hide_index=True, width="stretch")
    hows = {
        "pick": tr("Pick a candidate", "选择候选"),
        "typed": tr("Type a corrected address", "输入更正地址"),
        "placed": tr("Place by lat,lon", "按经纬度放置"),
    }
    row = _row_id(geocoded, i)
    st.text(tr(f"Click the map to place {row} there.", f"点击地图即可将 {row} 放置于该处。"))
    clicked = _map(geocoded, _point_under_review(i), label=row).get("last_clicked")
    if clicked and clicked != st.session_state.get(_K + "review.clicked"):
        # a new click: fill the form with it (before its widgets are drawn) and switch to it
        st.session_state[_K + "review.clicked"] = clicked
        st.session_state[_K + "review.how"] = hows["placed"]
        st.session_state[_K + "review.latlon"] = f"{clicked['lat']:.6f},{clicked['lng']:.6f}"
        st.session_state[_K + "review.marked"] = i
    how = _choose(st.radio, tr("Fix", "修正方式"), hows, horizontal=True, key=_K + "review.how")
    fix = _fix_point(how, cands)
    if fix is not None:
        st.session_state[_K + "review.point"] = (i, float(fix["lat"]), float(fix["lon"]))
        st.text(
            tr(
                f"Under review: {row} → {float(fix['lat']):.6f}, {float(fix['lon']):.6f}",
                f"复核中：{row} → {float(fix['lat']):.6f}, {float(fix['lon']):.6f}",
            )
        )
    if fix is not None and st.button(tr("Save fix", "保存修正"), key=_K + "review.save"):
        _apply_fix(geocoded, i, address, fix)


def _point_under_review(i: Any) -> tuple[float, float] | None:
    """The point proposed for row ``i`` on the previous run (shown on the map), if any."""
    point = st.session_state.get(_K + "review.point")
    if point is None or point[0] != i:
        return None
    return (point[1], point[2])


def _fix_point(how: str, cands: pd.DataFrame) -> dict[str, Any] | None:
    from tradearea.geocode import candidates

    if how == "pick":
        if cands.empty:
            st.info(
                tr(
                    "No candidates: type an address or place the point.",
                    "无候选：请输入地址或放置点位。",
                )
            )
            return None
        names = {j: f"{j + 1}. {cands.at[j, 'matched_address']}" for j in range(len(cands))}
        k = _choose(st.selectbox, tr("Candidate", "候选"), names, key=_K + "review.pick")
        c = cands.iloc[k]
        return {
            "lat": c["lat"],
            "lon": c["lon"],
            "matched_address": c["matched_address"],
            "match_level": c["match_level"],
            "match_score": c["match_score"],
            "how": "pick",
        }
    if how == "typed":
        text = st.text_input(tr("Corrected address", "更正后的地址"), key=_K + "review.typed")
        if not text.strip():
            return None
        found = candidates(text, region=current_region(), k=1)
        if found.empty:
            st.warning(
                tr("That address is not found in the region either.", "该地址在区域内也未找到。")
            )
            return None
        c = found.iloc[0]
        st.text(tr("Found: ", "找到：") + str(c["matched_address"]))
        return {
            "lat": c["lat"],
            "lon": c["lon"],
            "matched_address": str(c["matched_address"]),
            "match_level": c["match_level"],
            "match_score": c["match_score"],
            "how": "typed",
        }
    text = st.text_input(
        tr("Latitude, longitude (or click the map)", "纬度,经度（或点击地图）"),
        key=_K + "review.latlon",
    )
    if not text.strip():
        return None
    try:
        lat, lon = (float(p) for p in text.replace(";", ",").split(","))
    except ValueError:
        st.error(
            tr(
                "Write the point as LAT,LON, e.g. 60.1699,24.9384",
                "请按 纬度,经度 输入，例如 60.1699,24.9384",
            )
        )
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        st.error(
            tr(
                "Latitude must be in [-90, 90] and longitude in [-180, 180].",
                "纬度须在 [-90, 90]，经度须在 [-180, 180]。",
            )
        )
        return None
    return {
        "lat": lat,
        "lon": lon,
        "matched_address": f"{lat:.6f},{lon:.6f}",
        "match_level": "input_coords",
        "match_score": 100.0,
        "how": "placed",
    }


def _apply_fix(geocoded: pd.DataFrame, i: Any, address: str, fix: dict[str, Any]) -> None:
    from tradearea.geocode import add_fix, geocode_frame

    project = current_project()
    rid = geocoded.at[i, "respondent_id"] if "respondent_id" in geocoded else None
    try:
        project.layers["fixes"] = add_fix(
            project.layers.get("fixes"),
            respondent_id=rid,
            address=address,
            lat=float(fix["lat"]),
            lon=float(fix["lon"]),
            how=fix["how"],
            matched_address=str(fix["matched_address"]),
            match_level=str(fix["match_level"]),
            match_score=float(fix["match_score"]),
        )
    except ValueError as exc:  # e.g. a row with neither respondent id nor address
        show_error(exc)
        return
    project.record("fix", row=_row_id(geocoded, i), how=fix["how"])
    state = st.session_state.get(_K + "result")
    survey = (
        state["survey"] if state else geocoded.drop(columns=["status", "reason"], errors="ignore")
    )
    has_coords = {"lat", "lon"} <= set(survey.columns) and state is not None
    regeocoded = geocode_frame(
        survey,
        region=current_region(),
        address_col="address",
        lat_col="lat" if has_coords else None,
        lon_col="lon" if has_coords else None,
        fixes=project.layers["fixes"],
        coord_system=state["coord"] if state else "wgs84",
    )
    if state:
        state["geocoded"] = regeocoded
    _save(project, regeocoded, "fix", False)
    for name in (*REVIEW_FORM, "review.point", "review.marked", "review.row"):
        st.session_state.pop(_K + name, None)  # the next row starts with an empty form
    st.session_state[_K + "review.saved"] = _row_id(geocoded, i)
    st.rerun()


def _review_label(frame: pd.DataFrame, i: Any) -> str:
    address = frame.at[i, "address"] if "address" in frame else ""
    return f"{_row_id(frame, i)} · {address} · {_status_label(str(frame.at[i, 'status']))}"


def _read_summary(info: Any) -> str:
    parts = [f"{info.file}: {_rows(info.rows)}"]
    if info.encoding:
        parts.append(f"{tr('encoding', '编码')} {info.encoding}")
    if info.sheet:
        parts.append(f"{tr('sheet', '工作表')} {info.sheet}")
    parts.append(f"{tr('header row', '表头行')} {info.header_row}")
    if info.blank_rows_skipped:
        parts.append(f"{info.blank_rows_skipped} {tr('blank rows skipped', '空行已跳过')}")
    return ", ".join(parts)


def _row_id(frame: pd.DataFrame, i: Any) -> str:
    if "respondent_id" in frame and str(frame.at[i, "respondent_id"]).strip():
        return str(frame.at[i, "respondent_id"])
    if "source_row" in frame:
        return tr(f"row {frame.at[i, 'source_row']}", f"第 {frame.at[i, 'source_row']} 行")
    return tr(f"row {int(i) + 1}", f"第 {int(i) + 1} 行")


def _current_result(key: str | None) -> pd.DataFrame | None:
    state = st.session_state.get(_K + "result")
    if state is not None and (key is None or state["key"] == key):
        return state["geocoded"]
    customers = current_project().layers.get("customers")
    if customers is not None and len(customers) and "status" in customers:
        return pd.DataFrame(customers.drop(columns="geometry", errors="ignore"))
    return None


def page() -> None:
    """Render the Survey page."""
    st.header(tr("Survey", "问卷调查"))
    st.caption(
        tr(
            "Upload the intercept survey as it comes: every row ends geocoded, repaired, "
            "unmatched or rejected, with the reason. Nothing leaves this machine unless you "
            "turn the online geocoder on.",
            "按原样上传来店顾客问卷：每一行都会被定位、修复、未匹配或拒绝，并给出原因。"
            "除非开启在线地理编码，数据不会离开本机。",
        )
    )
    source = _source()
    key = None
    if source is not None:
        key = hashlib.sha1(source["data"]).hexdigest()
        read = _read(source)
        if read is not None:
            frame, info = read
            st.text(_read_summary(info))
            st.dataframe(frame.head(20), hide_index=True, width="stretch")
            _run(frame, info, _mapping(frame), key)
    geocoded = _current_result(key)
    if geocoded is None:
        st.info(
            tr("Upload a survey file, or use the demo survey.", "请上传问卷文件，或使用示例问卷。")
        )
        return
    _account(geocoded)
    _review(geocoded)
