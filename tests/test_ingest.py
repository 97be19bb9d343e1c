"""Incremental ingest: which files a build parses, and which batch each file's
parse comes from (orchestration/ingest.py)."""

import os

from orchestration.ingest import State, parser_version, scan


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
