"""App page "Project": the open project, its region and the map of stores and competitors."""

from __future__ import annotations

import folium
import streamlit as st

from tradearea.safety import escape_html
from tradearea.ui._common import current_project, current_region, offline_map, show_map, tr


def _status(project) -> list[tuple[str, bool]]:
    layers = project.layers
    return [
        (tr("Survey geocoded", "问卷已地理编码"), len(layers["customers"]) > 0),
        (tr("Trade areas drawn", "商圈已划定"), len(layers["trade_areas"]) > 0),
        (tr("Competitors loaded", "竞争店已载入"), len(layers["competitors"]) > 0),
        (tr("Candidate sites", "候选店址"), len(layers["candidates"]) > 0),
        (tr("Pricing scenarios", "定价方案"), len(project.scenarios) > 0),
    ]


def page() -> None:
    """Render the Project page."""
    project = current_project()
    region = current_region()
    st.header(tr("Project", "项目"))
    st.subheader(project.name)
    cols = st.columns(5)
    for col, (label, done) in zip(cols, _status(project), strict=True):
        col.markdown(
            f"{':material/check_circle:' if done else ':material/radio_button_unchecked:'} {label}"
        )
    meta = region.meta
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("Addresses", "地址"), f"{meta['counts']['addresses']:,}")
    c2.metric(tr("Shops and services", "商店与服务"), f"{meta['counts']['shops']:,}")
    c3.metric(tr("Buildings", "建筑"), f"{meta['counts']['buildings']:,}")
    c4.metric(tr("Street segments", "街道路段"), f"{meta['counts']['streets']:,}")
    m = offline_map(zoom=15)
    stores = project.layer("stores")
    competitors = project.layer("competitors")
    comp_group = folium.FeatureGroup(name=tr("Competitors", "竞争店"))
    for row in competitors.itertuples():
        folium.CircleMarker(
            [row.lat, row.lon],
            radius=6,
            color="#34495e",
            fill=True,
            fill_opacity=0.9,
            tooltip=escape_html(row.name),
        ).add_to(comp_group)
    comp_group.add_to(m)
    store_group = folium.FeatureGroup(name=tr("Own stores", "本店"))
    for row in stores.itertuples():
        folium.Marker(
            [row.lat, row.lon],
            tooltip=escape_html(row.name),
            icon=folium.Icon(color="red", icon="shopping-cart", prefix="fa"),
        ).add_to(store_group)
    store_group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    show_map(m, key="project_map", height=560, returned_objects=[])
    st.caption(
        tr("Region", "区域")
        + f": {region.name} · "
        + tr("source", "数据源")
        + f": {escape_html(meta['source_file'])} "
        + f"({meta.get('source_date') or '?'}) · {escape_html(meta['attribution'])}"
    )
