"""`ogi` — the command line of the warehouse.

    ogi build [--raw-dir DIR] [--warehouse FILE]   the whole pipeline, in-process
    ogi parse FILE                                 one report as JSON on stdout

Exit codes: 0 the command ran (reports that failed to parse are data, not
errors); 1 the pipeline could not run (a step or a blocking check failed);
2 bad usage or a missing input; 75 the warehouse is locked by another process.
Every failure prints exactly one line on stderr (OGI_DEBUG=1 re-raises
unexpected errors with their traceback).

To add a subcommand (e.g. `ogi eval`), write `configure(parser)` and
`run(args) -> int` and append a `Command` to COMMANDS (or call `register`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.paths import DEFAULT_RAW_DIR, DEFAULT_WAREHOUSE, raw_dir_from_env, warehouse_from_env

EXIT_OK = 0
EXIT_PIPELINE = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later


class CommandError(Exception):
    """A one-line reason to print on stderr, with the exit code to return."""

    def __init__(self, message: str, code: int = EXIT_PIPELINE):
        super().__init__(message)
        self.code = code


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --------------------------------------------------------------------------- progress


class StderrProgress:
    """Draws the build's progress on stderr (in place on a terminal)."""

    def __init__(self, stream=None, clock=time.perf_counter):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.clock = clock
        self.started = clock()
        self._parse_started: float | None = None
        self._first_parsed: tuple[float, int] | None = None  # (time, files) of the first chunk parsed
        self._last_parse_step = -1
        self._open_line = False
        self._checks: list[str] = []

    def _elapsed(self) -> str:
        return f"[{self.clock() - self.started:6.1f}s]"

    def _write(self, text: str, transient: bool = False) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text + ("" if transient else "\n"))
            self._open_line = transient
        elif not transient:
            self.stream.write(text + "\n")
        self.stream.flush()

    def line(self, text: str) -> None:
        self._write(f"{self._elapsed()} {text}")

    # Progress protocol (orchestration/progress.py)
    def phase(self, name: str, detail: str = "") -> None:
        if name == "parse":
            self._parse_started, self._first_parsed = self.clock(), None
            self.line(f"parse: reading {detail}")
        elif name == "load":
            self.line(f"load: raw.reports, raw.cells, raw.issues in {detail}")
        elif name == "checks":
            pass  # reported per table by check()
        elif name == "dbt":
            self.line(f"dbt: build ({detail})")
        else:
            self.line(f"{name}: {detail}".rstrip(": "))

    def parsed(self, done: int, total: int) -> None:
        step = done * 20 // max(total, 1)  # every 5 % when not on a terminal
        text = f"parsed {done}/{total} files" + self._parse_rate(done, total)
        if self.tty and done != total:
            self._write(f"{self._elapsed()} {text}", transient=True)
        elif step != self._last_parse_step or done == total:
            self._last_parse_step = step
            self.line(text)

    def _parse_rate(self, done: int, total: int) -> str:
        """', 923 files/s, about 1 min 40 s left': a long parse (a backfill of a million
        files takes about 20 minutes on 2 cores) says when it will end. The rate is
        counted from the first chunk parsed (the workers' start is not a rate), the
        last line's over the whole parse."""
        now = self.clock()
        if self._first_parsed is None:
            self._first_parsed = (now, done)
        if done >= total and self._parse_started is not None and now - self._parse_started >= 1.0:
            return f" ({done / (now - self._parse_started):,.0f} files/s)"
        since, done_then = self._first_parsed
        if now - since < 1.0 or done <= done_then:
            return ""
        rate = (done - done_then) / (now - since)
        return f" ({rate:,.0f} files/s, about {_duration(math.ceil((total - done) / rate))} left)"

    def check(self, table: str, passed: bool, detail: str = "") -> None:
        self.line(f"checks: raw.{table} " + ("ok" if passed else f"FAILED — {_one_line(detail, 200)}"))

    def dbt_node(self, done: int, total: int, name: str) -> None:
        text = f"dbt: {done}/{total} {name}"
        if self.tty:
            self._write(f"{self._elapsed()} {text}", transient=done != total)
        elif done == total or done % 10 == 0:
            self.line(text)


