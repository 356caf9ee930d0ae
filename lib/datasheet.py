"""One self-contained HTML datasheet per department, readable offline.

Like The Markup's per-department datasheets, but for any data directory and any filter. Every number comes
from the same lib/analysis functions the pages call, so the sheet and the app agree. Plotly's JavaScript is
embedded once (with the first chart); every text taken from the data is escaped.
"""
from __future__ import annotations

import html
import math
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from lib.analysis import accuracy as acc
from lib.analysis import audit
from lib.analysis import disparities as dsp
from lib.analysis import maps
from lib.analysis import overview
from lib.analysis import sites as site_analysis
from lib.db import run
from lib.filters import Filters

# The Markup's method write-ups (also linked from the pages, via lib.ui, which needs Streamlit).
METHOD_2021 = ("https://themarkup.org/show-your-work/2021/12/02/how-we-determined-predictive-policing-software-"
               "disproportionately-targeted-low-income-black-and-latino-neighborhoods")
METHOD_2023 = ("https://themarkup.org/show-your-work/2023/10/02/"
               "how-we-assessed-the-accuracy-of-predictive-policing-software")
SITE_KINDS = {"police_station": "Police station", "jail": "Jail", "court": "Court", "hospital": "Hospital",
              "school": "School", "public_housing": "Public housing"}
MAX_ROWS = 25


class DatasheetError(ValueError):
    """A request the datasheet cannot serve (e.g. no single department); the message is for the user."""


# -- formatting --------------------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def integer(value) -> str:
    return "—" if _missing(value) else f"{int(value):,}"


def percent(value, digits: int = 0) -> str:
    return "—" if _missing(value) else f"{value:.{digits}%}"


def _e(value) -> str:
    return html.escape("" if _missing(value) else str(value))


def _day(value) -> str:
    if _missing(value):
        return "—"
    return value.strftime("%b %-d, %Y") if isinstance(value, (date, datetime, pd.Timestamp)) else str(value)


