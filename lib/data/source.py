"""Reading a data directory's source.json (where its files came from), whatever the file holds.

The pages, the datasheet and the CLI read `source["sources"]` as a list of repositories and `source["kind"]` as a
word; a file that is a list, a string, or a `sources` that is not a list of objects would break them later, far
from the file. Here it becomes a warning naming the file and what was expected, and the parts that fit are kept.
"""
from __future__ import annotations

import json
from pathlib import Path

from lib.data.problems import WARNING, Problem, shown

FILE = "source.json"
TEXT_FIELDS = ("kind", "title", "generator", "imported_at", "imported_from")


def read_source(path: Path) -> tuple[dict, list[Problem]]:
    """The provenance document at `path` (an empty dict when absent or unreadable) and the problems found."""
    if not path.exists():
        return {}, []
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        return {}, [_problem(None, "JSON nested too deeply to read; expected an object such as "
                             '{"kind": "real", "title": …, "sources": […]}; provenance is unknown')]
    except (ValueError, UnicodeDecodeError, OSError):
        return {}, [_problem(None, "not valid JSON; provenance is unknown")]
    if not isinstance(document, dict):
        return {}, [_problem(type(document).__name__, "expected a JSON object such as "
                             '{"kind": "real", "title": …, "sources": […]}; provenance is unknown')]
    problems = []
    for key in TEXT_FIELDS:
        if key in document and not isinstance(document[key], (str, type(None))):
            problems.append(_problem(shown(document[key]), f"expected {key} to be text; it was left out"))
            del document[key]
    sources = document.get("sources")
    if sources is not None:
        if not isinstance(sources, list):
            problems.append(_problem(shown(sources), "expected sources to be a list of objects (repository, "
                                     "commit, licence, url); it was left out"))
            document["sources"] = []
        else:
            kept = [s for s in sources if isinstance(s, dict)]
            if len(kept) < len(sources):
                problems.append(_problem(shown([s for s in sources if not isinstance(s, dict)][0]),
                                         "expected each entry of sources to be an object (repository, commit, "
                                         f"licence, url); {len(sources) - len(kept)} left out"))
            document["sources"] = kept
    date_range = document.get("date_range")
    if date_range is not None and not isinstance(date_range, list):
        problems.append(_problem(shown(date_range), "expected date_range to be a list [first day, last day]; it "
                                 "was left out"))
        del document["date_range"]
    return document, problems


def _problem(value: str | None, expected: str) -> Problem:
    return Problem(FILE, None, None, value, expected, WARNING)
