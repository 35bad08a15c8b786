"""App page "Customers": CRM value and segments by trade-area tier, segment map, dedup review, export."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from tradearea import crm
from tradearea._core.escaping import escape_html, neutralise_frame
from tradearea.project.commands import record_export, record_import, record_merge
from tradearea.settings import data_dir
from tradearea.tiers import TIER_ORDER
from tradearea.ui._common import current_project, offline_map, show_error, show_map, tr
from tradearea.ui._format import DATUM_LABELS

SEGMENT_COLOURS = {
    "champions": "#1a9850", "loyal": "#66bd63", "potential": "#a6d96a", "new": "#3288bd",
    "at risk": "#f46d43", "hibernating": "#fdae61", "lost": "#a50026",
}  # fmt: skip
SEGMENT_ZH = {
    "champions": "冠军客户", "loyal": "忠诚客户", "potential": "潜力客户", "new": "新客户",
    "at risk": "流失风险", "hibernating": "休眠客户", "lost": "已流失",
}  # fmt: skip
TIER_ZH = {"primary": "第一商圈", "secondary": "第二商圈", "tertiary": "第三商圈", "outside": "商圈外",
           "no location": "无位置", "total": "合计"}  # fmt: skip
LIFECYCLE_ZH = {"acquisition": "获客期", "growth": "成长期", "stable": "稳定期", "decline": "衰退期",
                "lapsed": "流失"}  # fmt: skip
PAIRS_KEY = "crm_pairs"
VALUES = {"customers": ("Customers", "客户数"), "revenue": ("Revenue", "收入"), "clv": ("CLV", "客户终身价值"),
          "share_of_tier": ("Share of tier", "占商圈比例")}  # fmt: skip


def _seg(name: str) -> str:
    return tr(name, SEGMENT_ZH.get(name, name))


def _tier(name: str) -> str:
    return tr(name, TIER_ZH.get(name, name))


def _examples() -> dict[str, Any]:
    folder = data_dir() / "examples"
    return {
        "crm": (folder / "crm_transactions.csv").read_bytes(),
        "crm_name": "crm_transactions.csv",
        "profile": (folder / "crm_customers.csv").read_bytes(),
        "profile_name": "crm_customers.csv",
        "areas": (folder / "crm_areas.geojson").read_text(encoding="utf-8"),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def _analyse(
    crm_bytes: bytes,
    crm_name: str,
    profile_bytes: bytes | None,
    profile_name: str | None,
    areas_json: str,
    options: str,
    accepted: tuple[bool, ...] | None,
) -> crm.CrmResult:
    opts = json.loads(options)
    source = io.BytesIO(crm_bytes)
    source.name = crm_name
    profile = None
    if profile_bytes is not None:
        profile = io.BytesIO(profile_bytes)
        profile.name = profile_name or "customers.csv"
    from tradearea.io.geofiles import read_polygons

    # size limit, CRS check, polygons only, invalid polygons repaired; errors name the upload
    name = opts.get("areas_name") or "trade areas"
    areas = read_polygons(areas_json.encode("utf-8"), name=name, what="trade areas")
    return crm.analyse_crm(
        source,
        areas,
        profile=profile,
        match_on=opts["match_on"],
        dedup=opts["dedup"],
        accepted=None if accepted is None else list(accepted),
        threshold=opts["threshold"],
        as_of=opts["as_of"],
        retention_rate=opts["retention_rate"],
        discount_rate=opts["discount_rate"],
        horizon=opts["horizon"] or None,
        region=opts["region"],
        file=crm_name,
        datum=opts.get("datum", "wgs84"),
    )


def _inputs(project: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return the files (bytes) and the options chosen in the Data expander."""
    example = _examples()
    with st.expander(tr("Data and settings", "数据与设置"), expanded=False):
        use_example = st.toggle(
            tr("Use the example CRM files (fictional customers)", "使用示例CRM文件（虚构客户）"),
            value=True, key="crm_use_example",
        )  # fmt: skip
        files: dict[str, Any] = dict(example)
        if not use_example:
            main = st.file_uploader(
                tr("CRM export: transactions or one row per customer (CSV/XLSX)",
                   "CRM导出：交易明细或每客户一行（CSV/XLSX）"),
                type=["csv", "xlsx", "txt", "tsv"], key="crm_upload",
            )  # fmt: skip
            extra = st.file_uploader(
                tr("Optional: customer file with lat/lon or address, costs, contacts",
                   "可选：含经纬度或地址、成本、联系方式的客户文件"),
                type=["csv", "xlsx"], key="crm_upload_profile",
            )  # fmt: skip
            if main is None:
                st.info(tr("Upload a CRM export to start.", "请上传CRM导出文件。"))
                return None
            files.update(crm=main.getvalue(), crm_name=main.name, profile=None, profile_name=None)
            if extra is not None:
                files.update(profile=extra.getvalue(), profile_name=extra.name)
        areas = project.layers.get("trade_areas") if project is not None else None
        choices = ["example"] if areas is None or areas.empty else ["project", "example"]
        choices.append("upload")
        labels = {"project": tr("Trade areas of this project", "本项目的商圈"),
                  "example": tr("Example areas (two stores)", "示例商圈（两家门店）"),
                  "upload": tr("Upload GeoJSON", "上传 GeoJSON")}  # fmt: skip
        which = st.radio(tr("Trade areas", "商圈"), choices, format_func=labels.get, horizontal=True,
                         key="crm_areas_source")  # fmt: skip
        if which == "project":
            files["areas"] = areas.to_json()
        elif which == "upload":
            up = st.file_uploader(tr("Trade areas (GeoJSON)", "商圈（GeoJSON）"), type=["geojson", "json"],
                                  key="crm_upload_areas")  # fmt: skip
            if up is None:
                st.info(tr("Upload the trade areas to continue.", "请上传商圈文件。"))
                return None
            files["areas"] = up.getvalue().decode("utf-8", errors="replace")  # GeoJSON is UTF-8
            files["areas_name"] = up.name
        c1, c2, c3, c4 = st.columns(4)
        as_of = c1.date_input(tr("As of (blank: latest purchase)", "基准日（空：最近购买日）"), value=None,
                              key="crm_as_of")  # fmt: skip
        auto = c2.checkbox(
            tr("Estimate retention from data", "由数据估计留存率"), value=True, key="crm_auto_r"
        )
        rate = None if auto else c2.slider(tr("Retention per year", "年留存率"), 0.05, 0.95, 0.7, 0.05,
                                           key="crm_rate")  # fmt: skip
        discount = c3.number_input(
            tr("Discount rate", "折现率"), 0.0, 0.5, 0.10, 0.01, key="crm_discount"
        )
        horizon = c4.number_input(tr("CLV horizon (years, 0 = no end)", "CLV年限（0=无限）"), 0, 20, 3,
                                  key="crm_horizon")  # fmt: skip
        d1, d2, d3 = st.columns([2, 1, 1])
        match_on = d1.multiselect(
            tr("Contact details used for duplicate matching (kept in memory only)",
               "用于查重的联系方式（仅保存在内存中）"),
            list(crm.PERSONAL_FIELDS), default=["name", "phone", "email"], key="crm_match_on",
        )  # fmt: skip
        dedup = d2.toggle(tr("Find duplicates", "客户查重"), value=True, key="crm_dedup")
        datum = st.radio(
            tr("Coordinates in the files are", "文件中坐标为"), list(DATUM_LABELS),
            format_func=DATUM_LABELS.get, horizontal=True, key="crm_datum",
        )  # fmt: skip
        threshold = d3.slider(
            tr("Merge from score", "合并分数线"), 60, 100, 85, key="crm_threshold"
        )
    options = {
        "match_on": match_on, "dedup": bool(dedup and match_on), "threshold": float(threshold),
        "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else None, "retention_rate": rate,
        "discount_rate": float(discount), "horizon": int(horizon),
        "region": getattr(project, "region", None), "areas_name": files.get("areas_name"),
        "datum": datum,
    }  # fmt: skip
    return files, options


