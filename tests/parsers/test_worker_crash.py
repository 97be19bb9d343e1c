"""A worker process that dies (PDFium crashing, the OOM killer) costs one file,
recorded as `parser_crashed`, never the batch: parsers/batch.py `_pooled`."""

import shutil

from parsers.batch import _parse_chunk, _pooled
from tests.conftest import SAMPLE_RAW
from tests.parsers.crashing_worker import parse_or_crash

CHUNK_FILES = 64  # _pooled takes the chunks it is given: small ones keep the test short


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


def test_written_chunks_survive_a_crash_and_replace_what_the_dead_worker_left(tmp_path):
    """write_parsed_chunks' path: the workers write each chunk's Parquet files. The
    chunk whose worker died is parsed again one file per process and written by the
    parent over the file the dead worker had left (here: a stale reports file of
    that chunk, and a half-written temporary one); every chunk's files are the
    frames of the in-memory path, with the batch_id column."""
    import polars as pl
    from polars.testing import assert_frame_equal

    from parsers.batch import TABLES, chunk_files, write_parsed_chunks

    raw = tmp_path / "raw"
    raw.mkdir()
    samples = sorted(p for p in SAMPLE_RAW.iterdir() if p.suffix == ".txt")
    names = []
    for n in range(CHUNK_FILES * 3):
        name = f"{n:03d}_CRASH.txt" if n == CHUNK_FILES + 5 else f"{n:03d}.txt"
        shutil.copy(samples[n % len(samples)], raw / name)
        names.append(str(raw / name))
    chunks = [(names[i:i + CHUNK_FILES], str(raw), {}) for i in range(0, len(names), CHUNK_FILES)]
    expected = [batch for _, batch in _pooled(chunks, workers=2, parse=parse_or_crash)]

    out = tmp_path / "out"
    out.mkdir()
    pl.DataFrame({"junk": [1, 2, 3]}).write_parquet(out / "reports-000001.parquet")  # the dead worker's
    (out / ".cells-000001.999999.part").write_bytes(b"PAR1 half a file")
    heights = [r for _, r in _pooled(chunks, workers=2, parse=parse_or_crash, write=(out, "B1"))]

    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}-{n:06d}.parquet" for t in TABLES for n in range(3)] + [".cells-000001.999999.part"])
    # (write_parsed_chunks removes the .part files; _pooled leaves them)
    for n, batch in enumerate(expected):
        assert heights[n] == tuple(getattr(batch, t).height for t in TABLES)
        for table in TABLES:
            written = pl.read_parquet(out / f"{table}-{n:06d}.parquet")
            assert written["batch_id"].to_list() == ["B1"] * written.height
            assert_frame_equal(written.drop("batch_id"), getattr(batch, table), check_exact=True)
    crashed = pl.read_parquet(out / "issues-000001.parquet").filter(pl.col("source_file").str.contains("CRASH"))
    assert crashed["check_name"].to_list() == ["parser_crashed"]

    again = tmp_path / "again"  # and through the public function (no crash: the real parser)
    again.mkdir()
    (again / ".reports-000000.1.part").write_bytes(b"half")
    counts = write_parsed_chunks(raw, again, "B2", [raw / n.rsplit("/", 1)[1] for n in names], workers=2)
    n_chunks = -(-len(names) // chunk_files(len(names), 2))
    assert sorted(p.name for p in again.iterdir()) == sorted(
        f"{t}-{n:06d}.parquet" for t in TABLES for n in range(n_chunks))
    assert counts == {t: sum(pl.read_parquet(again / f"{t}-{n:06d}.parquet").height for n in range(n_chunks))
                      for t in TABLES}
