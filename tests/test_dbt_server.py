"""The warm dbt of `ogi build` (orchestration/dbt_server.py): ogi-dbt hands its
run to a process that imported dbt ahead of time, and must behave exactly like
the dbt it replaces: the same output and exit code, the same guard, signals
passed on, no worker left behind by a client that dies, and plain dbt when no
server answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.dbt_server import SERVER_ENV, warm_dbt
from orchestration.paths import dbt_executable
from orchestration.publish import Layout, prepare_work

GUARD = dbt_executable(guarded=True)
DBT = dbt_executable()


def _ran_on_server(socket_path: str, args: list[str]) -> subprocess.CompletedProcess:
    """run_on_server in a process of its own: exit 99 when no server took the run."""
    code = ("import sys; from orchestration.dbt_server import run_on_server; "
            f"c = run_on_server({socket_path!r}, {args!r}); sys.exit(99 if c is None else c)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_ogi_dbt_runs_on_the_warm_server_with_dbts_output_and_exit_code():
    with warm_dbt() as path:
        assert os.environ[SERVER_ENV] == path
        version = _ran_on_server(path, ["--version"])
        assert version.returncode == 0 and "Core" in version.stdout, version
        # A usage error: the server passes on dbt's own exit code, not 0 or 1.
        plain = subprocess.run([DBT, "no-such-command"], capture_output=True, text=True, timeout=120)
        served = _ran_on_server(path, ["no-such-command"])
        assert plain.returncode not in (0, 99)
        assert served.returncode == plain.returncode, (served, plain)
        assert "no-such-command" in served.stderr
        # ogi-dbt itself, as dagster-dbt starts it, finds the server through the environment.
        via_guard = subprocess.run([GUARD, "--version"], capture_output=True, text=True, timeout=120)
        assert via_guard.returncode == 0 and "Core" in via_guard.stdout
    assert SERVER_ENV not in os.environ and not Path(path).exists()


def test_without_a_server_ogi_dbt_runs_dbt_itself(tmp_path):
    gone = str(tmp_path / "no-server.sock")
    assert _ran_on_server(gone, ["--version"]).returncode == 99
    proc = subprocess.run([GUARD, "--version"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, SERVER_ENV: gone})
    assert proc.returncode == 0 and "Core" in proc.stdout, proc


def test_the_guard_holds_on_the_server(tmp_path):
    layout = Layout.of(tmp_path / "ogi.duckdb")
    prepare_work(layout, "current")
    guard_env = {"OGI_DBT_LOCK": str(layout.dbt_lock), "OGI_DBT_MARKER": str(layout.marker)}
    with warm_dbt():
        late = subprocess.run([GUARD, "--version"], capture_output=True, text=True, timeout=120,
                              env={**os.environ, **guard_env, "OGI_BUILD_ID": "killed"})
        own = subprocess.run([GUARD, "--version"], capture_output=True, text=True, timeout=120,
                             env={**os.environ, **guard_env, "OGI_BUILD_ID": "current"})
    assert late.returncode == 3 and "belongs to build current" in late.stderr, late
    assert "Core" not in late.stdout
    assert own.returncode == 0 and "Core" in own.stdout, own


@pytest.fixture
def slow_server(tmp_path):
    """A server whose 'dbt' sleeps, and exits 130 on SIGINT as dbt does."""
    path = str(tmp_path / "dbt.sock")
    script = ("import sys, time; import orchestration.dbt_server as s\n"
              "def run(argv):\n"
              "    try:\n"
              "        print('started', flush=True); time.sleep(60); return 0\n"
              "    except KeyboardInterrupt:\n"
              "        return 130\n"
              "s._run_dbt = run\n"
              f"s.serve({path!r})\n")
    server = subprocess.Popen([sys.executable, "-c", script])
    assert _wait_for(lambda: Path(path).exists())
    try:
        yield server, path
    finally:
        server.kill()
        server.wait()


def _start_client(path: str) -> subprocess.Popen:
    client = subprocess.Popen([GUARD, "run"], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, SERVER_ENV: path})
    assert client.stdout.readline().strip() == "started"  # the worker writes on the client's stdout
    return client


def test_a_signal_to_ogi_dbt_reaches_the_worker(slow_server):
    server, path = slow_server
    client = _start_client(path)
    client.send_signal(signal.SIGINT)
    assert client.wait(timeout=30) == 130


def test_a_worker_dies_with_its_client(slow_server):
    server, path = slow_server
    client = _start_client(path)
    workers = _children(server.pid)
    assert len(workers) == 1 and _alive(workers[0])
    client.kill()
    client.wait()
    assert _wait_for(lambda: not _alive(workers[0]), timeout=10), "the worker outlived its ogi-dbt"


def test_a_server_whose_build_dies_exits_and_removes_its_socket():
    """SIGKILL of ogi build: its warm dbt notices the parent is gone, exits, and
    leaves no /tmp/ogi-dbt-* folder behind."""
    code = ("import time; from orchestration.dbt_server import warm_dbt\n"
            "with warm_dbt() as path:\n"
            "    print(path, flush=True); time.sleep(120)\n")
    build = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    path = Path(build.stdout.readline().strip())
    [server] = _children(build.pid)
    assert path.exists() and path.parent.name.startswith("ogi-dbt-")
    build.kill()
    build.wait()
    assert _wait_for(lambda: not _alive(server), timeout=30), "the server outlived ogi build"
    assert not path.parent.exists(), "the socket folder was left behind"