def _table(frame: pd.DataFrame, columns: dict[str, tuple[str, callable]]) -> str:
    """An escaped HTML table of `frame`'s columns: {column: (heading, formatter)}."""
    if frame.empty:
        return ""
    head = "".join(f"<th>{_e(label)}</th>" for label, _ in columns.values())
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(fmt(row[c]))}</td>" for c, (_, fmt) in columns.items()) + "</tr>"
        for _, row in frame.head(MAX_ROWS).iterrows())
    more = (f"<p class='note'>The first {MAX_ROWS} of {len(frame):,} rows.</p>" if len(frame) > MAX_ROWS else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _figure(label: str, key: str, value: str, note: str = "") -> str:
    return (f"<div class='figure'><dt>{_e(label)}</dt><dd data-figure='{_e(key)}'>{_e(value)}</dd>"
            + (f"<dd class='note'>{_e(note)}</dd>" if note else "") + "</div>")


class _Charts:
    """Plotly figures as HTML: the library's JavaScript goes in with the first one only."""

    def __init__(self):
        self.count = 0

    def __call__(self, fig, caption: str = "") -> str:
        first = self.count == 0
        self.count += 1
        fig.update_layout(template="plotly_white")
        div = fig.to_html(full_html=False, include_plotlyjs=first, default_width="100%",
                          config={"displaylogo": False, "responsive": True})
        return f"<figure>{div}" + (f"<figcaption>{_e(caption)}</figcaption>" if caption else "") + "</figure>"


# -- the department ----------------------------------------------------------------------------

def department_of(filters: Filters) -> str:
    if len(filters.departments) != 1:
        raise DatasheetError("A datasheet covers one department: choose exactly one"
                             + (f" (the selection has {len(filters.departments)})." if filters.departments else "."))
    return filters.departments[0]


def _department_row(con, department: str) -> dict:
    frame = run(con, "SELECT * FROM departments WHERE department = $department", {"department": department})
    if frame.empty:
        raise DatasheetError(f"There is no department '{department}' in this data.")
    return frame.iloc[0].to_dict()


# -- sections ----------------------------------------------------------------------------------

def _key_figures(con, f: Filters, name: str) -> str:
    h = overview.headline(con, f)
    summary = overview.department_summary(con, f)
    row = summary.iloc[0].to_dict() if len(summary) else {}
    figures = [
        _figure("Predictions", "predictions", integer(h["predictions"]),
                f"of {h['predictions_in_data']:,} in the data" if h["predictions_in_data"] != h["predictions"]
                else ""),
        _figure("Prediction locations", "locations", integer(h["locations"])),
        _figure("Block groups", "block_groups", integer(h["block_groups"])),
        _figure("Residents covered", "residents", integer(h["residents"])),
        _figure("Predictions per 1,000 residents", "predictions_per_1000", integer(
            None if _missing(row.get("predictions_per_1000")) else round(row["predictions_per_1000"]))),
        _figure("Outside every block group", "predictions_outside", integer(h["predictions_outside_shown"]),
                "predictions counted in totals, not in block-group shares"),
    ]
    if h["share_predictions_black_latino_majority"] is not None:
        figures.append(_figure("Predictions in majority Black or Latino block groups", "share_black_latino",
                               percent(h["share_predictions_black_latino_majority"]),
                               f"{percent(h['share_residents_black_latino_majority'])} of residents live there"))
    if h["share_predictions_low_income_majority"] is not None:
        figures.append(_figure("Predictions in mostly low-income block groups", "share_low_income",
                               percent(h["share_predictions_low_income_majority"]),
                               f"{percent(h['share_households_low_income_majority'])} of households are there"))
    findings = "".join(f"<li><strong>{_e(x.number)}</strong> — {_e(x.text)}</li>"
                       for x in overview.findings(con, f, h, summary))
    return (f"<section id='figures'><h2>Key figures</h2><dl class='figures'>{''.join(figures)}</dl>"
            + (f"<h3>What the data says</h3><ul>{findings}</ul>" if findings else "") + "</section>")


def offline_map(frame: pd.DataFrame, collection: dict) -> go.Figure:
    """Block groups as filled SVG polygons in five classes of predictions per 1,000 residents.

    Not a MapLibre map (lib.charts.maps): from a file:// page MapLibre never finishes loading its style, so
    the map would stay blank in a downloaded datasheet. Plain axes, with degrees of longitude shrunk by
    cos(latitude) so shapes keep their proportions."""
    features = {feature["id"]: feature for feature in collection["features"]}
    ids = np.array([str(i) for i in range(len(frame))])  # maps.geojson numbers the features by row
    rates = frame["per_1000"].astype(float)
    finite = rates[np.isfinite(rates)]
    edges = np.unique(np.nanquantile(finite, np.linspace(0, 1, 6))) if len(finite) else np.array([])
    classes = np.clip(np.searchsorted(edges, rates, side="right") - 1, 0, max(len(edges) - 2, 0))
    colours = sample_colorscale("Blues", max(len(edges) - 1, 1), low=0.15, high=1.0)
    fig = go.Figure()
    groups = [(f"{edges[i]:,.0f}–{edges[i + 1]:,.0f}", colours[i], np.isfinite(rates) & (classes == i))
              for i in range(len(edges) - 1)] or [("", colours[0], np.isfinite(rates))]
    groups.append(("No residents", "#eeeeee", ~np.isfinite(rates)))
    for label, colour, chosen in groups:
        if not chosen.any():
            continue
        lats, lons = maps.rings({"features": [features[i] for i in ids[np.asarray(chosen)] if i in features]})
        fig.add_trace(go.Scatter(x=lons, y=lats, mode="lines", fill="toself", fillcolor=colour, name=label,
                                 line=dict(width=0.7, color="rgba(60, 60, 60, 0.6)"), hoverinfo="skip"))
    hover = [f"Block group {g}<br>{integer(p)} predictions · {integer(r)} residents"
             + ("" if _missing(x) else f" · {x:,.0f} per 1,000")
             for g, p, r, x in zip(frame["geoid"], frame["predictions"], frame["residents"], rates)]
    fig.add_trace(go.Scatter(x=frame["centroid_lon"], y=frame["centroid_lat"], mode="markers", text=hover,
                             hovertemplate="%{text}<extra></extra>", marker=dict(size=8, opacity=0),
                             showlegend=False))
    middle = math.radians(float(frame["centroid_lat"].mean()))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(middle))
    fig.update_layout(height=560, margin=dict(l=0, r=0, t=10, b=0), plot_bgcolor="white",
                      legend=dict(title=dict(text="Predictions per 1,000 residents"), x=1.0, xanchor="right"))
    return fig