def _duration(seconds: int) -> str:
    """12 s, 4 min 05 s, 1 h 02 min."""
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# --------------------------------------------------------------------------- build


def _quiet_dagster() -> dict:
    """Silence Dagster's console logging and warnings; returns run config doing the same."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", module=r"dagster.*")
    warnings.filterwarnings("ignore", message=r".*(beta|preview|deprecated|superseded).*")
    for name in ("dagster", "dagster-dbt", "dagster_dbt", "dbt"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def _error_text(error) -> str:
    """The innermost message of a SerializableErrorInfo chain."""
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    if error is None:
        return "unknown error"
    msg = (error.message or "").strip()
    # "dagster._core.definitions.events.Failure: dbt build failed: ..." -> keep the text
    head, sep, rest = msg.partition(": ")
    if sep and "." in head and " " not in head:
        msg = rest
    elif sep and head.endswith(("Error", "Exception", "Failure")) and " " not in head:
        msg = rest if head == "Failure" else f"{head.rsplit('.', 1)[-1]}: {rest}"
    return msg


def failure_reason(result) -> tuple[str, int]:
    """One line (and an exit code) saying why a run did not succeed."""
    from dagster import AssetCheckSeverity

    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed or evaluation.severity != AssetCheckSeverity.ERROR:
            continue
        key = evaluation.asset_key.to_user_string().replace("/", ".")
        if evaluation.asset_key.path[0] == "raw":
            desc = evaluation.description or "contract violated"
            return _one_line(f"blocking check {evaluation.check_name} failed on {key}: {desc}"), EXIT_PIPELINE
        return _one_line(f"dbt build failed: test {evaluation.check_name} on {key} failed"), EXIT_PIPELINE
    for event in result.all_events:
        if event.event_type_value == "RESOURCE_INIT_FAILURE":  # e.g. BuildTarget could not take the lock
            text = _error_text(getattr(event.event_specific_data, "error", None))
            code = EXIT_LOCKED if "another ogi build holds the lock" in text else EXIT_PIPELINE
            return _one_line(f"the build could not start: {text}"), code
        if event.is_step_failure:
            data = event.step_failure_data
            text = None
            if data.user_failure_data is not None and data.user_failure_data.description:
                text = data.user_failure_data.description
            else:
                text = _error_text(data.error)
            if "Could not set lock on file" in text or "Conflicting lock" in text:
                pid = re.search(r"\(PID (\d+)\)", text)
                holder = f" (pid {pid.group(1)})" if pid else ""
                return (f"the warehouse is open in another process{holder}; close it and retry",
                        EXIT_LOCKED)
            return _one_line(f"step {event.step_key} failed: {text}"), EXIT_PIPELINE
    return "the run did not succeed (no step failure recorded)", EXIT_PIPELINE


def build_log_path(warehouse: Path) -> Path:
    return warehouse.with_suffix(".build.log")


def build_summary(warehouse: Path, seconds: float, log_path: Path | None = None) -> str:
    from orchestration.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        statuses = dict(con.execute(
            "SELECT parse_status, count(*) FROM raw.reports GROUP BY ALL").fetchall())
        total = sum(statuses.values())
        issues = con.execute(
            """SELECT check_name,
                      count(*) FILTER (WHERE severity = 'error'),
                      count(*) FILTER (WHERE severity = 'warning'),
                      count(*) FILTER (WHERE severity = 'info'),
                      count(*)
               FROM raw.issues GROUP BY check_name ORDER BY 5 DESC, 1"""
        ).fetchall()
        marts = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
        ).fetchall()]
    finally:
        con.close()

    lines = [
        f"ogi build finished in {seconds:.1f} s",
        f"reports read: {total}  ("
        + ", ".join(f"{s} {statuses.get(s, 0)}" for s in ("ok", "repaired", "partial", "failed"))
        + ")",
    ]
    n_issues = sum(r[4] for r in issues)
    if issues:
        width = max(len(r[0]) for r in issues)
        lines.append(f"issues: {n_issues}")
        lines.append(f"  {'check_name':<{width}}  {'error':>6} {'warning':>8} {'info':>6}")
        for name, err, warn, info, _ in issues:
            lines.append(f"  {name:<{width}}  {err:>6} {warn:>8} {info:>6}")
    else:
        lines.append("issues: 0")
    lines.append(f"warehouse: {warehouse}" + (f"  (marts: {', '.join(marts)})" if marts else ""))
    if log_path is not None:
        lines.append(f"dbt log: {log_path}")
    return "\n".join(lines)


@contextlib.contextmanager
def _build_lock(warehouse: Path, wait: float, progress):
    """The warehouse's build lock, taken before anything is printed (so a refused
    build prints one line); the run's BuildTarget re-enters it."""
    from orchestration.publish import WarehouseLocked, warehouse_lock

    def announce(holder: str) -> None:
        if hasattr(progress, "line"):
            progress.line(f"another ogi build holds the lock on {warehouse}"
                          + (f" (pid {holder})" if holder else "") + f"; waiting up to {wait:g} s")

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(warehouse_lock(warehouse, wait, on_wait=announce))
        except WarehouseLocked as exc:
            raise CommandError(str(exc), EXIT_LOCKED) from None
        yield


