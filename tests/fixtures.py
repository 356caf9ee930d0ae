"""A tiny data directory written in code, small enough to compute every figure by hand.

alpha (Alpha City): four block groups side by side, 0.01 degrees wide, west to east:
  A1 010010000011  100 people (60 Black, 10 Latino, 20 White, 10 Asian), 32 of 40 households low-income
  A2 010010000012  200 people (20 Black, 20 Latino, 150 White, 10 Asian), 16 of 80 low-income
  A3 010010000013  100 people (10 Black, 60 Latino, 20 White, 10 Asian), 30 of 50 low-income
  A4 010010000014  nobody lives there (a park)
beta (Beta Town): B1 060010000021 300 people (30 Black, 170 Latino, 90 White, 10 Asian), 40 of 100 low-income
                  B2 060010000022 100 people (5 Black, 10 Latino, 30 White, 55 Asian), 8 of 40 low-income
Predictions: alpha 26 (A1 15, A2 3, A3 6, outside 2), beta 9 (B1 8, B2 1); 35 in all.
"""
from __future__ import annotations

import json
from pathlib import Path

BLOCK_GROUPS = [
    # department, geoid, west lon, south lat, total, black, latino, white, asian, households, low income
    ("alpha", "010010000011", -87.00, 33.00, 100, 60, 10, 20, 10, 40, 32),
    ("alpha", "010010000012", -86.99, 33.00, 200, 20, 20, 150, 10, 80, 16),
    ("alpha", "010010000013", -86.98, 33.00, 100, 10, 60, 20, 10, 50, 30),
    ("alpha", "010010000014", -86.97, 33.00, 0, 0, 0, 0, 0, 0, 0),
    ("beta", "060010000021", -120.00, 36.00, 300, 30, 170, 90, 10, 100, 40),
    ("beta", "060010000022", -119.99, 36.00, 100, 5, 10, 30, 55, 40, 8),
]
SIZE = 0.01

PREDICTIONS = """department,lat,lon,count,date,shift,incident_type,address
alpha,33.005,-86.995,10,2020-01-01,A,Burglary,1 First St
alpha,33.005,-86.995,5,2020-01-02,B,Gun Crimes,1 First St
alpha,33.005,-86.985,3,2020-01-01,C,Burglary,
alpha,33.005,-86.975,6,2020-01-03,D,Motor Vehicle Theft,
alpha,33.05,-86.9,2,2020-01-01,A,Burglary,99 Far Rd
beta,36.005,-119.995,8,2020-02-01,A,Burglary,
beta,36.005,-119.985,1,2020-02-02,B,Robbery|Aggravated Assault,
"""

DEPARTMENTS = """department,name,state,first_prediction_date,final_prediction_date,usable,active
alpha,"Alpha City, Ala.",AL,2020-01-01,2020-01-03,TRUE,TRUE
beta,"Beta Town, Calif.",CA,2020-02-01,2020-02-02,TRUE,FALSE
"""


def square(west: float, south: float) -> dict:
    ring = [[west, south], [west + SIZE, south], [west + SIZE, south + SIZE], [west, south + SIZE], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_tiny(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "departments.csv").write_text(DEPARTMENTS)
    (dest / "pp_report_locations_geocoded.csv").write_text(PREDICTIONS)
    race = ["geoid,department,total,white,black,latino,asian"]
    income = ["geoid,department,households,low_income_households"]
    features = []
    for dept, geoid, west, south, total, black, latino, white, asian, hh, low in BLOCK_GROUPS:
        race.append(f"{geoid},{dept},{total},{white},{black},{latino},{asian}")
        income.append(f"{geoid},{dept},{hh},{low}")
        features.append({"type": "Feature", "properties": {"geoid": geoid, "department": dept},
                         "geometry": square(west, south)})
    (dest / "census-block_group-race_ethnicity.csv").write_text("\n".join(race) + "\n")
    (dest / "census-block_group-household_income.csv").write_text("\n".join(income) + "\n")
    (dest / "block_groups.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    (dest / "source.json").write_text(json.dumps({"kind": "test", "title": "Tiny hand-made fixture"}))
    return dest
