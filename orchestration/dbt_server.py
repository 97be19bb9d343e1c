"""A warm dbt for `ogi build`: dbt imported once, ahead of time, then forked per run.

A `dbt` process spends about 4 s importing dbt (mashumaro compiles the
serializers of dbt's classes) before it reads a file. `ogi build` therefore
starts this server first thing, when the parent imports Dagster and scans the
raw folder on one core and the other core idles:

    ogi build ──starts──> python -m orchestration.dbt_server SOCKET   imports dbt, then waits
    dagster-dbt ──runs──> ogi-dbt build ...                           (orchestration/dbt_guard.py)
                          hands its argv, cwd, environment and stdin/stdout/stderr
                          to the server over SOCKET, then waits
    server ──forks──> worker: takes the guard (dbt_guard.take_guard) and runs dbt's
                      CLI in that cwd and environment, on ogi-dbt's own stdout

To dagster-dbt, ogi-dbt is dbt: the same output stream, the same exit code;
SIGINT and SIGTERM sent to ogi-dbt reach the worker, and a worker whose ogi-dbt
dies kills itself, as dbt would have died with it. The server forks from a
single-threaded process that has only imported dbt: nothing of the build's
state (Dagster, DuckDB, polars threads) is in the worker.

Without the server (the Dagster UI, schedules, a server that failed to start)
ogi-dbt runs dbt itself, as before. The server exits when `ogi build` stops it
or dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SERVER_ENV = "OGI_DBT_SERVER"  # the socket of the warm dbt, for ogi-dbt
_HEADER = 4  # bytes of the request's length


# ------------------------------------------------------------------ the parent: ogi build

@contextlib.contextmanager
def warm_dbt():
    """Start the server and point ogi-dbt at it (SERVER_ENV) for the duration."""
    folder = tempfile.mkdtemp(prefix="ogi-dbt-")
    path = os.path.join(folder, "dbt.sock")
    proc = subprocess.Popen([sys.executable, "-m", "orchestration.dbt_server", path],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    saved = os.environ.get(SERVER_ENV)
    if _listening(proc, path):  # about 50 ms: the server listens before it imports dbt
        os.environ[SERVER_ENV] = path
    try:
        yield path
    finally:
        if saved is None:
            os.environ.pop(SERVER_ENV, None)
        else:
            os.environ[SERVER_ENV] = saved
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _listening(proc: subprocess.Popen, path: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            return False  # ogi-dbt then runs dbt itself
        time.sleep(0.01)
    return True


# ------------------------------------------------------------------ the client: ogi-dbt

def run_on_server(path: str, args: list[str]) -> int | None:
    """dbt `args` run by the server at `path`, in this process's cwd, environment
    and standard streams; returns dbt's exit code, or None when no server took the
    request (no dbt was started: the caller runs dbt itself)."""
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
    except OSError:
        return None
    payload = json.dumps({"argv": args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    message = len(payload).to_bytes(_HEADER, "big") + payload
    try:
        sent = socket.send_fds(sock, [message], [0, 1, 2])
        sock.sendall(message[sent:])
        replies = sock.makefile("rb")
        started = replies.readline().split()
    except OSError:
        return None
    if len(started) != 2 or started[0] != b"pid":
        return None  # the server stopped before it forked a worker
    worker = int(started[1])
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: _forward(worker, signum))
    ended = replies.readline().split()
    if len(ended) == 2 and ended[0] == b"exit":
        return int(ended[1])
    sys.stderr.write(f"ogi-dbt: the dbt worker (pid {worker}) ended without an exit code\n")
    return 1


def _forward(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


# ------------------------------------------------------------------ the server

def serve(path: str) -> None:
    """Listen first (a request that comes early waits in the backlog), then import dbt."""
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".binding")
    listener.listen(8)
    os.rename(path + ".binding", path)  # path appears only once connections are accepted
    import dbt.adapters.duckdb  # noqa: F401  the adapter plugin dbt would load
    import dbt.cli.main  # noqa: F401

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C of ogi build: ogi build stops the server
    listener.settimeout(1.0)
    while os.getppid() == parent:  # reparented: ogi build is gone
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        try:
            request, fds = _receive(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            _work(conn, request, fds)  # never returns
        conn.close()
        for fd in fds:
            os.close(fd)
    _remove_socket(path)


def _remove_socket(path: str) -> None:
    """ogi build is gone (killed, say) and left the socket: remove it and its
    folder, which warm_dbt made for it (an ogi-dbt-* folder; rmdir of an empty one only)."""
    with contextlib.suppress(OSError):
        os.unlink(path)
    folder = os.path.dirname(path)
    if os.path.basename(folder).startswith("ogi-dbt-"):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("a request carries the client's stdin, stdout and stderr")
    while len(data) < _HEADER or len(data) < _HEADER + int.from_bytes(data[:_HEADER], "big"):
        more = conn.recv(1 << 16)
        if not more:
            raise ValueError("truncated request")
        data += more
    return json.loads(data[_HEADER:]), fds


def _work(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked worker: become the client's dbt, report the exit code, exit."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # dbt's own Ctrl-C handling
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        conn.sendall(f"pid {os.getpid()}\n".encode())
        threading.Thread(target=_die_with_client, args=(conn,), daemon=True).start()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        code = _run_dbt(request["argv"])
    except BaseException:  # noqa: BLE001 - reported on the client's stderr, as dbt's own crash would be
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(OSError):
            conn.sendall(f"exit {code}\n".encode())
        os._exit(code)


def _run_dbt(argv: list[str]) -> int:
    """What the `dbt` executable does (`sys.exit(cli())`), behind ogi-dbt's guard."""
    from dbt.cli.main import cli

    from orchestration.dbt_guard import take_guard

    sys.argv = ["dbt", *argv]
    try:
        take_guard()
        cli()
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        sys.stderr.write(f"{done.code}\n")
        return 1
    return 0


def _die_with_client(conn: socket.socket) -> None:
    """The client sends nothing after its request: end of stream means it died."""
    with contextlib.suppress(OSError):
        while conn.recv(1):
            pass
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    serve(sys.argv[1])
