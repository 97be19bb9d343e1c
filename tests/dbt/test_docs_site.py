"""`make docs`: the dbt docs site is generated from the built warehouse, every
mart column has a description, and `dbt docs serve` answers over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DBT = Path(sys.executable).parent / "dbt"
PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_docs_generate_and_serve(built_warehouse, tmp_path):
    env = {**os.environ, "OGI_WAREHOUSE": str(built_warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = tmp_path / "target"
    common = ["--profiles-dir", ".", "--target-path", str(target), "--log-path", str(tmp_path / "logs")]
    gen = subprocess.run([str(DBT), "docs", "generate", *common], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert gen.returncode == 0, gen.stdout[-2000:]

    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    marts = [n for k, n in manifest["nodes"].items() if k.startswith("model.") and n["schema"] == "marts"]
    assert {n["name"] for n in marts} >= {"dim_report", "dim_agency", "fct_applications", "fct_outcomes",
                                          "fct_litigation", "fct_disclosure", "report_issues", "agency_year_summary"}
    for node in marts:
        built_cols = {c.lower() for c in catalog["nodes"][node["unique_id"]]["columns"]}
        described = {c for c, meta in node["columns"].items() if meta.get("description", "").strip()}
        assert built_cols == described, f"{node['name']}: undescribed {sorted(built_cols - described)}"

    port = _free_port()
    server = subprocess.Popen([str(DBT), "docs", "serve", *common, "--port", str(port), "--no-browser"],
                              cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as resp:
                    assert resp.status == 200 and b"dbt" in resp.read(4096).lower()
                    break
            except OSError:
                assert time.monotonic() < deadline, "dbt docs serve did not answer within 60 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=10)