def _metrics(result: crm.CrmResult) -> None:
    info = result.summary()
    c = st.columns(5)
    c[0].metric(tr("Customers", "客户数"), f"{info['customers']:,}")
    c[1].metric(tr("Revenue", "收入"), f"{info['revenue']:,.0f}")
    c[2].metric(tr("Total CLV", "客户终身价值合计"), f"{info['clv_total']:,.0f}")
    pareto = info["pareto_top20_share"]
    c[3].metric(
        tr("Revenue from top 20 %", "前20%客户收入占比"),
        "–" if pareto != pareto else f"{pareto:.0%}",
    )
    c[4].metric(tr("Win-back (primary, at risk)", "挽回名单（第一商圈）"), f"{info['winback']:,}")
    counts = result.imported.counts
    st.caption(
        tr(f"{counts['rows']:,} rows read: {counts['accepted']:,} accepted, {counts['repaired']:,} repaired, "
           f"{counts['rejected']:,} rejected, {counts['flagged']:,} flagged (refunds). ",
           f"共读取 {counts['rows']:,} 行：接受 {counts['accepted']:,}，修复 {counts['repaired']:,}，"
           f"拒绝 {counts['rejected']:,}，标记 {counts['flagged']:,}（退款）。")
        + tr(f"As of {info['as_of']}, retention {info['retention_rate']:.0%}, {info['overlaps']} customers "
             "inside areas of two stores (given the lower tier, then the nearer store).",
             f"基准日 {info['as_of']}，留存率 {info['retention_rate']:.0%}，{info['overlaps']} 位客户位于两家门店"
             "商圈重叠处（取较内层商圈，再取较近门店）。")
    )  # fmt: skip
    report = result.imported.report
    issues = report[(report["status"] != "accepted") | (report["flag"] != "")]
    if len(issues):
        with st.expander(tr(f"Rows repaired, rejected or flagged ({len(issues)})",
                            f"修复、拒绝或标记的行（{len(issues)}）")):  # fmt: skip
            st.dataframe(issues, hide_index=True, width="stretch")