def _map(con, f: Filters, chart: _Charts) -> str:
    frame = maps.block_groups(con, f)
    if frame.empty:
        return ("<section id='map'><h2>Map</h2><p>There are no block-group outlines for this selection to draw."
                "</p></section>")
    view = maps.view(con, f)
    fig = offline_map(frame, maps.geojson(frame, maps.simplify_tolerance(view) if view else 0.0))
    return ("<section id='map'><h2>Map</h2><p>Block groups shaded by predictions per 1,000 residents (darker: "
            "more), in five classes of equal numbers of block groups; drawn from the data alone, so the map "
            "reads offline. Predictions outside every block group are not drawn.</p>" + chart(fig) + "</section>")


def _disparities(con, f: Filters, name: str, names: dict[str, str], chart: _Charts) -> str:
    from lib.charts import disparities as charts
    ranked = dsp.ranked_block_groups(con, f)
    if ranked.empty:
        return ("<section id='disparities'><h2>Who lives where the predictions fell</h2><p>No block group of this "
                "selection has predictions, so there is nothing to rank.</p></section>")
    table = dsp.table_from_ranked(ranked, dsp.group_specs(ranked, brackets=True))
    long = dsp.composition_long(table)
    deciles = dsp.decile_composition(ranked, dsp.GROUPS)
    exposure = table[table["group"].isin(dsp.GROUPS)][["department", "group", "exposure_ratio"]]
    core = table[table["group"].isin(dsp.GROUPS)]
    share_columns = {"group": ("Group", dsp.group_label)} | {
        column: (label, percent) for column, label in (
            ("share_most_targeted", "Most targeted 5%"), ("share_median", "Median 5%"),
            ("share_least_targeted", "Least targeted 5%"), ("share_total", "Whole jurisdiction"))} | {
        "spearman": ("Rank correlation", lambda v: "—" if _missing(v) else f"{v:+.2f}"),
        "exposure_ratio": ("Exposure ratio", lambda v: "—" if _missing(v) else f"{v:.2f}")}
    n = len(ranked)
    w = int(ranked["in_most"].sum())
    return (
        "<section id='disparities'><h2>Who lives where the predictions fell</h2>"
        f"<p>The Markup's method: the department's {n:,} block groups ranked by predictions; the most-targeted "
        f"{w} (5%), the median 5% and the least-targeted 5% compared with each other and with the whole "
        "jurisdiction.</p>"
        f"<p class='reading'>{_e(dsp.composition_reading(table, name))}</p>"
        + chart(charts.composition_bars(long[long["group"].isin(dsp.RACE)]), "Share of residents, by race and "
                                                                             "ethnicity")
        + chart(charts.composition_bars(long[~long["group"].isin(dsp.RACE)]), "Share of households, by income")
        + _table(core, share_columns)
        + f"<p class='reading'>{_e(dsp.decile_reading(deciles, name))}</p>"
        + chart(charts.deciles_line(deciles), "Each tenth of the block groups, from the fewest predictions (1) to "
                                              "the most (10)")
        + f"<p class='reading'>{_e(dsp.exposure_reading(exposure, name))}</p>"
        + chart(charts.exposure_dots(exposure, names), "1.0: as many predictions per resident as where the "
                                                       "average resident lives")
        + "</section>")


def accuracy_window(con, department: str, f: Filters) -> tuple[date, date] | None:
    """The department's prediction window narrowed to the selected dates, as on the Accuracy page;
    None when the dates miss the window."""
    window = acc.analysis_window(con, department)
    if window and (f.start or f.end):
        window = (max(window[0], f.start or window[0]), min(window[1], f.end or window[1]))
        if window[0] > window[1]:
            return None
    return window


