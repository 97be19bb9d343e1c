"""Where parse time goes, per phase (decode, normalise, metadata, tokenise, tables,
prose: the pre-2019 reader). Normalisation and layout detection run once per batch
of files, the other phases per report.

Off by default (a disabled `timed` costs one attribute check); the benchmarks
switch it on and read `PHASE_SECONDS`.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager, nullcontext

PHASE_SECONDS: Counter[str] = Counter()
enabled = False


def timed(phase: str):
    """Context manager adding the time of its block to PHASE_SECONDS[phase]; when
    timing is off, one shared do-nothing context (a generator-based context per
    block costs ~1% of the parse: there are several per report)."""
    return _timed(phase) if enabled else _OFF


_OFF = nullcontext()


@contextmanager
def _timed(phase: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        PHASE_SECONDS[phase] += time.perf_counter() - started