def run_build(raw_dir: Path, warehouse: Path, progress=None, wait: float = 0) -> str:
    """Run ogi_build_job's selection in-process: it builds into a private working
    file and ends by publishing it (orchestration/assets/publish.py). Returns the
    summary; raises CommandError, in which case the published warehouse is left
    as it was."""
    started = time.perf_counter()
    if not raw_dir.is_dir():
        raise CommandError(f"raw folder not found: {raw_dir}", EXIT_USAGE)
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create the warehouse folder {warehouse.parent}: {exc}", EXIT_USAGE)
    from orchestration.dbt_server import warm_dbt  # stdlib only: the CLI starts fast

    # The warm dbt imports dbt on the idle core while this process loads Dagster.
    with _build_lock(warehouse, wait, progress), warm_dbt():
        return _run_locked(raw_dir, warehouse, progress, started)


def _run_locked(raw_dir: Path, warehouse: Path, progress, started: float) -> str:
    from orchestration.publish import Layout, new_build_id

    layout = Layout.of(warehouse)
    build_id = new_build_id()
    if hasattr(progress, "line"):
        progress.line(f"ogi build {build_id}: {raw_dir} -> {warehouse}")
    run_config = _quiet_dagster()
    from orchestration.dbt_project import ensure_manifest

    try:
        ensure_manifest()
    except Exception as exc:  # dbt parse failed: the dbt project is broken
        raise CommandError(_one_line(str(exc))) from None

    try:
        from dagster import DagsterInstance, materialize

        from orchestration.definitions import ASSETS, BUILD_SELECTION, CHECKS
        from orchestration.resources import make_resources
    except Exception as exc:  # a broken definition or manifest
        raise CommandError(_one_line(f"cannot load the pipeline definitions: {type(exc).__name__}: {exc}")) from None

    # dagster-dbt echoes dbt's log on stdout; keep stdout for the summary.
    log_path = build_log_path(warehouse)
    with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = materialize(
            [*ASSETS, *CHECKS],
            selection=BUILD_SELECTION,
            resources=make_resources(raw_dir, warehouse, progress),
            instance=DagsterInstance.ephemeral(),
            run_config=run_config,
            raise_on_error=False,
            tags={"ogi/trigger": "cli", "ogi/build_id": build_id},
        )
    if not result.success:
        reason, code = failure_reason(result)
        raise CommandError(f"{reason} (log: {log_path}; nothing published, {warehouse.name} unchanged)", code)
    summary = build_summary(warehouse, time.perf_counter() - started, log_path)
    published = next(e.materialization.metadata for e in result.get_asset_materialization_events()
                     if e.asset_key.path == ["published", "warehouse"])
    return summary + (f"\npublished: build {published['build_id'].value}, {len(published['mart_rows'].value)} "
                      f"marts as Parquet in {layout.parquet_dir}")


