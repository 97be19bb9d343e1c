"""A progress sink the assets report to. Dagster logs go to the event log; this
goes to whoever runs the graph in-process (the `ogi` CLI draws it on stderr)."""

from __future__ import annotations


class Progress:
    """No-op progress sink (the default under `dagster dev` and in jobs)."""

    def phase(self, name: str, detail: str = "") -> None:  # load, checks, dbt ...
        pass

    def parsed(self, done: int, total: int) -> None:
        pass

    def dbt_node(self, done: int, total: int, name: str) -> None:
        pass

    def check(self, table: str, passed: bool, detail: str = "") -> None:
        pass
