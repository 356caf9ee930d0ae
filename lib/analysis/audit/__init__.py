"""Audit: hotspots that are not crime, sensitive places targeted day after day, geocoding errors,
and how targeting moved over time.

Every function takes the DuckDB connection and a Filters value (plus, where sites matter, the
sites a user added for the session as a DataFrame) and returns plain frames or dicts. One module per seam:
shared (the per-view memo, dates in use, shapes), site_checks (sites and sensitive places), addresses (address
patterns), geocoding, hotspots (over time) and summary (the command line's); the names the pages, the command line
and other modules use are all importable from here.
"""
from __future__ import annotations

from lib.analysis.audit.shared import (  # noqa: F401
    EVERYDAY_SHARE, NEARBY_KM, ZERO_DEGREES, TOP_SHARE, ARTEFACT_WORDS, ADDRESS_PATTERN, COURT_STREET,
    ADDRESS_PARAMS, SITE_COLUMNS, PROVENANCE_COLUMNS, STATUS_LABELS, ERROR_STATUSES, POINT_SOURCES, one_view, has_dates, days_in_use,
    department_predictions, block_group_shapes)
from lib.analysis.audit.site_checks import (  # noqa: F401
    validate_site, sites, site_artefacts, block_group_days, everyday_block_groups, sensitive_sites)
from lib.analysis.audit.addresses import (  # noqa: F401
    address_artefacts, NAMED, DISTINCT_ADDRESSES, named_address_parameters, artefact_share, STREET_WORDS,
    STREET_ABBREVIATIONS, street_name, NO_SAME_STREET)
from lib.analysis.audit.geocoding import (  # noqa: F401
    Geocoding, CORRECTIONS, classify_points, CLASSES, EVIDENCE, POINT_KEY, outside_point_tables, geocoding_audit,
    partial_coverage, abroad_evidence, ABROAD_COLUMNS, explain_abroad)
from lib.analysis.audit.hotspots import (  # noqa: F401
    persistent_hotspots, daily_predictions, monthly_block_groups, quarter_overlap)
from lib.analysis.audit.summary import audit_summary  # noqa: F401
# the per-site counts lib/analysis/sites.py builds on
from lib.analysis.audit.site_checks import _per_site, _site_params  # noqa: F401