def configure_build(p: argparse.ArgumentParser) -> None:
    p.add_argument("--raw-dir", type=Path, default=None,
                   help=f"folder of raw report files, searched recursively (default: $OGI_RAW_DIR or {DEFAULT_RAW_DIR})")
    p.add_argument("--warehouse", type=Path, default=None,
                   help=f"DuckDB file to publish (default: $OGI_WAREHOUSE or {DEFAULT_WAREHOUSE}); "
                        "the build works in FILE.build/ and replaces FILE and <stem>.marts/*.parquet when it succeeds")
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                   help="when another build holds the warehouse, wait up to SECONDS for it (default: refuse at once, exit 75)")


def cmd_build(args: argparse.Namespace) -> int:
    raw_dir = (args.raw_dir or raw_dir_from_env()).resolve()
    warehouse = (args.warehouse or warehouse_from_env()).resolve()
    if not raw_dir.is_dir():
        raise CommandError(f"raw folder not found: {raw_dir}", EXIT_USAGE)
    progress = StderrProgress()
    summary = run_build(raw_dir, warehouse, progress, wait=max(args.wait, 0))
    print(summary, flush=True)
    return EXIT_OK


# --------------------------------------------------------------------------- parse


def configure_parse(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="one raw report file")


def cmd_parse(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"file not found: {path}", EXIT_USAGE)
    try:
        from parsers.render import report_as_dict
    except ImportError as exc:
        raise CommandError(f"parsers.render.report_as_dict is not available: {exc}") from None
    try:
        report = report_as_dict(path)
    except Exception as exc:
        raise CommandError(f"could not parse {path}: {type(exc).__name__}: {exc}") from None
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return EXIT_OK


# --------------------------------------------------------------------------- eval


def configure_eval(p: argparse.ArgumentParser) -> None:
    p.add_argument("--truth", type=Path, action="append", required=True,
                   help="folder of truth JSON files named like the raw files (repeatable)")
    p.add_argument("--warehouse", type=Path, default=None, help="built warehouse to score (default: data/warehouse/ogi.duckdb)")
    p.add_argument("--raw-dir", type=Path, default=None, help="score the parser directly on this folder instead")


def cmd_eval(args: argparse.Namespace) -> int:
    from parsers.evaluate import evaluate, format_report, reports_from_parser, reports_from_warehouse
    if args.raw_dir is not None:
        reports = reports_from_parser(args.raw_dir)
    else:
        warehouse = args.warehouse or warehouse_from_env()
        if not warehouse.is_file():
            raise CommandError(f"warehouse not found: {warehouse} (run `ogi build` first)", EXIT_USAGE)
        reports = reports_from_warehouse(warehouse)
    print(format_report(evaluate(args.truth, reports)))
    return EXIT_OK


# --------------------------------------------------------------------------- synth


def configure_synth(p: argparse.ArgumentParser) -> None:
    # parsers.synth is not imported here: every command builds this parser, and the
    # import costs ~0.4 s; cmd_synth names the known layouts when one is wrong.
    p.add_argument("--n", type=int, required=True, help="number of reports to write")
    p.add_argument("--out", type=Path, required=True, help="folder: reports go to OUT/raw/, truth to OUT/truth/<stem>.json")
    p.add_argument("--seed", type=int, default=1, help="corpus seed (default 1); a file depends only on seed and index")
    p.add_argument("--start", type=int, default=0,
                   help="index of the first report (default 0): --start 100000 --n 1000 adds 1,000 new files")
    p.add_argument("--layouts", nargs="+", default=None, metavar="LAYOUT",
                   help="layouts to draw from (default all: cell_per_line, indented, pipe, tab, "
                        "space_separated, run_together, html, markdown, prose); prose means pre-2019 years")
    p.add_argument("--broken-share", type=float, default=0.03,
                   help="share of broken files: truncated, garbled digits, a table missing, not a report, empty (default 0.03)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")


