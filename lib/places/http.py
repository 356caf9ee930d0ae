"""A polite JSON client for the public services sites come from: one request at a time, a User-Agent that says
who asks, backoff on 429 and 5xx that honours Retry-After, and a cache of every answer with the day it was
retrieved. Failures are PlacesError values with a sentence for the user, never a traceback.

Hand-written on urllib rather than overpy, esridump or osmnx: osmnx pulls geopandas and networkx (far too heavy
for Community Cloud), overpy and esridump are small but neither honours Retry-After nor caches, and each covers
only one of the three services; the three requests here share forty lines.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

USER_AGENT = ("PredPol-explorer/1.0 (open-source audit of The Markup's predictive-policing data; "
              "https://github.com/the-markup/investigation-prediction-bias)")
TIMEOUT_SECONDS = 120  # Overpass may take its full [timeout:90] to answer
RETRIES = 4
MAX_WAIT_SECONDS = 120
CACHE_DAYS = 30
# One request at a time across every session of the server: the services' usage policies ask for no parallel
# requests from one client.
_ONE_AT_A_TIME = threading.Lock()


class PlacesError(Exception):
    """A source could not be read; the message says which, why, and that nothing was changed."""


@dataclass(frozen=True)
class Answer:
    body: object
    retrieved: str  # YYYY-MM-DD, the day the service gave this answer (a cached answer keeps its day)
    cached: bool


def cache_dir() -> Path:
    root = os.environ.get("PP_CACHE_DIR") or Path.home() / ".cache" / "predpol-explorer"
    return Path(root) / "places"


def _cache_path(url: str, data: bytes | None) -> Path:
    digest = hashlib.sha256(url.encode() + b"\0" + (data or b"")).hexdigest()[:32]
    return cache_dir() / f"{digest}.json"


def _retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait: the service's Retry-After (seconds or an HTTP date) or 2, 4, 8 ... seconds."""
    if value:
        try:
            return min(float(value), MAX_WAIT_SECONDS)
        except ValueError:
            from email.utils import parsedate_to_datetime
            try:
                wait = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
                return min(max(wait, 0.0), MAX_WAIT_SECONDS)
            except (TypeError, ValueError):
                pass
    return min(2.0 ** (attempt + 1), MAX_WAIT_SECONDS)


def get_json(url: str, params: dict | None = None, *, data: dict | None = None, what: str = "the service",
             timeout: float = TIMEOUT_SECONDS, retries: int = RETRIES, use_cache: bool = True,
             sleep: Callable[[float], None] = time.sleep) -> Answer:
    """GET url?params (or POST `data` form-encoded) and parse JSON; cached answers younger than CACHE_DAYS
    are reused. Raises PlacesError naming `what` on a timeout, an HTTP error after the retries, or a body
    that is not JSON."""
    full = url + ("?" + urllib.parse.urlencode(params) if params else "")
    body = urllib.parse.urlencode(data).encode() if data else None
    path = _cache_path(full, body)
    if use_cache and path.exists():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            age = datetime.now(timezone.utc) - datetime.fromisoformat(saved["retrieved_at"])
            if age.days < CACHE_DAYS:
                return Answer(saved["body"], saved["retrieved_at"][:10], True)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # an unreadable cache entry is fetched again
    request = urllib.request.Request(full, data=body, headers={"User-Agent": USER_AGENT,
                                                               "Accept": "application/json"})
    with _ONE_AT_A_TIME:
        raw = _send(request, what, timeout, retries, sleep)
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PlacesError(f"{what} answered with something that is not JSON ({raw[:80]!r}…); nothing was "
                          "changed.") from None
    now = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps({"url": full, "retrieved_at": now.isoformat(), "body": parsed}), "utf-8")
        os.replace(temp, path)
    except OSError:
        pass  # a cache that cannot be written only costs a request next time
    return Answer(parsed, now.date().isoformat(), False)


def _send(request: urllib.request.Request, what: str, timeout: float, retries: int,
          sleep: Callable[[float], None]) -> bytes:
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            if (exc.code == 429 or exc.code >= 500) and attempt < retries:
                sleep(_retry_after(exc.headers.get("Retry-After"), attempt))
                continue
            busy = " (too many requests: try again later)" if exc.code == 429 else ""
            raise PlacesError(f"{what} answered HTTP {exc.code} {exc.reason}{busy}; nothing was changed.") from None
        except TimeoutError:
            raise PlacesError(f"{what} did not answer within {timeout:g} seconds; nothing was changed.") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise PlacesError(f"{what} did not answer within {timeout:g} seconds; nothing was changed.") from None
            raise PlacesError(f"{what} could not be reached ({reason}); are you offline? Nothing was "
                              "changed.") from None
        except OSError as exc:
            raise PlacesError(f"{what} could not be read ({exc}); nothing was changed.") from None
    raise AssertionError("the loop returns or raises")
