"""The server process's memory allocator, set once from the app's first script run."""
from __future__ import annotations

import ctypes
import ctypes.util
import threading

# glibc's mallopt parameter for the number of malloc arenas (malloc.h: M_ARENA_MAX).
M_ARENA_MAX = -8
ARENAS = 2
_done = threading.Event()


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Let glibc keep at most `arenas` malloc arenas; True if it took the setting.

    Streamlit runs each session's script in a thread of its own, and glibc gives threads separate arenas (up to
    8 per core), each holding on to its freed memory. Ten readers on the real data walking every page took the
    server's peak resident memory to 776 MB, 670 MB with two arenas (MALLOC_ARENA_MAX=2, same journey); ten
    sessions opening the Map page twice in lockstep, to 1,049 MB, 807 MB with two. The environment variable
    would need setting before the server starts, which Community Cloud does not offer: mallopt does the same from
    inside, for the arenas made after it (each new session's thread). Elsewhere than glibc, nothing happens."""
    if _done.is_set():
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        took = bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
    if took:
        _done.set()
    return took