def _segment_tab(result: crm.CrmResult) -> None:
    value = st.radio(tr("Show", "显示"), list(VALUES), format_func=lambda v: tr(*VALUES[v]), horizontal=True,
                     key="crm_value")  # fmt: skip
    wide = crm.segment_tier_pivot(result.segment_tier, value=value)
    shown = wide.copy()
    shown.index = [_seg(s) for s in shown.index]
    shown.columns = [_tier(c) for c in shown.columns]
    st.dataframe(
        shown.style.format("{:.0%}" if value.startswith("share") else "{:,.0f}"), width="stretch"
    )
    long = result.segment_tier.assign(
        segment=[_seg(str(s)) for s in result.segment_tier["segment"]],
        tier=[_tier(str(t)) for t in result.segment_tier["tier_label"]],
    )[["segment", "tier", value]]
    order = [_tier(t) for t in TIER_ORDER]
    st.vega_lite_chart(
        long.rename(columns={value: "value"}),
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "tier", "type": "nominal", "sort": order, "title": tr("Tier", "商圈")},
                "y": {"field": "value", "type": "quantitative", "title": tr(*VALUES[value])},
                "color": {"field": "segment", "type": "nominal", "title": tr("Segment", "客户分群"),
                          "scale": {"domain": [_seg(s) for s in crm.SEGMENTS],
                                    "range": [SEGMENT_COLOURS[s] for s in crm.SEGMENTS]}},
                "tooltip": [{"field": "segment"}, {"field": "tier"}, {"field": "value", "format": ",.2f"}],
            },
        },
        width="stretch",
    )  # fmt: skip
    st.subheader(tr("Valuable customers per zone", "各商圈的高价值客户"))
    pen = result.penetration.rename(columns={
        "store_id": tr("Store", "门店"), "tier": tr("Tier", "商圈"), "customers": tr("Customers", "客户数"),
        "valuable": tr("Champions + loyal", "冠军+忠诚"), "valuable_share": tr("Share", "占比"),
        "households": tr("Households", "住户数"),
        "valuable_per_1000_households": tr("Per 1,000 households", "每千户"),
        "area_km2": tr("Area km²", "面积 km²"), "valuable_per_km2": tr("Per km²", "每平方公里")})  # fmt: skip
    st.dataframe(pen.round(3), hide_index=True, width="stretch")


