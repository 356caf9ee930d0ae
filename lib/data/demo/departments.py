"""The fictional departments: the shipped demo's three towns, and a national shape of 38 departments."""
from __future__ import annotations

from datetime import date

from lib.data.demo.model import DemoDepartment

DEPARTMENTS = (
    DemoDepartment(
        "rivertonpdnj", "Riverton, N.J. (demo)", "Riverton", "NJ", "34", "023", (40.548, -74.470),
        6, 6, date(2018, 2, 1), False, 0.40,
        (("black", 0.2, 0.3), ("latino", 0.8, 0.25), ("white", 0.55, 0.9), ("asian", 0.95, 0.95)),
        ((0, 5), (2, 5)),
        ("Front St", "Second St", "Government Ave", "Park Ave", "Elm St", "Maple Ave", "Liberty St"),
        ("Watchung Ave", "Grant Ave", "Clinton Ave", "Arlington Ave", "Berkeley Ter"),
        (("police_station", "Riverton Police Headquarters"), ("court", "Riverton Municipal Court"),
         ("hospital", "Riverton General Hospital"), ("public_housing", "Elm Court Homes"),
         ("public_housing", "Hillside Gardens"), ("school", "Riverton High School")),
        (("City Of Riverton, Riverton, NJ", "Imprecise"),
         ("Middlesex Cty Jail, Riverton, NJ", "Other police department"),
         ("Nj/somerset County, Riverton, NJ", "Not an address or intersection")),
    ),
    DemoDepartment(
        "lakesidepdca", "Lakeside, Calif. (demo)", "Lakeside", "CA", "06", "071", (34.040, -117.640),
        8, 7, date(2018, 10, 1), None, 0.35,
        (("latino", 0.3, 0.4), ("white", 0.8, 0.8), ("black", 0.75, 0.12), ("asian", 0.05, 0.95)),
        ((7, 6), (7, 4)),
        ("Foothill Blvd", "Arrow Hwy", "Base Line Rd", "Mission Blvd", "Holt Ave", "Orange St"),
        ("Euclid Ave", "Mountain Ave", "Vineyard Ave", "Grove Ave", "Campus Ave", "Sultana Ave"),
        (("police_station", "Lakeside Police Department"), ("court", "Lakeside Superior Court Annex"),
         ("hospital", "Lakeside Community Hospital"), ("public_housing", "Mesa Vista Apartments"),
         ("school", "Lakeside Elementary School"), ("school", "Lakeside Middle School")),
        (("City Of Lakeside, Lakeside, CA", "Imprecise"),
         ("Ca/san Bernardino County, Lakeside, CA", "Not an address or intersection")),
    ),
    DemoDepartment(
        "cedarfallspdga", "Cedar Falls, Ga. (demo)", "Cedar Falls", "GA", "13", "063", (33.545, -84.400),
        6, 5, date(2019, 6, 1), True, 0.25,
        (("black", 0.35, 0.35), ("white", 0.8, 0.85), ("latino", 0.9, 0.15)),
        ((0, 4), (0, 2)),
        ("Main St", "Church St", "Magnolia Dr", "Jonesboro Rd", "Mill St"),
        ("Peachtree Pkwy", "Oak St", "Pine St", "Battle Creek Rd", "Tara Blvd"),
        (("police_station", "Cedar Falls Police Precinct"), ("jail", "Cedar Falls County Jail"),
         ("hospital", "Cedar Falls Medical Center"), ("public_housing", "Magnolia Terrace"),
         ("public_housing", "Pinecrest Homes"), ("school", "Cedar Falls High School")),
        (("City Of Cedar Falls, Cedar Falls, GA", "Imprecise"),
         ("Ga/clayton County, Cedar Falls, GA", "Not an address or intersection")),
    ),
)
# Geocoding errors planted per department: Bahrain for an ambiguous street name,
# lat/lon swapped, and a failed geocode at 0,0.
MANAMA_DEPARTMENT, SWAPPED_DEPARTMENT, NULL_ISLAND_DEPARTMENT = "rivertonpdnj", "cedarfallspdga", "lakesidepdca"

# The national shape: the three towns above and 35 more, as many departments as The Markup's data has with
# predictions (38) and about as many block groups (6,060 there; 119 + 35 x 168 = 5,999 here).
NATIONAL_DEPARTMENTS = 38
NATIONAL_GRID = (13, 13)  # columns, rows: 169 cells, two joined as the park -> 168 block groups
NAME_STARTS = ("Ash", "Birch", "Clear", "Dun", "Elk", "Fern", "Glen", "Hazel", "Iron", "Juniper", "Kestrel", "Lark",
               "Mill", "Nor", "Oak", "Pine", "Quarry", "Red", "Silver", "Timber", "Upland", "Vale", "Willow")
NAME_ENDS = ("brook", "port", "field", "dale", "ford")
# (postal code, FIPS code, AP abbreviation, (lat, lon) well inside the state, so that the offline country lookup
# places every town in the United States).
STATES = (("IL", "17", "Ill.", (40.0, -89.0)), ("OH", "39", "Ohio", (40.2, -82.8)),
          ("TX", "48", "Texas", (31.5, -97.5)), ("WA", "53", "Wash.", (47.0, -120.5)),
          ("FL", "12", "Fla.", (28.3, -81.7)), ("MI", "26", "Mich.", (42.6, -84.8)),
          ("PA", "42", "Pa.", (40.6, -77.5)), ("AZ", "04", "Ariz.", (33.9, -111.9)),
          ("CO", "08", "Colo.", (39.5, -105.0)), ("MO", "29", "Mo.", (38.5, -92.5)),
          ("TN", "47", "Tenn.", (35.8, -86.5)), ("NC", "37", "N.C.", (35.6, -79.5)))
TOWN_SPACING_DEGREES = 0.25  # between towns of one state: a town is about 0.1 degree across


def national() -> tuple[DemoDepartment, ...]:
    """38 departments: the demo's three, then 35 invented towns on a 13 x 13 grid each, up to three to a state,
    starting, ending and weighted differently."""
    towns = []
    for k in range(NATIONAL_DEPARTMENTS - len(DEPARTMENTS)):
        template = DEPARTMENTS[k % len(DEPARTMENTS)]
        city = NAME_STARTS[k % len(NAME_STARTS)] + NAME_ENDS[k % len(NAME_ENDS)]
        state, state_fips, state_name, (lat, lon) = STATES[k % len(STATES)]
        nth_in_state = k // len(STATES)
        columns, rows = NATIONAL_GRID
        towns.append(DemoDepartment(
            f"{city.lower()}pd{state.lower()}", f"{city}, {state_name} (demo)", city, state, state_fips,
            f"{101 + 2 * k:03d}", (lat, lon + TOWN_SPACING_DEGREES * nth_in_state), columns, rows,
            date(2018 + k % 3, 1 + (5 * k) % 12, 1), (True, False, None)[k % 3],
            0.05 + 0.3 * ((37 * k) % 17) / 17, template.anchors, ((0, rows - 1), (2, rows - 1)),
            template.east_west_streets, template.north_south_streets,
            (("police_station", f"{city} Police Department"), ("court", f"{city} Municipal Court"),
             ("hospital", f"{city} General Hospital"), ("public_housing", f"{city} Homes"),
             ("school", f"{city} High School")),
            ((f"City Of {city}, {city}, {state}", "Imprecise"),)))
    return DEPARTMENTS + tuple(towns)


SHAPES = {"three": lambda: DEPARTMENTS, "national": national}
DEFAULT_SHAPE = "three"
