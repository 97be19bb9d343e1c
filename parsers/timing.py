"""Where parse time goes, per phase (decode, normalise, metadata, tokenise, tables,
prose: the pre-2019 reader). Normalisation and layout detection run once per batch
of files, the other phases per report.

Off by default (a disabled `timed` costs one attribute check); the benchmarks
switch it on and read `PHASE_SECONDS`.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager

PHASE_SECONDS: Counter[str] = Counter()
enabled = False


@contextmanager
def timed(phase: str):
    if not enabled:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        PHASE_SECONDS[phase] += time.perf_counter() - started
