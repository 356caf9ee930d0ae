"""Two versions of the app, alternated in the same minutes: the time until still of opening the same links, for a
first-time reader (empty HTTP cache) and a returning one, median of several runs.

    git worktree add /tmp/before <commit>
    python -m benchmarks.ab --data /work/realdata --apps /tmp/before . --paths /map "/map?dept=la" [--runs 5]

This host's speed moves by 10-25% from one half hour to the next (benchmarks/RESULTS.md), more than many changes
are worth: each round opens every path in every app in turn, so both see the same minutes. Each app runs its own
server on its own cache; the first round is not counted (it warms the servers' caches). Times are measured as
benchmarks.browser measures them (its BUSY_JS and wait_still).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.browser import open_page, reopen, wait_still


def measure(data_dir: Path, apps: list[Path], paths: list[str], runs: int, log=print) -> dict:
    """{(path, app index): [(open seconds, returning seconds), ...]} over `runs` counted rounds."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import launch_browser, start_server, stop_server
    work = Path(tempfile.mkdtemp(prefix="ab-"))
    servers = [start_server(data_dir, work / f"cache-{i}", work / f"server-{i}.log", app_dir=app.resolve())
               for i, app in enumerate(apps)]
    results: dict = {}
    playwright = sync_playwright().start()
    browser = launch_browser(playwright)
    try:
        for round_ in range(runs + 1):
            for path in paths:
                for i, server in enumerate(servers):
                    context, page, _ = open_page(browser, server.url + path)
                    first = wait_still(page, 0.0)
                    page.close()
                    _, again = reopen(context, server.url + path)
                    context.close()
                    if round_:
                        results.setdefault((path, i), []).append((first, again))
            log(f"round {round_} of {runs} done" + (" (warm-up, not counted)" if not round_ else ""))
    finally:
        browser.close()
        playwright.stop()
        for server in servers:
            stop_server(server)
    return results


def markdown(results: dict, apps: list[str]) -> str:
    """One row per path and app: medians, and each app's ratio to the first's."""
    lines = ["| Link | App | Open, empty cache (median s) | Returning reader (median s) | Returning ÷ first app |",
             "|---|---|--:|--:|--:|"]
    for (path, i), runs in sorted(results.items()):
        returning = statistics.median(r for _, r in runs)
        base = statistics.median(r for _, r in results[(path, 0)])
        lines.append(f"| `{path}` | {apps[i]} | {statistics.median(o for o, _ in runs):.2f} | {returning:.2f} | "
                     f"{returning / base:.2f}× |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="an app data directory (e.g. /work/realdata)")
    parser.add_argument("--apps", type=Path, nargs=2, required=True, help="two app folders (checkouts)")
    parser.add_argument("--paths", nargs="+", default=["/map"], help="links to open (default /map)")
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (median; default 5)")
    args = parser.parse_args(argv)
    missing = [str(p) for p in [args.data, *args.apps] if not p.is_dir()]
    if missing:
        print(f"not a directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    results = measure(args.data, args.apps, args.paths, max(args.runs, 1))
    print(markdown(results, [str(a) for a in args.apps]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
