"""Incremental builds and ingest-batch partitions (orchestration/ingest.py,
orchestration/assets/parsing.py): the marts never depend on how the files were
batched or in how many builds they arrived."""

from __future__ import annotations

import shutil

import duckdb
from dagster import DagsterInstance, materialize

from orchestration.assets.parsing import parsed_batch
from orchestration.cli import build_log_path, run_build
from orchestration.definitions import ASSETS, BUILD_SELECTION, CHECKS
from orchestration.ingest import State, scan
from orchestration.paths import state_dir_for
from orchestration.resources import make_resources
from tests.conftest import SAMPLE_RAW
from tests.snapshots import fingerprint, fingerprints


def marts_of(warehouse) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return fingerprints(con)
    finally:
        con.close()


def all_tables_of(warehouse) -> dict:
    """Fingerprints of raw.*, intermediate.* and marts.* (not the load's bookkeeping)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [f"{s}.{n}" for s, n in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema IN ('raw', 'intermediate', 'marts') AND table_name NOT LIKE 'load_%' ORDER BY 1, 2"
        ).fetchall()]
        return {t: fingerprint(con, t) for t in tables}
    finally:
        con.close()


def reports_loaded_last(warehouse) -> int:
    """How many reports the last build's load wrote (raw.load_delta)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw.load_delta").fetchone()[0]
    finally:
        con.close()


def copy_samples(dest, names=None):
    dest.mkdir(parents=True)
    for p in sorted(SAMPLE_RAW.iterdir()):
        if names is None or p.name in names:
            shutil.copy2(p, dest / p.name)
    return dest


def test_batches_parsed_as_partitions_give_the_marts_of_one_big_run(tmp_path):
    raw = copy_samples(tmp_path / "raw")
    one_run = tmp_path / "one" / "ogi.duckdb"
    run_build(raw, one_run)

    work = tmp_path / "parts" / "ogi.duckdb"
    state = State(tmp_path / "parts" / "state")
    scanned, _ = scan(raw)
    files = sorted(scanned)
    batches = [state.new_batch(files[i::3], scanned) for i in range(3)]
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("ingest_batches", batches)
    resources = make_resources(raw, work, state=state.dir)
    for batch in batches:  # the parse step runs per partition
        result = materialize([parsed_batch], partition_key=batch, instance=instance, resources=resources)
        assert result.success
        assert state.parsed_dir(batch).exists()
    result = materialize([*ASSETS, *CHECKS], selection=BUILD_SELECTION, instance=instance, resources=resources)
    assert result.success
    raw_meta = next(e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "reports"])
    assert raw_meta.materialization.metadata["parsed_now"].value == 0  # every file came from a partition
    assert marts_of(work) == marts_of(one_run)


def test_a_rebuild_parses_only_what_changed_and_ends_as_a_fresh_build(tmp_path):
    raw = copy_samples(tmp_path / "raw", {"000_163667a5158eaada.txt", "001_9011374d10fa4802.txt",
                                          "002_2dd042ee9b6b28f7.txt", "003_0e7b839799d88c56.txt", "dev_017.txt"})
    warehouse = tmp_path / "inc" / "ogi.duckdb"
    run_build(raw, warehouse)
    state = State(state_dir_for(warehouse))
    first = {r["source_file"]: r["batch_id"] for r in state.index().iter_rows(named=True)}

    shutil.copy2(SAMPLE_RAW / "004_4455f420e810b9a4.txt", raw / "004_4455f420e810b9a4.txt")  # added
    (raw / "dev_017.txt").unlink()                                                           # removed
    shutil.copy2(SAMPLE_RAW / "dev_032.txt", raw / "003_0e7b839799d88c56.txt")               # changed
    run_build(raw, warehouse)
    second = {r["source_file"]: r["batch_id"] for r in state.index().iter_rows(named=True)}
    assert set(second) == {"000_163667a5158eaada.txt", "001_9011374d10fa4802.txt", "002_2dd042ee9b6b28f7.txt",
                           "003_0e7b839799d88c56.txt", "004_4455f420e810b9a4.txt"}
    unchanged = ("000_163667a5158eaada.txt", "001_9011374d10fa4802.txt", "002_2dd042ee9b6b28f7.txt")
    assert all(second[f] == first[f] for f in unchanged)          # not parsed again
    assert second["004_4455f420e810b9a4.txt"] == second["003_0e7b839799d88c56.txt"] != first["000_163667a5158eaada.txt"]

    # Started from the published build: the load wrote only the added, removed and changed
    # reports (dev_017 out, 003 old and new, 004 in), and dbt's per-report models followed.
    assert reports_loaded_last(warehouse) == 4
    assert "loaded seed file" not in build_log_path(warehouse).read_text()  # they came with the copy
    fresh = tmp_path / "fresh" / "ogi.duckdb"
    run_build(raw, fresh)
    assert reports_loaded_last(fresh) == len(second)  # a fresh build loads every file
    assert "loaded seed file" in build_log_path(fresh).read_text()
    assert all_tables_of(warehouse) == all_tables_of(fresh)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        files = {r[0] for r in con.execute("select source_file from marts.dim_report").fetchall()}
    finally:
        con.close()
    assert files == set(second)  # the removed file left the warehouse


def _variant_that_wins_the_tie(original: bytes) -> bytes:
    """The same report with trailing whitespace whose report_id sorts first: with equal
    status, cells and date, the smaller report_id is selected (int_report_selection)."""
    from parsers.report import report_id_of

    for tail in (b"\n", b"\n\n", b" \n", b"\n \n", b"\t\n", b"\n\t\n", b"  \n", b"\n\n\n"):
        if report_id_of(original + tail) < report_id_of(original):
            return original + tail
    raise AssertionError("no variant sorts first")


def test_a_rebuild_follows_which_report_is_selected(tmp_path):
    """The per-report dbt models drop a report that loses its agency-year to a new file,
    and take it back when that file leaves: each rebuild equals a fresh build."""
    raw = copy_samples(tmp_path / "raw", {"002_2dd042ee9b6b28f7.txt", "dev_017.txt"})
    warehouse = tmp_path / "inc" / "ogi.duckdb"
    run_build(raw, warehouse)
    rival = raw / "002_rival.txt"
    rival.write_bytes(_variant_that_wins_the_tie((raw / "002_2dd042ee9b6b28f7.txt").read_bytes()))

    def selected(path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            return {r[0] for r in con.execute("select source_file from marts.dim_report where is_selected").fetchall()}
        finally:
            con.close()

    for step in ("rival added", "rival removed"):
        run_build(raw, warehouse)
        assert reports_loaded_last(warehouse) == 1, step
        # dbt opens work/ogi.duckdb from FILE.build/ in every build of a warehouse of that
        # name, so the parse state the last build kept is valid: dbt re-parses only what
        # changed, for this warehouse and for a new one (orchestration/assets/dbt.py).
        assert "Unable to do partial parsing" not in build_log_path(warehouse).read_text(), step
        fresh = tmp_path / step.replace(" ", "_") / "ogi.duckdb"
        run_build(raw, fresh)
        assert "Unable to do partial parsing" not in build_log_path(fresh).read_text(), step
        assert all_tables_of(warehouse) == all_tables_of(fresh), step
        assert ("002_rival.txt" in selected(warehouse)) == (step == "rival added"), step
        rival.unlink(missing_ok=True)