def _accuracy(con, department: str, f: Filters, name: str, chart: _Charts) -> str:
    from lib.charts import accuracy as charts
    available = acc.departments_with_reports(con)
    if department not in set(available["department"]):
        return ("<section id='accuracy'><h2>Did the predictions come true?</h2><p>This data has no crime reports "
                f"for {_e(name)}, so whether its predictions came true cannot be measured.</p></section>")
    window = accuracy_window(con, department, f)
    if window is None:
        return ("<section id='accuracy'><h2>Did the predictions come true?</h2><p>The chosen dates fall outside "
                "the department's prediction window.</p></section>")
    s = acc.accuracy_summary(con, department, window)
    start, end = (date.fromisoformat(d) for d in s["window"])
    if s["success_rate"] is not None:
        lo, hi = s["success_rate_ci95"]
        headline = (f"<p class='reading'><strong data-figure='predictions_matched'>{s['predictions_matched']:,}"
                    f"</strong> of <strong data-figure='predictions_total'>{s['predictions_total']:,}</strong> "
                    f"predictions (<strong data-figure='success_rate'>{percent(s['success_rate'], 2)}</strong>) "
                    + (f"came true: from {_day(start)} to {_day(end)}, a crime of the predicted type was reported "
                       f"inside the box during the shift" if s["types_exact"] else
                       f"matched a reported crime: from {_day(start)} to {_day(end)}, a crime whose type was "
                       "predicted there was reported inside the box during the shift (The Markup's count; some of "
                       "those predictions were of another type than the crime)")
                    + f" (95% interval {percent(lo, 2)} to {percent(hi, 2)}).</p>")
    else:
        headline = ("<p>The crime reports carry no match with the predictions and the predictions have no dates "
                    "to match them with, or prediction totals are only published for the whole window: no success "
                    "rate can be given for this selection.</p>")
    figures = [_figure("Reports analysed", "reports_analysed", integer(s["reports_analysed"]),
                       f"of {s['reports_total']:,} in the file"),
               _figure("Of a kind it predicts", "reports_predictable", integer(s["reports_predictable"]))]
    if s["reports_with_prediction"] is not None:
        figures += [_figure("Inside a box, during its shift", "reports_with_prediction",
                            integer(s["reports_with_prediction"])),
                    _figure("… of the predicted type", "reports_correct_type", integer(s["reports_correct_type"]))]
    out = ("<section id='accuracy'><h2>Did the predictions come true?</h2>" + headline
           + f"<dl class='figures'>{''.join(figures)}</dl>"
           + chart(charts.funnel(s["funnel"]), f"From reported crimes to predictions that came true. Matched by "
                                                f"{s['match_method_words']}."))
    if s["success_rate"] is not None and s["by_type"]:
        out += chart(charts.success_rates(s["by_type"], s), "Whiskers are 95% intervals. The lower panel is the "
                                                             "figure often quoted instead.")
    note = ("The income, race and incident-type filters do not apply here: the method covers every report and "
            "every prediction of the department." if f.selects_block_groups or f.incident_types else "")
    return out + (f"<p class='note'>{_e(note)}</p>" if note else "") + "</section>"


def _audit(con, department: str, f: Filters) -> str:
    rows = [r for r in audit.audit_summary(con, f) if r["department"] == department]
    if not rows:
        return "<section id='audit'><h2>Audit flags</h2><p>No predictions in this selection.</p></section>"
    r = rows[0]
    flags = [
        _figure("Locations outside every block group", "outside_jurisdiction", integer(r["outside_jurisdiction"]),
                f"{r['outside_jurisdiction_predictions']:,} predictions; {r['outside_nearby']:,} nearby, "
                f"{r['outside_far']:,} far away"),
        _figure("Locations outside the United States", "outside_us", integer(len(r["outside_us"]))),
        _figure("Locations at 0°, 0°", "zero_zero", integer(len(r["zero_zero"]))),
        _figure("Latitude and longitude swapped", "swapped", integer(len(r["swapped"]))),
        _figure("Police stations, jails, courts, hospitals in a box", "site_artefacts",
                integer(len(r["site_artefacts"]))),
        _figure("Block groups targeted on more than 90% of days", "persistent_block_groups",
                integer(len(r["persistent_block_groups"]))),
    ]
    out = ("<section id='audit'><h2>Audit flags</h2><p>Places where the data, or the software, looks wrong: "
           "predictions geocoded far away, sites that draw predictions because crimes are recorded there, and "
           "block groups targeted almost every day.</p>" f"<dl class='figures'>{''.join(flags)}</dl>")
    sites = pd.DataFrame(r["site_artefacts"])
    if len(sites):
        out += "<h3>Sites inside prediction boxes</h3>" + _table(sites, {
            "site": ("Site", str), "kind": ("Kind", lambda k: SITE_KINDS.get(k, k)),
            "predictions": ("Predictions", integer), "days": ("Days", integer)})
    everyday = pd.DataFrame(r["persistent_block_groups"])
    if len(everyday):
        out += "<h3>Block groups targeted on more than 90% of the days in use</h3>" + _table(everyday, {
            "geoid": ("Block group", str), "days_targeted": ("Days targeted", integer),
            "days_in_use": ("Days in use", integer), "share_of_days": ("Share of days", percent),
            "predictions": ("Predictions", integer), "residents": ("Residents", integer),
            "share_black": ("Black", percent), "share_latino": ("Latino", percent),
            "share_low_income": ("Low-income households", percent)})
    far = pd.DataFrame(r["outside_us"] + r["zero_zero"] + r["swapped"])
    if len(far):
        out += "<h3>Misplaced prediction locations</h3>" + _table(far, {
            "lat": ("Latitude", lambda v: f"{v:.4f}"), "lon": ("Longitude", lambda v: f"{v:.4f}"),
            "address": ("Address", str), "predictions": ("Predictions", integer)})
    return out + "</section>"


