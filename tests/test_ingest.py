"""Incremental ingest: which files a build parses, and which batch each file's
parse comes from (orchestration/ingest.py)."""

import os

from orchestration.ingest import State, batch_duplicates, parse_batch, parser_version, scan
from tests.conftest import SAMPLE_RAW


def write(path, text, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))


def parse_fake(state, files, scanned):
    """Register a batch and mark it parsed (the Parquet content does not matter here)."""
    batch = state.new_batch(files, scanned)
    state.parsed_dir(batch).mkdir(parents=True)
    return batch


def test_new_changed_removed_and_unchanged_files(tmp_path):
    raw, state = tmp_path / "raw", State(tmp_path / "state")
    write(raw / "a.txt", "a", 1_000_000_000)
    write(raw / "sub/b.txt", "b", 1_000_000_000)
    scanned, _ = scan(raw)
    first = state.plan(scanned)
    assert first.to_parse == ["a.txt", "sub/b.txt"] and first.full_reparse
    batch = parse_fake(state, first.to_parse, scanned)
    assert state.reconcile(scanned) == []
    assert not state.plan(scan(raw)[0]).has_changes  # nothing changed: nothing to parse

    write(raw / "a.txt", "a changed", 2_000_000_000)
    write(raw / "c.txt", "c", 1_000_000_000)
    (raw / "sub/b.txt").unlink()
    scanned, _ = scan(raw)
    plan = state.plan(scanned)
    assert (plan.to_parse, plan.removed, plan.unchanged, plan.full_reparse) == (["a.txt", "c.txt"], ["sub/b.txt"], 0, False)
    assert state.reconcile(scanned) == ["a.txt", "c.txt"]  # not parsed yet: uncovered
    second = parse_fake(state, plan.to_parse, scanned)
    assert state.reconcile(scanned) == []
    index = {r["source_file"]: r["batch_id"] for r in state.index().iter_rows(named=True)}
    assert index == {"a.txt": second, "c.txt": second}
    state.prune()
    assert not state.parsed_dir(batch).exists() and state.parsed_dir(second).exists()


def test_coverage_trusts_the_index_for_the_batches_it_names(tmp_path):
    """A batch the index names is not read again (its file list is what the index
    already holds); a batch the index does not name yet is. So a file that left and
    came back unchanged is parsed again (the index forgot it), never wrongly kept."""
    raw, state = tmp_path / "raw", State(tmp_path / "state")
    write(raw / "a.txt", "a", 1_000_000_000)
    write(raw / "b.txt", "b", 1_000_000_000)
    scanned, _ = scan(raw)
    first = parse_fake(state, ["a.txt", "b.txt"], scanned)
    state.reconcile(scanned)
    write(raw / "c.txt", "c", 1_000_000_000)
    scanned, _ = scan(raw)
    second = parse_fake(state, ["c.txt"], scanned)  # parsed, not yet in the index
    assert state.reconcile(scanned) == []
    index = {r["source_file"]: r["batch_id"] for r in state.index().iter_rows(named=True)}
    assert index == {"a.txt": first, "b.txt": first, "c.txt": second}

    kept = (raw / "b.txt").read_bytes()
    (raw / "b.txt").unlink()
    assert state.reconcile(scan(raw)[0]) == []
    (raw / "b.txt").write_bytes(kept)
    os.utime(raw / "b.txt", ns=(1_000_000_000, 1_000_000_000))
    assert state.reconcile(scan(raw)[0]) == ["b.txt"]


def test_a_parser_change_reparses_everything(tmp_path):
    raw, state = tmp_path / "raw", State(tmp_path / "state")
    write(raw / "a.txt", "a", 1_000_000_000)
    scanned, _ = scan(raw)
    parse_fake(state, ["a.txt"], scanned)
    state.reconcile(scanned)
    (state.dir / "parser_version").write_text("an-older-parser")
    batch_json = next((state.dir / "batches").glob("*.json"))
    batch_json.write_text(batch_json.read_text().replace(parser_version(), "an-older-parser"))
    plan = state.plan(scanned)
    assert plan.full_reparse and plan.to_parse == ["a.txt"]


def test_files_still_being_written_wait_for_a_later_build(tmp_path):
    raw = tmp_path / "raw"
    write(raw / "settled.txt", "x", 1_000_000_000)
    write(raw / "growing.txt", "y")
    entries, unsettled = scan(raw, settle_seconds=30)
    assert list(entries) == ["settled.txt"] and unsettled == ["growing.txt"]


def test_copies_are_found_against_the_index_and_within_the_batch(tmp_path):
    """A new file byte-identical to one parsed before is its copy (found by the
    report_id kept in the state, without hashing the corpus); among new files the
    first by name is the original."""
    raw, state = tmp_path / "raw", State(tmp_path / "state")
    text = (SAMPLE_RAW / "000_163667a5158eaada.txt").read_text(encoding="utf-8")
    write(raw / "z_first.txt", text)
    write(raw / "other.txt", "另一份文件")
    scanned, _ = scan(raw)
    first = state.new_batch(sorted(scanned), scanned)
    parse_batch(state, first, raw)
    state.reconcile(scanned)

    write(raw / "a_copy.txt", text)          # sorts before z_first.txt, but z_first.txt was parsed first
    write(raw / "new_1.txt", "新的文件")
    write(raw / "new_2.txt", "新的文件")
    scanned, _ = scan(raw)
    second = state.new_batch(state.reconcile(scanned), scanned)
    assert batch_duplicates(state, second, raw) == {str(raw / "a_copy.txt"): "z_first.txt",
                                                     str(raw / "new_2.txt"): "new_1.txt"}


def test_a_copy_is_parsed_again_when_its_original_leaves_or_changes(tmp_path):
    """Nothing lost: the content of a copy must not leave with its original."""
    raw, state = tmp_path / "raw", State(tmp_path / "state")
    text = (SAMPLE_RAW / "000_163667a5158eaada.txt").read_text(encoding="utf-8")
    write(raw / "a.txt", text, 1_000_000_000)
    write(raw / "b.txt", text, 1_000_000_000)
    scanned, _ = scan(raw)
    batch = state.new_batch(sorted(scanned), scanned)
    parse_batch(state, batch, raw, duplicates=batch_duplicates(state, batch, raw))
    assert state.reconcile(scanned) == []

    write(raw / "a.txt", text + "\n补充说明。", 2_000_000_000)  # the original changes
    scanned, _ = scan(raw)
    assert state.reconcile(scanned) == ["a.txt", "b.txt"]  # b.txt goes with its original
    batch = state.new_batch(["a.txt", "b.txt"], scanned)
    assert batch_duplicates(state, batch, raw) == {}  # and is a copy no more
    parse_batch(state, batch, raw)
    assert state.reconcile(scanned) == []

    write(raw / "c.txt", text, 1_000_000_000)  # a copy of b.txt, parsed before it
    scanned, _ = scan(raw)
    batch = state.new_batch(state.reconcile(scanned), scanned)
    parse_batch(state, batch, raw, duplicates=batch_duplicates(state, batch, raw))
    assert state.reconcile(scanned) == []
    (raw / "b.txt").unlink()                  # the original leaves
    assert state.reconcile(scan(raw)[0]) == ["c.txt"]
