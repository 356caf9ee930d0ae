"""Places that matter for reading predictions -- police stations, jails, courts, public housing -- fetched from
public sources (OpenStreetMap, HUD), imported from a newsroom's own list, or added one at a time, and written
to a data directory's sites.csv without touching the rows a user put there."""
