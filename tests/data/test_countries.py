"""The compact country lookup gives reverse_geocode's answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import reverse_geocode

from lib.data.countries import nearest_places


def package_places(lat, lon) -> pd.DataFrame:
    found = reverse_geocode.search(list(zip(lat, lon)))
    return pd.DataFrame({"country_code": [p["country_code"] for p in found],
                         "country": [p["country"] for p in found], "place": [p["city"] for p in found]},
                        dtype=object)


def test_known_places():
    got = nearest_places([34.0, 42.46372, 0.0], [-118.0, 1.49129, 0.0])
    assert got.to_dict("records") == [
        {"country_code": "US", "country": "United States", "place": "Hacienda Heights"},
        # an escaped name in the package's file (Sant Juli\u00e0 de L\u00f2ria), decoded
        {"country_code": "AD", "country": "Andorra", "place": "Sant Julià de Lòria"},
        {"country_code": "GH", "country": "Ghana", "place": "Takoradi"},
    ]


def test_no_points():
    assert list(nearest_places([], []).columns) == ["country_code", "country", "place"]
    assert nearest_places([], []).empty


def test_same_as_the_package_anywhere():
    rng = np.random.default_rng(3)
    lat = np.concatenate([rng.uniform(-90, 90, 3000), rng.uniform(24, 50, 2000)])
    lon = np.concatenate([rng.uniform(-180, 180, 3000), rng.uniform(-125, -66, 2000)])
    pd.testing.assert_frame_equal(nearest_places(lat, lon), package_places(lat, lon))


def test_same_as_the_package_on_the_real_data(real_con, real):
    """Every point of the real data outside its department's block groups: the same place, and the one abroad
    still in Kyrgyzstan (the load's warning and the stored outside_points say so)."""
    points = real_con.execute("SELECT lat, lon, country_code FROM outside_points ORDER BY ALL").df()
    assert len(points) == 6309
    got = nearest_places(points["lat"], points["lon"])
    pd.testing.assert_frame_equal(got, package_places(points["lat"], points["lon"]))
    assert points["country_code"].value_counts().to_dict() == {"US": 6308, "KG": 1}
    abroad = real.problems[real.problems["expected"].str.contains("outside the United States", na=False)]
    assert abroad["expected"].str.contains(r"\(near Kara-Kulja, Kyrgyzstan\)").tolist() == [True]
