"""A parse function for the pool that dies like a crash in native code (SIGABRT)
on files named *CRASH*; spawned workers import it by name (tests/parsers/test_worker_crash.py)."""

import os

from parsers.batch import _parse_chunk


def parse_or_crash(chunk):
    if any("CRASH" in os.path.basename(path) for path in chunk[0]):
        os.abort()
    return _parse_chunk(chunk)