def _sites(con, f: Filters, names: dict[str, str], added: pd.DataFrame | None) -> str:
    """Every listed site (and those added in the app) with the predictions in its box, and where they came from."""
    table = site_analysis.site_table(con, f, added)
    if table.empty:
        return ("<section id='sites'><h2>Police stations, jails, courts and public housing</h2><p>No sites are "
                "listed for this department: fetch them (<code>python -m lib.cli fetch-sites DIR</code>) or add "
                "them in the app.</p></section>")
    housing = site_analysis.housing_targeting(con, f, table)
    out = ("<section id='sites'><h2>Police stations, jails, courts and public housing</h2>"
           f"<p class='reading' data-figure='sites_headline'>{_e(site_analysis.headline(table, names))}</p>"
           + _table(table, {
               "site": ("Site", str), "kind": ("Kind", lambda k: SITE_KINDS.get(k, k)),
               "predictions": ("Predictions in its 600 ft box", integer),
               "share_of_department": ("Share of the department's", lambda v: percent(v, 2)),
               "best_place_rank": ("Rank among the department's places", integer),
               "origin": ("Source", lambda v: "—" if _missing(v) else str(v)),
               "retrieved": ("Retrieved", _day)}))
    mine = housing[housing["department"].notna()]
    if len(mine):
        row = mine.iloc[0]
        out += (f"<p>Public housing, The Markup's measure (R/housing.R, applied to block groups): "
                f"{integer(row['in_most_targeted'])} of {integer(row['developments'])} developments in the most-"
                f"targeted 5% of areas, {integer(row['above_median'])} above the median; ours: "
                f"{integer(row['drew_predictions'])} whose own box drew predictions.</p>")
    return out + (f"<p class='note'>Sites: {_e(' '.join(site_analysis.provenance(table)))} "
                  f"{_e(site_analysis.INCOMPLETE)}</p></section>")


def _provenance(dataset, row: dict, f: Filters, names: dict[str, str]) -> str:
    source = dataset.source
    if dataset.is_demo:
        origin = (f"<p><strong>Synthetic demo data, not real.</strong> {_e(source.get('title', ''))}, generated by "
                  f"<code>{_e(source.get('generator', ''))}</code> with seed {_e(source.get('seed'))}.</p>")
    else:
        repos = "".join(f"<li>{_e(s.get('repository'))} at commit <code>{_e(str(s.get('commit'))[:12])}</code>"
                        + (f" ({_e(s.get('licence'))} licence)" if s.get("licence") else "") + "</li>"
                        for s in source.get("sources", []))
        origin = (f"<p>{_e(source.get('title', 'Imported data'))}.</p>" + (f"<ul>{repos}</ul>" if repos else ""))
    counts = ", ".join(f"{table.replace('_', ' ')} {rows:,}" for table, rows in dataset.rows.items() if rows)
    checks = (f"{dataset.error_count:,} rows set aside by the input checks, {dataset.warning_count:,} warnings."
              if not dataset.problems.empty else "The input checks found no problems.")
    return (
        "<section id='provenance'><h2>Data and method</h2>" + origin
        + f"<p>Rows loaded: {_e(counts)}. {_e(checks)}</p>"
        + f"<p>Department: {_e(row['name'])} ({_e(row['department'])}), {_e(row.get('state'))}; predictions "
          f"from {_e(_day(row.get('first_prediction_date')))} to {_e(_day(row.get('final_prediction_date')))}.</p>"
        + f"<p>Selection: {_e(f.describe(names, subject='Showing data'))}.</p>"
        + "<ul class='method'>"
          "<li>Predictions are counted per prediction-box centre (a 600 ft square); a prediction belongs to the "
          "block group holding its centre. Residents and households come from the Census American Community "
          "Survey, whose block-group figures are estimates with wide margins of error.</li>"
          "<li>'Majority' means more than half of residents; 'mostly low-income' means more than half of "
          "households are eligible for free or reduced-price school lunch.</li>"
          "<li>Disparities follow The Markup's 2021 method (ranking, 5% windows, shares as Σ group ÷ Σ residents, "
          "Spearman correlation); the published analysis also used the margins of error, these figures use the "
          f"point estimates. <a href='{METHOD_2021}'>How The Markup did it</a>.</li>"
          "<li>Accuracy follows The Markup's 2023 method: a prediction came true when a crime of the predicted "
          "type was reported inside its box during its shift; intervals are 95% Beta intervals. "
          f"<a href='{METHOD_2023}'>How The Markup did it</a>.</li>"
          "</ul></section>")


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f1f1f; margin: 0 auto;
       max-width: 1100px; padding: 24px 32px 64px; line-height: 1.5; }
