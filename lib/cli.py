"""Command line: python -m lib.cli COMMAND ...

Every analysis the app shows can be reproduced here; results print as CSV or JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.data import load
from lib.data.problems import problems_from_frame, summarise

DEFAULT_REAL_DIR = Path("data/real")


def _print_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr)


def open_dataset(directory: str):
    """Load a data directory; on unusable data print the report and exit 1."""
    dataset = load.load(Path(directory), progress=_print_progress)
    if not dataset.usable:
        print_report(dataset)
        raise SystemExit(1)
    return dataset


def print_report(dataset) -> None:
    for table, rows in dataset.rows.items():
        if rows is not None:
            rejected = dataset.rejected.get(table, 0)
            print(f"{table}: {rows:,} rows loaded" + (f", {rejected:,} set aside" if rejected else ""))
    problems = dataset.problems
    if problems.empty:
        print("No problems found.")
        return
    print(f"\n{dataset.error_count:,} errors, {dataset.warning_count:,} warnings")
    limit = 200
    for problem in problems_from_frame(problems.head(limit)):
        print(f"{problem.severity.upper():8} {problem.message()}")
    if len(problems) > limit:
        print(f"... and {len(problems) - limit:,} more; summary:")
        print(summarise(problems).to_string(index=False))


def cmd_validate(args) -> int:
    dataset = load.load(Path(args.directory), progress=_print_progress, refresh=True)
    print_report(dataset)
    return 1 if dataset.error_count or not dataset.usable else 0


def cmd_import_markup(args) -> int:
    from lib.data.markup import MarkupImportError, import_markup
    try:
        import_markup(Path(args.source), Path(args.dest))
    except MarkupImportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    _print_next_steps(Path(args.dest))
    return 0


def cmd_fetch(args) -> int:
    from lib.data.fetch import FetchError, fetch
    from lib.data.markup import MarkupImportError
    try:
        fetch(Path(args.dest), source=Path(args.source) if args.source else None, progress=_print_progress)
    except MarkupImportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except FetchError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    _print_next_steps(Path(args.dest))
    return 0


def _print_next_steps(dest: Path) -> None:
    print(f"\nWrote The Markup's data to {dest.resolve()}. Next:\n"
          f"  python -m lib.cli validate {dest}\n"
          f"  PP_DATA_DIR={dest} streamlit run streamlit_app.py", file=sys.stderr)


def cmd_demo(args) -> int:
    from lib.data.demo import generate
    size = {"predictions": args.predictions} if args.predictions else {}
    try:
        counts = generate(Path(args.dest), seed=args.seed, shape=args.shape, **size)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps(counts, indent=1))
    return 0


def cmd_reproduce(args) -> int:
    from lib.analysis import reproduce
    published = Path(args.published) if args.published else reproduce.find_published(args.directory)
    if published is None or not (published / reproduce.BIAS / "published").is_dir():
        print(f"The Markup's published tables were not found: expected {reproduce.BIAS}/published in "
              f"{args.published or 'the folder named by $' + reproduce.ENV + ' or by imported_from in source.json'}. "
              "Give it with --published.", file=sys.stderr)
        return 1
    dataset = open_dataset(args.directory)
    with dataset.connect() as con:
        table = reproduce.reproduction(con, published, args.counts)
    print(reproduce.summary(table).to_string(index=False), file=sys.stderr)
    print(json.dumps(reproduce.headline(table)), file=sys.stderr)
    write_frame(table, args.out)
    return 0


def write_frame(frame, out: str | None) -> None:
    """A result table as CSV, to a file or to standard output."""
    from lib.export import csv_bytes
    data = csv_bytes(frame)
    if out:
        Path(out).write_bytes(data)
        print(f"Wrote {len(frame):,} rows to {out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode())


def print_json(value) -> None:
    print(json.dumps(value, indent=1, default=str))


def filters_for(args):
    from lib.filters import Filters
    department = getattr(args, "department", None)
    return Filters(departments=(department,) if department else ())


def cmd_disparities(args) -> int:
    con = open_dataset(args.directory).connect()
    from lib.analysis.disparities import POINTS, disparity_table, has_published_counts
    if args.counts != POINTS and not has_published_counts(con):
        print(f"error: {args.directory} has no published per-block-group counts (block_group_counts.csv): "
              "rank on --counts points, or import The Markup's data again to get them", file=sys.stderr)
        return 2
    write_frame(disparity_table(excluding(con, args), filters_for(args), counts=args.counts), args.out)
    if args.exclude:
        from lib.analysis import compare
        survival = compare.finding_survival(con, filters_for(args), args.exclude).summary
        for words in [compare.survival_verdict(survival).replace("**", ""), *compare.survival_lines(survival)]:
            print(words, file=sys.stderr)
    return 0


def cmd_accuracy(args) -> int:
    con = open_dataset(args.directory).connect()
    from lib.analysis.accuracy import accuracy_summary
    summary = accuracy_summary(con, args.department)
    if args.json:
        print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def cmd_audit(args) -> int:
    con = open_dataset(args.directory).connect()
    from lib.analysis.audit import audit_summary
    summary = audit_summary(excluding(con, args), filters_for(args))
    print_json(summary)
    if args.exclude:
        from dataclasses import replace

        from lib.analysis.exclusions_effects import audit_effects
        for row in audit_effects(con, replace(filters_for(args), exclude=args.exclude)).itertuples(index=False):
            print(f"{row.label}: {row.words}", file=sys.stderr)
    return 0


def exclusion_list(text: str) -> tuple[str, ...]:
    """--exclude artefacts,outside,geocoding"""
    from lib.filters import EXCLUSIONS
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in EXCLUSIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown exclusion {', '.join(map(repr, unknown))}: expected a "
                                         f"comma-separated list of {', '.join(EXCLUSIONS)}")
    return tuple(e for e in EXCLUSIONS if e in chosen)


def excluding(con, args):
    """`con` without the predictions of --exclude (the data as loaded when there is none)."""
    from lib.analysis import exclusions
    reasons = getattr(args, "exclude", ())
    for notice in exclusions.notices(con, reasons):
        print(notice.replace("**", ""), file=sys.stderr)
    return exclusions.honour(con.cursor(), reasons)


def cmd_compare(args) -> int:
    from dataclasses import replace

    from lib.analysis import compare
    from lib.filters import Filters, filter_options
    dataset = open_dataset(args.directory)
    con = dataset.connect()
    options = filter_options(con)
    a_params, b_params = compare.params_of(args.a), compare.params_of(args.b)
    a, a_notices = Filters.from_query_params(a_params, options)
    b, b_notices = Filters.from_query_params(b_params, options)
    for notice in [n.replace("in the link", "in --a") for n in a_notices] + \
            [n.replace("in the link", "in --b") for n in b_notices]:
        print(notice, file=sys.stderr)
    # One what-if for both: --exclude, else A's excl.
    reasons = args.exclude or a.exclude
    a, b = replace(a, exclude=reasons), replace(b, exclude=reasons)
    cursor = excluding(con, argparse.Namespace(exclude=reasons))
    names = options.departments
    pair = compare.headline_pair(cursor, a, b)
    findings = compare.finding_pair(cursor, a, b)
    if args.html:
        from lib.compare_sheet import comparison_html
        Path(args.html).write_text(comparison_html(cursor, a, b, names, dataset.is_demo), encoding="utf-8")
        print(f"Wrote {args.html}", file=sys.stderr)
    effects = compare.exclusion_effects(con, a, reasons) if reasons else None
    if args.json:
        print_json({"a": a.describe(names, subject="Block groups"), "b": b.describe(names, subject="Block groups"),
                    "link": compare.link(a, b),
                    "figures": pair.to_dict("records"), "disparities": findings.to_dict("records"),
                    "exclusion_effects_a": None if effects is None else effects.to_dict("records")})
        return 0
    print("A: " + a.describe(names, subject="block groups"))
    print("B: " + b.describe(names, subject="block groups"))
    print()
    for row in pair.itertuples(index=False):
        print(f"{row.label}: A {compare.formatted(row.figure, row.a)}, B {compare.formatted(row.figure, row.b)}. "
              f"{row.words}")
    print()
    for words in findings["words"]:
        print(words)
    if effects is not None:
        print()
        for row in effects.itertuples(index=False):
            print(f"A without {row.exclusion}: {row.label}: {row.words}")
    return 0


def cmd_datasheet(args) -> int:
    dataset = open_dataset(args.directory)
    from lib.datasheet import write_datasheet
    write_datasheet(dataset, dataset.connect(), filters_for(args), Path(args.out))
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0


def cmd_tables(args) -> int:
    from lib.store import describe
    if args.readme:
        path = Path(args.readme)
        try:
            path.write_text(describe.with_readme_section(path.read_text()))
        except (OSError, ValueError) as exc:
            print(f"Could not update {path}: {exc}", file=sys.stderr)
            return 2
        print(f"Wrote the stored-tables section of {path}", file=sys.stderr)
        return 0
    if not args.directory:
        print("Give a data directory (or --readme FILE).", file=sys.stderr)
        return 2
    dataset = open_dataset(args.directory)
    frame = describe.stored_tables(dataset.store)
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
        return 0
    width = frame["table"].str.len().max()
    for row in frame.itertuples(index=False):
        print(f"{row.table:<{width}}  {row.rows:>12,} rows  {row.bytes / 1024:>10,.1f} KB  from {row[2]}"
              f" ({row[3]}; {row.kept}{', ' + row.partitioned if row.partitioned else ''})")
        print(f"{'':<{width}}  {row.holds}")
    return 0


def cmd_fetch_sites(args) -> int:
    from lib.places.http import PlacesError
    from lib.places.sitefile import fetch_sites
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    source_names = tuple(s.strip() for s in args.source.split(",") if s.strip())
    try:
        written = fetch_sites(Path(args.directory), kinds, source_names, tuple(args.department or ()),
                              overpass=args.overpass_url, hud=args.hud_url, progress=_print_progress)
    except PlacesError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(written.summary())
    if len(written.added):
        from lib.places.sources import SOURCE_LABELS
        for (source, licence), n in written.added.groupby(["source", "licence"]).size().items():
            print(f"  {n:,} from {SOURCE_LABELS.get(source, source)}, retrieved "
                  f"{written.added.loc[written.added['source'] == source, 'retrieved'].min()}; {licence}")
    print("Lists from OpenStreetMap and HUD can be incomplete: check them against local records.")
    return 0


def cmd_import_sites(args) -> int:
    from lib.places.http import PlacesError
    from lib.places.sitefile import import_sites
    try:
        written = import_sites(Path(args.directory), Path(args.file))
    except PlacesError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for problem in written.problems:
        print(f"{problem.severity.upper():8} {problem.message()}", file=sys.stderr)
    print(written.summary())
    return 1 if written.problems and written.added.empty else 0


def cmd_sites(args) -> int:
    dataset = open_dataset(args.directory)
    con = dataset.connect()
    from lib.analysis import sites
    from lib.db import run
    f = filters_for(args)
    table = sites.site_table(con, f)
    if args.json:
        def records(frame):
            return json.loads(frame.to_json(orient="records", date_format="iso"))
        print_json({"sites": records(table), "by_kind": records(sites.kind_totals(con, f, table)),
                    "public_housing": records(sites.housing_targeting(con, f, table)),
                    "provenance": sites.provenance(table), "note": sites.INCOMPLETE})
        return 0
    if args.out:
        write_frame(table, args.out)
    if table.empty:
        print(f"No sites listed in {args.directory}/sites.csv for this selection; add them with "
              f"`python -m lib.cli fetch-sites {args.directory}` or `import-sites`.")
        return 0
    names = dict(run(con, "SELECT department, name FROM departments").itertuples(index=False))
    print(sites.headline(table, names) + "\n")
    shown = table.assign(share=table["share_of_department"].map(lambda v: f"{v:.2%}" if v == v else ""))
    print(shown[["department", "kind", "site", "predictions", "share", "best_place_rank"]].to_string(index=False))
    print("\nSites: " + " ".join(sites.provenance(table)) + "\n" + sites.INCOMPLETE)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a data directory and report every problem")
    p.add_argument("directory")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("import-markup", help="convert The Markup's published files into a data directory")
    p.add_argument("source", help="folder laid out like ../shared/data (markup-prediction-bias/, markup-plainfield/)")
    p.add_argument("dest")
    p.set_defaults(func=cmd_import_markup)

    p = sub.add_parser("fetch", help="download The Markup's data at the pinned commits and import it")
    p.add_argument("--source", help="use a local copy laid out like ../shared/data instead of downloading")
    p.add_argument("--dest", default=str(DEFAULT_REAL_DIR))
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("demo", help="generate a synthetic data directory")
    p.add_argument("dest")
    p.add_argument("--predictions", type=int, default=None)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--shape", choices=["three", "national"], default="three",
                   help="three fictional towns (the shipped demo) or 38 departments nationwide, the real data's breadth")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("disparities", help="The Markup's disparity method: one row per department and group")
    p.add_argument("directory")
    p.add_argument("--department")
    p.add_argument("--out", help="CSV file to write (default: standard output)")
    p.add_argument("--exclude", type=exclusion_list, default=(), metavar="artefacts,outside,geocoding",
                   help="leave these predictions out; whether the finding survives goes to standard error")
    p.add_argument("--counts", choices=["points", "published"], default="points",
                   help="rank block groups on the predictions placed in them (points, the default) or on the "
                        "count The Markup published with each block group (published)")
    p.set_defaults(func=cmd_disparities)

    p = sub.add_parser("accuracy", help="how often predictions came true, for one department with crime reports")
    p.add_argument("directory")
    p.add_argument("--department", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_accuracy)

    p = sub.add_parser("audit", help="artefact hotspots, sites targeted day after day, geocoding errors")
    p.add_argument("directory")
    p.add_argument("--department")
    p.add_argument("--json", action="store_true", help="print JSON (the only format)")
    p.add_argument("--exclude", type=exclusion_list, default=(), metavar="artefacts,outside,geocoding",
                   help="leave these predictions out of every count (each figure with and without goes to stderr)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("compare", help="two selections side by side (each given as a link's query)")
    p.add_argument("directory")
    p.add_argument("--a", required=True, help="selection A as a URL query, e.g. \"dept=plainfieldpdnj&majority=black\"")
    p.add_argument("--b", required=True, help="selection B as a URL query (the same keys, without b_)")
    p.add_argument("--exclude", type=exclusion_list, default=(), metavar="artefacts,outside,geocoding",
                   help="leave these predictions out of both (default: A's excl)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--html", metavar="FILE", help="also write the comparison as a self-contained HTML sheet")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("reproduce", help="every figure in The Markup's published tables beside the app's")
    p.add_argument("directory", help="the app's data directory (imported from The Markup's files)")
    p.add_argument("--published", help="the folder holding markup-prediction-bias/ and markup-plainfield/ "
                                       "(default: $PP_MARKUP_PUBLISHED, else where the data was imported from)")
    p.add_argument("--counts", choices=["all_time", "geojson"], default="all_time",
                   help="the prediction counts to rank block groups on")
    p.add_argument("--out", help="CSV file to write (default: standard output)")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("datasheet", help="a self-contained HTML datasheet for one department")
    p.add_argument("directory")
    p.add_argument("--department", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_datasheet)

    p = sub.add_parser("tables", help="every table stored at load: what it holds, its size, what it is built from")
    p.add_argument("directory", nargs="?")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--readme", metavar="FILE", help="rewrite FILE's generated stored-tables section instead")
    p.set_defaults(func=cmd_tables)

    p = sub.add_parser("fetch-sites", help="add police stations, jails, courts (OpenStreetMap) and public housing "
                                           "(HUD) around each department to DIR/sites.csv")
    p.add_argument("directory")
    p.add_argument("--kinds", default="police_station,jail,court,public_housing",
                   help="comma-separated: police_station, jail, court, public_housing (or police as a short name)")
    p.add_argument("--source", default="osm,hud", help="comma-separated: osm, hud")
    p.add_argument("--department", action="append", help="only this department (repeatable)")
    p.add_argument("--overpass-url", help="Overpass API interpreter URL (default: PP_OVERPASS_URL or overpass-api.de)")
    p.add_argument("--hud-url", help="HUD feature service query URL (default: PP_HUD_URL or HUD's service)")
    p.set_defaults(func=cmd_fetch_sites)

    p = sub.add_parser("import-sites", help="add a CSV or GeoJSON list of sites to DIR/sites.csv")
    p.add_argument("directory")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_sites)

    p = sub.add_parser("sites", help="predictions in the 600 ft box of every listed site, per department")
    p.add_argument("directory")
    p.add_argument("--department")
    p.add_argument("--out", help="also write every site's figures to this CSV file")
    p.add_argument("--json", action="store_true", help="print the sites, totals per kind, the public-housing "
                                                       "measure and the sources as JSON")
    p.set_defaults(func=cmd_sites)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