def _map_tab(result: crm.CrmResult, areas_json: str) -> None:
    k = st.slider(
        tr("Hide cells with fewer customers than", "隐藏客户数少于此值的网格"),
        5,
        25,
        5,
        key="crm_k",
    )
    res = st.select_slider(tr("Cell size (H3 resolution)", "网格大小（H3 分辨率）"), [7, 8, 9, 10], 9,
                           key="crm_res")  # fmt: skip
    layer = crm.crm_hex_layer(result.customers, resolution=res, k=k)
    st.caption(tr(f"{len(layer)} cells shown; {layer.attrs['suppressed_cells']} cells with "
                  f"{layer.attrs['suppressed_customers']} customers hidden so no one can be picked out.",
                  f"显示 {len(layer)} 个网格；为保护隐私隐藏 {layer.attrs['suppressed_cells']} 个网格"
                  f"（{layer.attrs['suppressed_customers']} 位客户）。"))  # fmt: skip
    located = result.customers.dropna(subset=["lat", "lon"])
    centre = (float(located["lat"].mean()), float(located["lon"].mean())) if len(located) else None
    m = offline_map(center=centre, zoom=14)
    areas = gpd.read_file(io.StringIO(areas_json))
    folium.GeoJson(
        areas[["store_id", "tier", "geometry"]].assign(store_id=areas["store_id"].astype(str).map(escape_html))
        .to_json(),
        name=tr("Trade areas", "商圈"),
        style_function=lambda _f: {"color": "#333333", "weight": 1.5, "fillOpacity": 0.0, "dashArray": "4"},
    ).add_to(m)  # fmt: skip
    if len(layer):
        shown = layer.assign(top=[_seg(s) for s in layer["top_segment"]],
                             colour=layer["top_segment"].map(SEGMENT_COLOURS))  # fmt: skip
        fields = ["customers", *crm.SEGMENTS]
        folium.GeoJson(
            shown[[*fields, "top", "colour", "geometry"]].to_json(),
            name=tr("Segments", "客户分群"),
            style_function=lambda f: {"color": f["properties"]["colour"], "weight": 1,
                                      "fillColor": f["properties"]["colour"], "fillOpacity": 0.55},
            tooltip=folium.GeoJsonTooltip(["top", *fields],
                                          aliases=[tr("Top segment", "主要分群"), tr("Customers", "客户数"),
                                                   *[_seg(s) for s in crm.SEGMENTS]]),
        ).add_to(m)  # fmt: skip
    folium.LayerControl(collapsed=True).add_to(m)
    m.get_root().html.add_child(folium.Element(_legend()))
    show_map(m, key="crm_map", height=520, returned_objects=[])


def _legend() -> str:
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:6px;'
        f'background:{SEGMENT_COLOURS[s]};opacity:.8"></span>{escape_html(_seg(s))}</div>'
        for s in crm.SEGMENTS
    )
    return (
        '<div style="position:absolute;bottom:24px;left:12px;z-index:1000;background:white;'
        'padding:6px 10px;border:1px solid #bbb;border-radius:4px;font:12px sans-serif">'
        f"<b>{escape_html(tr('Top segment', '主要分群'))}</b>{items}</div>"
    )