header { border-bottom: 3px solid #1f1f1f; margin-bottom: 24px; }
h1 { font-size: 2.2em; margin: 0 0 4px; } h2 { margin-top: 40px; border-bottom: 1px solid #ddd; }
.demo { background: #fff4d6; border: 1px solid #e6c35c; padding: 8px 12px; border-radius: 6px; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px 24px; }
.figure dt { font-size: 0.85em; color: #555; } .figure dd { margin: 0; font-size: 1.7em; font-weight: 600; }
.figure dd.note { font-size: 0.8em; font-weight: normal; color: #666; }
.reading { font-size: 1.05em; } .note, figcaption { font-size: 0.85em; color: #666; }
figure { margin: 12px 0 24px; }
table { border-collapse: collapse; font-size: 0.9em; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 4px 10px; text-align: left; }
td { font-variant-numeric: tabular-nums; }
footer { margin-top: 48px; font-size: 0.8em; color: #666; }
"""


def datasheet_html(dataset, con, filters: Filters, added: pd.DataFrame | None = None) -> str:
    """The datasheet of the one department in `filters`, under the rest of the filters, as one HTML page;
    `added`: the sites added in the app (name, kind, lat, lon), shown with those of the data."""
    department = department_of(filters)
    row = _department_row(con, department)
    name = str(row["name"])
    names = dict(run(con, "SELECT department, name FROM departments").itertuples(index=False))
    chart = _Charts()
    generated = datetime.now(timezone.utc)
    banner = ("<p class='demo'><strong>Synthetic demo data, not real.</strong> The department and every number "
              "below are invented, to show how the app works.</p>" if dataset.is_demo else "")
    body = (
        f"<header><h1>{_e(name)}</h1><p>Where PredPol sent police, who lives there"
        + (", and how often the predictions came true" if dataset.has("crime_reports") else "")
        + f". {_e(filters.describe(names, subject='Showing data'))}.</p>{banner}</header>"
        + _key_figures(con, filters, name)
        + _map(con, filters, chart)
        + _disparities(con, filters, name, names, chart)
        + _accuracy(con, department, filters, name, chart)
        + _audit(con, department, filters)
        + _sites(con, filters, names, added)
        + _provenance(dataset, row, filters, names)
        + f"<footer>Generated by the PredPol explorer on {generated:%Y-%m-%d %H:%M} UTC. Reproduce with "
          f"<code>python -m lib.cli datasheet DIR --department {_e(department)} --out FILE.html</code> "
          "(department filter only) or the Overview's Download datasheet button.</footer>")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{_e(name)} — PredPol datasheet</title><style>{CSS}</style></head>"
            f"<body>{body}</body></html>\n")


def write_datasheet(dataset, con, filters: Filters, out_path: Path) -> Path:
    out_path = Path(out_path)
    out_path.write_text(datasheet_html(dataset, con, filters), encoding="utf-8")
    return out_path


def for_department(filters: Filters, department: str) -> Filters:
    """The page's filters narrowed to one department (the datasheet's subject)."""
    return replace(filters, departments=(department,))
