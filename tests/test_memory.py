"""The server's malloc arenas: capped, threads share two (glibc's malloc_stats prints one block per arena)."""
from __future__ import annotations

import subprocess
import sys

import pytest

THREADS_ALLOCATING = """
import ctypes, sys, threading
from lib import memory
if sys.argv[1] == "capped":
    assert memory.cap_malloc_arenas()
barrier = threading.Barrier(8)
def work():
    barrier.wait()  # all at once, so that glibc sees contention and hands out arenas
    for _ in range(200):
        junk = [bytearray(256) for _ in range(2000)]
        del junk
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL("libc.so.6").malloc_stats()
"""


def arenas(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", THREADS_ALLOCATING, mode], capture_output=True, text=True,
                          check=True)
    return done.stderr.count("Arena ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_capped_threads_share_two_arenas():
    assert arenas("capped") <= 2
    assert arenas("free") > 2  # without the cap, eight threads at once get arenas of their own
