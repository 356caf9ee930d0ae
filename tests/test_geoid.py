"""Block groups in words: GEOID = state (2) county (3) tract (6) block group (1)."""
from __future__ import annotations

import pandas as pd

from lib.geoid import block_group_name, tract_number
from lib.ui import readable


def test_tract_numbers_read_as_the_census_writes_them():
    assert (tract_number("000301"), tract_number("039100"), tract_number("010500")) == ("3.01", "391", "105")


def test_a_block_group_in_words_with_its_county_where_known():
    assert block_group_name("340390391002") == "Block group 2, tract 391, Union County, N.J."
    assert block_group_name("060372653011") == "Block group 1, tract 2653.01, Los Angeles County, Calif."
    assert block_group_name("999990003001") == "Block group 1, tract 3"  # a county outside the table
    assert block_group_name("outside") is None and block_group_name(None) is None


def test_readable_keeps_the_codes_beside_the_words():
    frame = pd.DataFrame({"department": ["plainfieldpdnj", None], "geoid": ["340390391002", None],
                          "kind": ["police_station", None], "predictions": [1312, 2]})
    shown = readable(frame, {"plainfieldpdnj": "Plainfield, N.J."})
    assert list(shown.columns) == ["department", "block_group", "geoid", "kind", "predictions"]
    assert shown.iloc[0].tolist() == ["Plainfield, N.J.", "Block group 2, tract 391, Union County, N.J.",
                                      "340390391002", "Police station", 1312]
    assert shown.iloc[1].tolist()[:4] == ["", "", "", ""]  # no "None" on the page
    assert frame.iloc[0]["kind"] == "police_station"  # the download's frame is untouched
