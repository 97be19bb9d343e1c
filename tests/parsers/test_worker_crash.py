"""A worker process that dies (PDFium crashing, the OOM killer) costs one file,
recorded as `parser_crashed`, never the batch: parsers/batch.py `_pooled`."""

import shutil

from parsers.batch import CHUNK_FILES, _parse_chunk, _pooled
from tests.conftest import SAMPLE_RAW
from tests.parsers.crashing_worker import parse_or_crash


def test_a_crashing_file_is_recorded_and_the_rest_is_parsed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    samples = sorted(p for p in SAMPLE_RAW.iterdir() if p.suffix == ".txt")
    names = []
    for n in range(CHUNK_FILES * 3):  # three chunks; the crash is in the second
        name = f"{n:03d}_CRASH.txt" if n == CHUNK_FILES + 5 else f"{n:03d}.txt"
        shutil.copy(samples[n % len(samples)], raw / name)
        names.append(str(raw / name))
    chunks = [(names[i:i + CHUNK_FILES], str(raw), {}) for i in range(0, len(names), CHUNK_FILES)]

    results = list(_pooled(chunks, workers=2, parse=parse_or_crash))

    assert [chunk for chunk, _ in results] == chunks  # every chunk, in order
    reports = [row for _, batch in results for row in batch.reports.iter_rows(named=True)]
    assert [r["source_file"] for r in reports] == [n.rsplit("/", 1)[1] for n in names]  # every file once
    crashed = [r for r in reports if r["parse_status"] == "failed" and "CRASH" in r["source_file"]]
    assert len(crashed) == 1
    issues = [i for _, batch in results for i in batch.issues.iter_rows(named=True)
              if i["source_file"] == crashed[0]["source_file"]]
    assert [i["check_name"] for i in issues] == ["parser_crashed"]
    # the other files read as they do without any crash
    others = [n for n in names if "CRASH" not in n][CHUNK_FILES:2 * CHUNK_FILES]  # around the crash
    clean = _parse_chunk((others, str(raw), {}))
    assert clean.reports.to_dicts() == [r for r in reports if r["source_file"] in
                                        {n.rsplit("/", 1)[1] for n in others}]