def _mask(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    parts = value.split("@")
    masked = " ".join(w[0] + "•" * max(len(w) - 1, 1) for w in parts[0].split())
    return masked + ("@" + parts[1] if len(parts) > 1 else "")


def _dedup_tab(result: crm.CrmResult, files: dict[str, Any], options: dict[str, Any]) -> None:
    pairs = result.duplicates
    if not options["dedup"]:
        st.info(
            tr(
                "Turn on 'Find duplicates' under Data and settings.",
                "请在“数据与设置”中打开“客户查重”。",
            )
        )
        return
    st.caption(tr(
        "Pairs of records that look like the same person, best first. Untick a pair to keep the "
        "records apart; contact details are shown masked and never leave this page.",
        "疑似同一人的记录对，按分数排序。取消勾选即不合并；联系方式已遮蔽，不会导出。"))  # fmt: skip
    if pairs.empty:
        st.success(tr("No likely duplicates found.", "未发现疑似重复。"))
        return
    personal = _personal_lookup(files, options)
    view = pd.DataFrame({
        "merge": pairs["proposed"].astype(bool), "score": pairs["score"],
        "a": pairs["customer_id_a"], "b": pairs["customer_id_b"],
        "name_a": pairs["customer_id_a"].map(personal).fillna(""),
        "name_b": pairs["customer_id_b"].map(personal).fillna(""),
        "name": pairs["name_sim"].round(0), "phone": pairs["phone_sim"].round(0),
        "email": pairs["email_sim"].round(0), "address": pairs["address_sim"].round(0),
    })  # fmt: skip
    labels = {"merge": st.column_config.CheckboxColumn(tr("Merge", "合并")), "score": tr("Score", "分数"),
              "a": "A", "b": "B", "name_a": tr("Name A", "姓名 A"), "name_b": tr("Name B", "姓名 B"),
              "name": tr("Name", "姓名"), "phone": tr("Phone", "电话"), "email": tr("E-mail", "邮箱"),
              "address": tr("Address", "地址")}  # fmt: skip
    st.data_editor(view, hide_index=True, width="stretch", key=PAIRS_KEY, column_config=labels,
                   disabled=[c for c in view.columns if c != "merge"])  # fmt: skip
    st.subheader(tr("Merge log", "合并日志"))
    st.dataframe(result.merges, hide_index=True, width="stretch")


def _decisions(pairs: pd.DataFrame) -> tuple[bool, ...] | None:
    """Merge decisions after the user's review (None while nothing was changed)."""
    edited = (st.session_state.get(PAIRS_KEY) or {}).get("edited_rows", {})
    if pairs.empty or not edited:
        return None
    decisions = pairs["proposed"].astype(bool).tolist()
    for row, change in edited.items():
        if "merge" in change and int(row) < len(decisions):
            decisions[int(row)] = bool(change["merge"])
    return tuple(decisions)


def _personal_lookup(files: dict[str, Any], options: dict[str, Any]) -> pd.Series:
    """Masked names by customer id, read again from the files (kept only for this page view)."""
    if "name" not in options["match_on"]:
        return pd.Series(dtype=object)
    frames = []
    sources = (
        [("profile", "profile_name")] if files.get("profile") is not None else [("crm", "crm_name")]
    )
    for key, name_key in sources:
        buf = io.BytesIO(files[key])
        buf.name = files[name_key]
        try:
            imp = crm.read_crm(buf, match_on=["name"], expect="profile", file=files[name_key])
        except Exception:
            continue
        if "name" in imp.personal:
            frames.append(imp.personal[["customer_id", "name"]])
    if not frames:
        return pd.Series(dtype=object)
    names = pd.concat(frames).drop_duplicates("customer_id").set_index("customer_id")["name"]
    return names.map(_mask)


def _survey_tab(result: crm.CrmResult, project: Any) -> None:
    survey = project.layers.get("customers") if project is not None else None
    if survey is None or survey.empty or "member_id" not in survey:
        st.info(
            tr(
                "The project's survey has no member_id column to link on.",
                "项目问卷没有会员号列，无法关联。",
            )
        )
        return
    table = pd.DataFrame(survey.drop(columns="geometry", errors="ignore"))
    links = crm.link_respondents(table, result.customers[["customer_id"]])
    with_member = int(table["member_id"].astype(str).str.strip().replace("nan", "").ne("").sum())
    st.metric(tr("Respondents linked to CRM customers", "关联到CRM客户的受访者"),
              f"{len(links)} / {len(table)}", help=tr(f"{with_member} respondents gave a member id.",
                                                      f"{with_member} 位受访者填写了会员号。"))  # fmt: skip
    if len(links):
        joined = links.merge(
            result.customers[["customer_id", "segment", "tier_label", "clv"]], on="customer_id"
        )
        st.dataframe(joined, hide_index=True, width="stretch")


def _record_analysis(project: Any, result: crm.CrmResult, key: str) -> None:
    """Audit trail: the CRM import and its merges, once per file, options and review."""
    if project is None or st.session_state.get("crm_recorded") == key:
        return
    st.session_state["crm_recorded"] = key
    counts = result.imported.counts
    record_import(project, file=result.imported.file, layer="crm", kind=result.imported.kind,
                  rows=counts["rows"], accepted=counts["accepted"], repaired=counts["repaired"],
                  rejected=counts["rejected"], personal_fields_dropped=result.imported.dropped_personal)  # fmt: skip
    if len(result.merges):
        decision = str(result.merges["decision"].iloc[0]) if "decision" in result.merges else ""
        record_merge(project, file=result.imported.file, records=len(result.merges),
                     customers=int(result.merges["master_id"].nunique()), decision=decision)  # fmt: skip


def _record_export(project: Any, table: str, fmt: str) -> None:
    """Audit trail: a CRM table downloaded (one row per customer id; no contact details)."""
    if project is not None:
        record_export(project, table=table, format=fmt, detailed=True, personal_fields=False)


def _export_tab(result: crm.CrmResult, project: Any = None) -> None:
    st.caption(tr("Columns: customer_id, store_id, tier, tier label, segment, RFM, CLV, net CLV, lifecycle. "
                  "No names, phones, e-mails or addresses; text that a spreadsheet would run as a formula "
                  "is neutralised.",
                  "列：客户编号、门店、商圈、分群、RFM、CLV、净CLV、生命周期。不含姓名、电话、邮箱或地址；"
                  "可能被表格软件当作公式执行的文本已中和。"))  # fmt: skip
    st.dataframe(crm.crm_export_table(result.customers).head(200), hide_index=True, width="stretch")
    c1, c2, c3 = st.columns(3)
    c1.download_button(tr("Download CSV", "下载 CSV"), crm.crm_export_bytes(result.customers, fmt="csv"),
                       file_name="crm_segments.csv", mime="text/csv", key="crm_dl_csv",
                       on_click=_record_export, args=(project, "crm_segments", "csv"))  # fmt: skip
    c2.download_button(tr("Download XLSX", "下载 XLSX"), crm.crm_export_bytes(result.customers, fmt="xlsx"),
                       file_name="crm_segments.xlsx", key="crm_dl_xlsx",
                       on_click=_record_export, args=(project, "crm_segments", "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    c3.download_button(tr("Download win-back list", "下载挽回名单"),
                       neutralise_frame(result.winback).to_csv(index=False).encode("utf-8-sig"),
                       file_name="crm_winback.csv", mime="text/csv", key="crm_dl_winback",
                       on_click=_record_export, args=(project, "crm_winback", "csv"))  # fmt: skip


def page() -> None:
    """Render the Customers page."""
    st.header(tr("Customers", "客户"))
    st.caption(tr(
        "Which customers live in each trade-area tier, what they are worth and who is slipping away. "
        "Names, phones, e-mails and addresses stay in memory for matching only and are never exported.",
        "各级商圈内有哪些客户、价值多少、谁正在流失。姓名、电话、邮箱和地址仅在内存中用于查重，绝不导出。"))  # fmt: skip
    try:
        project = current_project()
    except Exception:
        project = None
    chosen = _inputs(project)
    if chosen is None:
        return
    files, options = chosen
    signature = json.dumps(
        [options, files.get("crm_name"), len(files.get("crm") or b"")], default=str
    )
    if st.session_state.get("crm_signature") != signature:
        st.session_state["crm_signature"] = signature
        st.session_state.pop(PAIRS_KEY, None)
    args = (files["crm"], files["crm_name"], files.get("profile"), files.get("profile_name"), files["areas"],
            json.dumps(options, sort_keys=True))  # fmt: skip
    try:
        with st.spinner(tr("Valuing customers…", "正在计算客户价值…")):
            result = _analyse(*args, None)
            accepted = _decisions(result.duplicates)
            if accepted is not None:
                result = _analyse(*args, accepted)
    except Exception as exc:
        show_error(exc)
        return
    st.session_state["crm_result"] = result
    _record_analysis(project, result, signature + repr(accepted))
    _metrics(result)
    tabs = st.tabs([tr("Segment × tier", "分群 × 商圈"), tr("Segment map", "分群地图"), tr("Duplicates", "查重"),
                    tr("Win-back", "挽回"), tr("Survey link", "问卷关联"), tr("Export", "导出")])  # fmt: skip
    with tabs[0]:
        _segment_tab(result)
    with tabs[1]:
        try:
            _map_tab(result, files["areas"])
        except Exception as exc:
            show_error(exc)
    with tabs[2]:
        _dedup_tab(result, files, options)
    with tabs[3]:
        wb = result.winback.assign(segment=result.winback["segment"].astype(str).map(_seg),
                                   lifecycle=result.winback["lifecycle"].astype(str).map(
                                       lambda v: tr(v, LIFECYCLE_ZH.get(v, v))))  # fmt: skip
        st.caption(tr("At-risk customers living in a primary trade area, highest CLV first.",
                      "居住在第一商圈内、有流失风险的客户，按CLV从高到低。"))  # fmt: skip
        st.dataframe(wb.round(2), hide_index=True, width="stretch")
    with tabs[4]:
        _survey_tab(result, project)
    with tabs[5]:
        _export_tab(result, project)
