"""A Census block group's GEOID (state 2, county 3, tract 6, block group 1 digits) in words a reader knows:
'Block group 2, tract 3.01, Union County, N.J.'.

County names are the Census Bureau's (public domain), for the counties of The Markup's data; a GEOID elsewhere
(the demo's, an upload's) reads without its county.
"""
from __future__ import annotations

import re

COUNTIES = {
    "01073": "Jefferson County, Ala.", "01117": "Shelby County, Ala.",
    "06001": "Alameda County, Calif.", "06019": "Fresno County, Calif.", "06037": "Los Angeles County, Calif.",
    "06047": "Merced County, Calif.", "06057": "Nevada County, Calif.", "06077": "San Joaquin County, Calif.",
    "06099": "Stanislaus County, Calif.",
    "12009": "Brevard County, Fla.", "12057": "Hillsborough County, Fla.", "12071": "Lee County, Fla.",
    "12083": "Marion County, Fla.", "12095": "Orange County, Fla.",
    "13089": "DeKalb County, Ga.", "13117": "Forsyth County, Ga.",
    "17031": "Cook County, Ill.", "17089": "Kane County, Ill.",
    "18011": "Boone County, Ind.", "18097": "Marion County, Ind.",
    "22019": "Calcasieu Parish, La.", "22079": "Rapides Parish, La.",
    "24021": "Frederick County, Md.", "24045": "Wicomico County, Md.",
    "25009": "Essex County, Mass.", "25013": "Hampden County, Mass.",
    "26077": "Kalamazoo County, Mich.",
    "34007": "Camden County, N.J.", "34015": "Gloucester County, N.J.", "34023": "Middlesex County, N.J.",
    "34035": "Somerset County, N.J.", "34039": "Union County, N.J.",
    "48073": "Cherokee County, Texas", "48113": "Dallas County, Texas",
    "49035": "Salt Lake County, Utah",
    "53053": "Pierce County, Wash.",
}

_GEOID = re.compile(r"^\d{12}$")


def tract_number(tract: str) -> str:
    """'000301' -> '3.01', '010500' -> '105' (the Census writes a tract's last two digits as a suffix)."""
    base, suffix = str(int(tract[:4])), tract[4:]
    return base if suffix == "00" else f"{base}.{suffix}"


def block_group_name(geoid) -> str | None:
    """'340390391002' -> 'Block group 2, tract 391, Union County, N.J.'; None for anything not a GEOID."""
    if not isinstance(geoid, str) or not _GEOID.match(geoid):
        return None
    words = f"Block group {geoid[11]}, tract {tract_number(geoid[5:11])}"
    county = COUNTIES.get(geoid[:5])
    return f"{words}, {county}" if county else words


def block_group_words(geoid) -> str:
    """'block group 2, tract 391, Union County, N.J. (340390391002)': in a sentence, the name first and the code
    for looking it up after it."""
    name = block_group_name(geoid)
    return f"{name[0].lower()}{name[1:]} ({geoid})" if name else f"block group {geoid}"
