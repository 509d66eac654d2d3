"""Where a report's numbers come from, read from its cells' manifests and the dataset record
(``cells/<key>/dataset.json``): the commands and git commits that computed the cells (several
when cells come from several commits), the package versions, the dates, and the dataset with
its spec, parameters, version and content fingerprint."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.store import Cell


@dataclass
class Provenance:
    dataset: dict[str, Any]
    cells: int
    commands: list[tuple[str, int]]  # (command, cells), most cells first
    commits: list[tuple[str, int]]
    versions: list[tuple[dict[str, str], int]]
    first: str  # earliest start of a cell (ISO, UTC)
    last: str  # latest end of a cell

    def rebuild(self, out: Path) -> str:
        """The command that writes this report again (from the project's root; ``--out`` only
        when the folder is not called ``results``, so the page does not depend on where the
        results folder is)."""
        params = [f"--dataset-param={k}={json.dumps(v)}" for k, v in self.dataset["params"].items()]
        command = ["python", "-m", "benchmark", "report", "--dataset", self.dataset["spec"]]
        where = [] if out.name == "results" else ["--out", str(out)]
        return shlex.join([*command, *params, *where])


def dataset_record(cells: list[Cell], record: dict[str, Any] | None) -> dict[str, Any]:
    """The dataset record of the pack, else what the first cell's config says."""
    if record is not None:
        return record
    config = cells[0].config
    return {
        "spec": config["dataset"],
        "params": config["dataset_params"],
        "version": config.get("dataset_version", ""),
        "fingerprint": config.get("data_fingerprint", ""),
    }


def collect(cells: list[Cell], record: dict[str, Any] | None) -> Provenance:
    manifests = [c.manifest for c in cells]
    versions = Counter(json.dumps(m.get("versions", {}), sort_keys=True) for m in manifests)
    return Provenance(
        dataset=dataset_record(cells, record),
        cells=len(cells),
        commands=Counter(m.get("command") or "(not recorded)" for m in manifests).most_common(),
        commits=Counter(m.get("git_sha", "unknown") for m in manifests).most_common(),
        versions=[(json.loads(v), n) for v, n in versions.most_common()],
        first=min((m.get("started", "") for m in manifests), default=""),
        last=max((m.get("finished", "") for m in manifests), default=""),
    )
