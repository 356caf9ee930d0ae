"""The Audit charts' text alternatives say each chart's key figures, computed by hand on small frames; the
charts' labels name block groups and sites in words short enough for a phone."""
from __future__ import annotations

import pandas as pd

from lib.charts import audit as charts
from lib.charts import fit_narrow_screens, wrapped

NAMES = {"alpha": "Alpha City, Ala.", "beta": "Beta Town, Calif."}


def test_site_bar_names_the_site_with_most_predictions_and_wraps_long_labels():
    frame = pd.DataFrame({"site": ["Alpha City Police Department Headquarters", "Jail"], "kind": ["police_station", "jail"],
                          "department": ["alpha", "beta"], "predictions": [120, 1_300], "days": [40, 200],
                          "share_of_department": [0.1, 0.2]})
    assert charts.site_bar_text(frame, NAMES) == (
        "2 sites drew predictions, 1,420 in all. The most: Jail (Beta Town, Calif.), 1,300 predictions on 200 days.")
    labels = list(charts.site_bar(frame, NAMES).layout.yaxis.categoryarray)
    assert labels[1] == "Jail (Beta Town, Calif.)"
    assert all(len(line) <= charts.SITE_LABEL_CHARS for line in labels[0].split("<br>"))
    assert labels[0].replace("<br>", " ") == "Alpha City Police Department Headquarters (Alpha City, Ala.)"
    assert charts.site_bar_text(frame.iloc[0:0], NAMES) == "No site drew a prediction."


def test_days_bar_counts_the_block_groups_over_90_percent_and_names_the_first():
    frame = pd.DataFrame({"department": ["alpha", "alpha", "beta"], "geoid": ["010730001001", "010730001002",
                                                                             "060370002011"],
                          "share_of_days": [0.95, 0.9, 0.5], "days_targeted": [95, 90, 50],
                          "days_in_use": [100, 100, 100]})
    text = charts.days_bar_text(frame, NAMES)
    # 0.9 is not more than 90%
    assert text == ("The 3 block groups targeted on the largest share of days, of 3; 1 were targeted on more than "
                    "90% of the days in use. The most: Block group 1, tract 1, Alpha City, Ala., 95 of 100 days (95%).")
    labels = list(charts.days_bar(frame.assign(residents=1, share_black=0.1, share_latino=0.1,
                                               share_low_income=0.1), NAMES).layout.yaxis.categoryarray)
    assert labels[-1] == "Block group 1, tract 1<br>Alpha City, Ala."


def test_over_time_texts_give_totals_peaks_and_overlap():
    daily = pd.DataFrame({"date": pd.to_datetime(["2019-01-01", "2019-01-02", "2019-01-05"]),
                          "predictions": [10, 30, 30]})
    assert charts.daily_text(daily) == ("70 predictions over 3 days, from Jan 1, 2019 to Jan 5, 2019; at most 30 on "
                                        "Jan 2, 2019.")
    monthly = pd.DataFrame({"department": ["alpha"] * 3 + ["beta"], "geoid": ["010730001001"] * 3 + ["060370002011"],
                            "month": pd.to_datetime(["2019-01-01", "2019-02-01", "2019-03-01", "2019-01-01"]),
                            "predictions": [5, 9, 1, 7], "total": [15, 15, 15, 7]})
    assert charts.month_heatmap_text(monthly, NAMES) == (
        "2 block groups over 3 months. The most in one month: Block group 1, tract 1, Alpha City, Ala., "
        "9 predictions in February 2019.")
    assert charts.top_lines_text(monthly, NAMES) == (
        "Monthly predictions of the 2 most-predicted block groups, led by Block group 1, tract 1, Alpha City, Ala. "
        "with 15 predictions in all.")
    overlap = pd.DataFrame({"department": ["alpha", "alpha", "beta"],
                            "quarter": pd.to_datetime(["2019-01-01", "2019-04-01", "2019-04-01"]),
                            "overlap_share": [None, 0.5, 1.0]})
    assert charts.overlap_text(overlap, NAMES) == (
        "On average 75% of a quarter's top 10% block groups were also in the previous quarter's, over 2 quarters; "
        "the least 50% (Alpha City, Ala., 2019 Q2), the most 100% (Beta Town, Calif., 2019 Q2).")


def test_outside_map_counts_each_status_and_the_farthest_point():
    points = pd.DataFrame({"status": ["nearby", "nearby", "far"], "distance_km": [0.5, 2.0, 140.0],
                           "department": ["alpha"] * 3})
    assert charts.outside_map_text(points, "Alpha City, Ala.") == (
        "3 points of Alpha City, Ala. outside its analysed block groups (2 outside, within 25 km; 1 outside, more "
        "than 25 km away), drawn over the block groups' outlines; the farthest lies 140.0 km outside.")


def test_long_titles_are_wrapped_for_a_phone_and_short_ones_kept():
    assert wrapped("Predictions that came true", 16) == "Predictions<br>that came true"
    assert wrapped("Share (%)", 22) == "Share (%)"
    assert wrapped("already<br>broken by hand", 5) == "already<br>broken by hand"
    # a word longer than a line stays whole (it was "POSSESSION OF OPI<br>UM/COCAINE/HEROIN")
    assert wrapped("POSSESSION OF OPIUM/COCAINE/HEROIN", 22) == "POSSESSION OF<br>OPIUM/COCAINE/HEROIN"
    import plotly.express as px
    fig = fit_narrow_screens(px.bar(x=[1], y=[2], labels={"x": "Prediction-count decile bucket, from fewest (1) to "
                                                          "most (10) predictions", "y": "Count"}))
    assert fig.layout.xaxis.title.text == ("Prediction-count decile bucket, from<br>fewest (1) to most (10) "
                                           "predictions")
    assert fig.layout.yaxis.title.text == "Count"


def test_every_audit_chart_keeps_the_download_buttons_corner_clear():
    from lib.charts import TOOL_COLUMN_PX
    monthly = pd.DataFrame({"department": ["alpha", "alpha"], "geoid": ["010730001001"] * 2,
                            "month": pd.to_datetime(["2019-01-01", "2019-02-01"]), "predictions": [5, 9],
                            "total": [14, 14]})
    figures = [
        charts.site_bar(pd.DataFrame({"site": ["Jail"], "kind": ["jail"], "department": ["alpha"], "predictions": [3],
                                      "days": [2], "share_of_department": [0.1]}), NAMES),
        charts.days_bar(pd.DataFrame({"department": ["alpha"], "geoid": ["010730001001"], "share_of_days": [0.5],
                                      "days_targeted": [5], "days_in_use": [10], "residents": [1], "share_black": [0.1],
                                      "share_latino": [0.1], "share_low_income": [0.1]}), NAMES),
        charts.month_heatmap(monthly, NAMES), charts.top_lines(monthly, NAMES),
        charts.overlap_bar(pd.DataFrame({"department": ["alpha"], "quarter": pd.to_datetime(["2019-04-01"]),
                                         "overlap_share": [0.5], "kept_from_previous": [1], "top_n": [2]}), NAMES),
        charts.daily_brush(pd.DataFrame({"date": pd.to_datetime(["2019-01-01"]), "predictions": [4]}))]
    margins = [fig.layout.margin.r for fig in figures]
    assert margins == [TOOL_COLUMN_PX] * len(figures)