def cmd_synth(args: argparse.Namespace) -> int:
    from parsers.synth import LAYOUTS, write_corpus

    if args.n < 0 or args.start < 0:
        raise CommandError("--n and --start must not be negative", EXIT_USAGE)
    if not 0 <= args.broken_share <= 1:
        raise CommandError("--broken-share must be between 0 and 1", EXIT_USAGE)
    layouts = tuple(x for item in (args.layouts or LAYOUTS) for x in item.split(",") if x)
    unknown = sorted(set(layouts) - set(LAYOUTS))
    if unknown:
        raise CommandError(f"unknown layout {', '.join(unknown)} (known: {' '.join(LAYOUTS)})", EXIT_USAGE)
    progress = StderrProgress()
    progress.line(f"ogi synth: {args.n} reports (seed {args.seed}, from index {args.start}) -> {args.out}")
    step = [-1]

    def wrote(done: int, total: int) -> None:
        if done * 10 // max(total, 1) != step[0] or done == total:
            step[0] = done * 10 // max(total, 1)
            progress.line(f"wrote {done}/{total} reports")

    try:
        stats = write_corpus(args.out, args.seed, args.n, layouts, args.broken_share, start=args.start,
                             workers=max(1, args.workers), progress=wrote)
    except OSError as exc:
        raise CommandError(f"cannot write to {args.out}: {exc}", EXIT_USAGE) from None
    rate = stats["files_per_second"] or 0
    print(f"wrote {stats['files']} reports ({stats['bytes'] / 1e6:.1f} MB, {stats['broken']} broken) "
          f"to {args.out / 'raw'} and their truth to {args.out / 'truth'} "
          f"in {stats['seconds']:.1f} s ({rate:.0f} files/s, {stats['workers']} workers)")
    print("layouts: " + ", ".join(f"{k} {v}" for k, v in sorted(stats["layouts"].items())))
    return EXIT_OK


# --------------------------------------------------------------------------- main


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: list[Command] = [
    Command("build", "parse the raw folder, load, check and build the warehouse", configure_build, cmd_build),
    Command("parse", "print one report as JSON on stdout", configure_parse, cmd_parse),
    Command("eval", "score a built warehouse (or the parser) against hand-read truth files", configure_eval, cmd_eval),
    Command("synth", "write a synthetic corpus of reports with known truth (parsers/synth.py)", configure_synth, cmd_synth),
]


def register(command: Command) -> None:
    COMMANDS.append(command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ogi", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(p)
        p.set_defaults(_run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args._run(args)
    except CommandError as exc:
        print(f"ogi {args.command}: {_one_line(str(exc))}", file=sys.stderr, flush=True)
        return exc.code
    except KeyboardInterrupt:
        print(f"ogi {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected bug: still one line (OGI_DEBUG=1 for the traceback)
        if os.environ.get("OGI_DEBUG"):
            raise
        print(f"ogi {args.command}: internal error: {_one_line(f'{type(exc).__name__}: {exc}')}",
              file=sys.stderr, flush=True)
        return EXIT_PIPELINE


def entry() -> None:
    """The `ogi` executable: main(), then exit without tearing the interpreter down.
    After a build that teardown (freeing Dagster's, dbt's and polars' objects and
    modules one by one) took about 1 s of a 40 s rebuild, and there is nothing
    left to do: every file and database was closed by the command itself."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
