"""`ogi-dbt`: the dbt executable of data builds, dbt behind a lock.

Every build works in one stable folder, FILE.build/work/ (orchestration/publish.py),
so that dbt's partial parsing survives from build to build (dbt re-parses the whole
project, about 6 s, whenever the profile's database path changes). A stable folder
must never receive writes from a straggler: the `dbt` child of a killed build lives
on, and could write its WAL into the next build's database. So:

* this wrapper takes FILE.build/dbt.lock (an flock) and keeps it across the exec
  into dbt: the lock lives exactly as long as that dbt process;
* it runs dbt only if FILE.build/work/BUILD still names its own build
  (OGI_BUILD_ID), so a straggler that starts late finds another build's folder
  and exits;
* a new build takes the same lock before it empties work/; when a straggler holds
  it, that build works in a folder of its own (and pays the full parse).

With OGI_DBT_CWD set, dbt runs in that folder (FILE.build/): the profile names
the build's database relative to it (orchestration/publish.py, WorkFolder.dbt_env).
dbt itself finds the project, profile and target folder by the absolute paths
dagster-dbt passes in DBT_PROJECT_DIR, DBT_PROFILES_DIR and DBT_TARGET_PATH.

Without OGI_DBT_LOCK in the environment it is plain dbt. Under `ogi build`, a warm
dbt process runs dbt on ogi-dbt's behalf (orchestration/dbt_server.py, about 4 s
of imports saved), behind the same guard.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from orchestration.dbt_server import SERVER_ENV, run_on_server
from orchestration.paths import dbt_executable

EXIT_STALE = 3  # the folder belongs to another build


def take_guard() -> None:
    """With OGI_DBT_LOCK and OGI_DBT_MARKER set: take the lock for the life of this
    process (and of a dbt it execs into), or exit EXIT_STALE when the folder
    belongs to another build. Without them: nothing."""
    lock_path, marker = os.environ.get("OGI_DBT_LOCK"), os.environ.get("OGI_DBT_MARKER")
    if lock_path and marker:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held only briefly by a build preparing work/
        owner = Path(marker).read_text().strip() if Path(marker).exists() else ""
        if owner != os.environ.get("OGI_BUILD_ID", ""):
            sys.stderr.write(f"ogi-dbt: {Path(marker).parent} belongs to build {owner or '(none)'}, "
                             f"not {os.environ.get('OGI_BUILD_ID')}; not running dbt\n")
            sys.exit(EXIT_STALE)
        os.set_inheritable(fd, True)  # dbt keeps the lock until it exits


def main() -> None:
    if os.environ.get("OGI_DBT_CWD"):
        os.chdir(os.environ["OGI_DBT_CWD"])  # before the server call: it runs dbt in this cwd
    server = os.environ.get(SERVER_ENV)
    if server:  # `ogi build`'s warm dbt runs it, behind the same guard (orchestration/dbt_server.py)
        code = run_on_server(server, sys.argv[1:])
        if code is not None:
            sys.exit(code)
    take_guard()
    dbt = dbt_executable()
    os.execvp(dbt, [dbt, *sys.argv[1:]])


if __name__ == "__main__":
    main()
