"""The bad-input catalogue (docs/errors.md): every kind of bad input, run through
``benchmark.cli.main`` in-process on a results folder that already holds a finished run.

Each case asserts the exit status (2 usage error, 1 failure, 130 interrupted), that stderr is
exactly one line starting with ``error:`` and naming the input (no traceback), and that the
results folder is byte-identical afterwards: nothing new, nothing changed (an interrupted cell
may leave its empty lock file, which is not a result).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchmark.cli import main
from benchmark.pipeline.prepare import default_data_dir
from tests.conftest import TINY_ARGS

ROOT = Path(__file__).resolve().parents[1]
SMALL = TINY_ARGS
DATA = default_data_dir()


def letor_lines(qids: Iterable[int], labels: tuple[int, ...] = (2, 0, 1, 0)) -> str:
    return "".join(
        f"{lab} qid:{q} 1:{0.1 * i:.1f} 2:{0.3 * lab:.1f} 3:0.5 # doc{q}-{i}\n"
        for q in qids
        for i, lab in enumerate(labels)
    )


GOOD, TEST = letor_lines(range(1, 7)), letor_lines(range(11, 15))
Setup = Callable[[pytest.MonkeyPatch, Path, Path], None]


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]  # {out}: the results folder, {in}: the folder of bad inputs
    code: int
    message: str  # a part of the error line
    setup: Setup | None = None
    locks_ok: bool = False  # an interrupted cell may leave runs/.locks/<run_id>.lock
    seconds: float = 60.0  # the most the refusal may take


def run(*args: str) -> tuple[str, ...]:
    return ("run", "--out", "{out}", "--quiet", *args)


def report(*args: str) -> tuple[str, ...]:
    return ("report", "--out", "{out}", *args)


def letor(folder: str, *args: str) -> tuple[str, ...]:
    return run("--dataset", f"letor:{{in}}/{folder}", "--rerankers", "interleave", *args)


def grid(name: str) -> tuple[str, ...]:
    return ("run", "--out", "{out}", "--quiet", "--grid", f"{{in}}/{name}.toml")


# -- inputs written once per module -------------------------------------------------------
FOLDERS: dict[str, dict[str, str | bytes]] = {
    "good": {"train.txt": GOOD, "test.txt": TEST},
    "malformed": {"train.txt": GOOD.replace("2:0.6", "2:x", 1), "test.txt": TEST},
    "no-qid": {"train.txt": GOOD.replace(" qid:3", "", 1), "test.txt": TEST},
    "bad-label": {"train.txt": "x" + GOOD[1:], "test.txt": TEST},
    "wide": {"train.txt": GOOD.replace("3:0.5", "9999999:0.5", 1), "test.txt": TEST},
    "split-query": {"train.txt": GOOD + GOOD.splitlines(keepends=True)[0], "test.txt": TEST},
    "shared-query": {"train.txt": GOOD, "test.txt": GOOD},
    "empty": {"train.txt": "", "test.txt": TEST},
    "stray-number": {"train.txt": GOOD.replace(" 1:", " 9 1:"), "test.txt": TEST},
    "utf16": {"train.txt": GOOD.encode("utf-16"), "test.txt": TEST},
    "bom-letor": {"train.txt": "\ufeff" + GOOD, "test.txt": TEST},
    "nul-byte": {"train.txt": GOOD.replace("3:0.5", "3:0\x00.5", 1), "test.txt": TEST},
    "qid-negative": {"train.txt": GOOD.replace("qid:2 ", "qid:-2 ", 1), "test.txt": TEST},
    "qid-2-63": {"train.txt": GOOD.replace("qid:6 ", "qid:9223372036854775808 "), "test.txt": TEST},
    "index-zero": {"train.txt": GOOD.replace(" 1:0.0", " 0:0.0", 1), "test.txt": TEST},
    "value-nan": {"train.txt": GOOD.replace("2:0.6", "2:nan", 1), "test.txt": TEST},
    "value-inf": {"train.txt": GOOD.replace("2:0.6", "2:-inf", 1), "test.txt": TEST},
    "value-hex": {"train.txt": GOOD.replace("2:0.6", "2:0x10", 1), "test.txt": TEST},
    "value-comma": {"train.txt": GOOD.replace("2:0.6", "2:0,6", 1), "test.txt": TEST},
    "label-float": {"train.txt": "1.5" + GOOD[1:], "test.txt": TEST},
    "label-negative": {"train.txt": "-1" + GOOD[1:], "test.txt": TEST},
    "index-repeated": {"train.txt": GOOD.replace("3:0.5", "2:0.5", 1), "test.txt": TEST},
    "colon-missing": {"train.txt": GOOD.replace("2:0.6", "2 0.6", 1), "test.txt": TEST},
    "train-is-a-folder": {"train.txt/x": GOOD, "test.txt": TEST},
    "test-only": {"test.txt": TEST},
    "folds-gap": {"Fold1/train.txt": GOOD, "Fold1/test.txt": TEST, "Fold3/train.txt": GOOD},
    "beyond-float32": {"train.txt": GOOD.replace("2:0.6", "2:1e39", 1), "test.txt": TEST},
    "huge-label": {"train.txt": "99999999999" + GOOD[1:], "test.txt": TEST},
    "no-positive": {"train.txt": GOOD, "test.txt": letor_lines(range(11, 15), (0, 0, 0))},
    "no-layout": {"README": "not LETOR data\n"},
    "folds": {"Fold1/train.txt": GOOD, "Fold1/test.txt": TEST, "Fold2/vali.txt": TEST},
    "qilin-empty": {"notes.csv": "note_idx\n"},
    "cr-two-qids": {
        "train.txt": GOOD.replace("3:0.5 # doc1-2", "qid:9 3:0.5 # doc1-2", 1).replace("\n", "\r"),
        "test.txt": TEST,
    },
    "cr-qid-comment": {
        "train.txt": GOOD.replace("\n", "\r").replace(" # doc1-1\r", " # doc1-1 ", 1),
        "test.txt": TEST,
    },
}
LAMBDA = '[[group]]\nrerankers = ["lambdamart"]\nbudgets = ["10%"]\n'
INTERLEAVE = '[[group]]\nrerankers = ["interleave"]\n'
GRIDS: dict[str, str | bytes] = {
    "syntax": '[[group]\nrerankers = ["lambdamart"]\n',
    "typo-seed": 'seed = 1\n[[group]]\nrerankers = ["interleave"]\n',
    "typo-datset-params": "datset_params = { n_queries = 100 }\n"
    '[[group]]\nrerankers = ["interleave"]\n',
    "no-groups": 'dataset = "synthetic-serp"\n',
    "no-rerankers": '[[group]]\nbudgets = ["10%"]\n',
    "rerankers-string": '[[group]]\nrerankers = "lambdamart"\nbudgets = ["10%"]\n',
    "budgets-string": '[[group]]\nrerankers = ["lambdamart"]\nbudgets = "50%"\n',
    "seeds-zero": 'seeds = 0\n[[group]]\nrerankers = ["lambdamart"]\nbudgets = ["50%"]\n',
    "group-key": '[[group]]\nrerankers = ["smar"]\nbudget = ["10%"]\n',
    "stray-params": '[[group]]\nrerankers = ["sft"]\nbudgets = ["10%"]\n'
    'params = { smar = { head = "attention" } }\n',
    "no-cells": '[[group]]\nrerankers = ["smar"]\nreferences = false\n',
    "bad-budget": '[[group]]\nrerankers = ["smar"]\nbudgets = ["150%"]\n',
    "bad-reranker": '[[group]]\nrerankers = ["lambdamrt"]\nbudgets = ["10%"]\n',
    "seeds-billion": 'seeds = 1000000000\n[[group]]\nrerankers = ["smar"]\nbudgets = ["10%"]\n',
    "bom-typo": '\ufeffseed = 1\n[[group]]\nrerankers = ["interleave"]\n',
    "utf16": '[[group]]\nrerankers = ["interleave"]\n'.encode("utf-16"),
    "seeds-float": 'seeds = 2.5\n[[group]]\nrerankers = ["interleave"]\n',
    "seeds-bool": 'seeds = true\n[[group]]\nrerankers = ["interleave"]\n',
    "budget-nan": '[[group]]\nrerankers = ["lambdamart"]\nbudgets = [nan]\n',
    "budget-inf": '[[group]]\nrerankers = ["lambdamart"]\nbudgets = [inf]\n',
    "budget-bool": '[[group]]\nrerankers = ["lambdamart"]\nbudgets = [true]\n',
    "n-queries-float": "dataset_params = { n_queries = 200.5 }\n" + INTERLEAVE,
    "nul": '[[group]]\nrerankers = ["interleave"]\x00\n',
    "unicode-reranker": '[[group]]\nrerankers = ["lambdamárt"]\nbudgets = ["10%"]\n',
    "empty": "",
    "dataset-number": 'dataset = 3\n[[group]]\nrerankers = ["interleave"]\n',
    "group-not-table": "group = [1, 2]\n",
    "params-not-table": LAMBDA + "params = { lambdamart = 3 }\n",
    "param-range": LAMBDA + "params = { lambdamart = { feature_fraction = 0 } }\n",
    "empty-split": "dataset_params = { split_fractions = [1.0, 0, 0, 0] }\n" + INTERLEAVE,
    "unknown-strategy": LAMBDA + 'strategy = "topp"\n',
    "report-kind": '[report]\nkind = "tables"\n[[group]]\nrerankers = ["interleave"]\n',
    "huge-queries": "dataset_params = { n_queries = 1000000000 }\n" + INTERLEAVE,
    "bad-param-type": '[[group]]\nrerankers = ["lambdamart"]\nbudgets = ["10%"]\n'
    'params = { lambdamart = { num_leaves = "many" } }\n',
}


# -- environment and results-folder set-ups -------------------------------------------------
def corrupt(pattern: str, text: bytes) -> Setup:
    def setup(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
        target = sorted(out.glob(pattern))[0]
        target.write_bytes(text)

    return setup


def disk_full(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def ctrl_c(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    from benchmark.pipeline import harness

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(harness, "execute", interrupted)


def little_memory(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    from datasets import svmlight_checks

    monkeypatch.setattr(svmlight_checks, "available_memory", lambda: 10)


def data_dir_variable(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    monkeypatch.setenv("BENCHMARK_DATA_DIR", str(inputs / "nowhere"))


def copied_yahoo(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    if not (DATA / "lightgbm_lambdarank").is_dir():
        pytest.skip(f"no shared data at {DATA}")
    folder = inputs / "data" / "lightgbm_lambdarank"
    if not folder.is_dir():
        shutil.copytree(DATA / "lightgbm_lambdarank", folder)
        test = folder / "rank.test"
        test.chmod(0o644)
        test.write_bytes(test.read_bytes().replace(b"0.5", b"0.6", 1))


#: ``{name}`` in a case's argv, filled in by its setup (a server's address)
PLACES: dict[str, str] = {}


def http_server(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    """An HTTP server where the case says a Dask scheduler is; the scheduler's connect bound
    shortened from 10 s to 2 s to keep the test fast."""
    import http.server
    import threading

    from benchmark import cli_plan

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(PLACES, "{http}", f"tcp://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setattr(cli_plan, "CONNECT_TIMEOUT", 2.0)
    SERVERS.append(server)


SERVERS: list[Any] = []


def locks_a_file(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    shutil.rmtree(out / "runs" / ".locks", ignore_errors=True)
    (out / "runs" / ".locks").write_text("not a folder")


def pack_lock_a_folder(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    shutil.rmtree(out / "runs" / ".locks", ignore_errors=True)
    (out / "runs" / ".locks" / "pack-synthetic-serp-77137101.lock").mkdir(parents=True)


def symlink_loop(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    for a, b in (("loop-a", "loop-b"), ("loop-b", "loop-a")):
        if not (inputs / a).is_symlink():
            (inputs / a).symlink_to(inputs / b)


def without_cells(damage: Setup) -> Setup:
    """``damage`` done to a results folder without cell folders (a clone: only packs)."""

    def setup(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
        damage(monkeypatch, out, inputs)
        for folder in out.glob("runs/*/"):
            if len(folder.name) == 16:
                shutil.rmtree(folder)

    return setup


def a_file_at(relative: str) -> Setup:
    """A file where the results folder has (or makes) the folder ``relative``."""

    def setup(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
        shutil.rmtree(out / relative, ignore_errors=True)
        (out / relative).write_text("not a folder")

    return setup


def a_folder_at(pattern: str) -> Setup:
    """A folder where the results folder has the file ``pattern``."""

    def setup(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
        target = sorted(out.glob(pattern))[0]
        target.unlink()
        target.mkdir()

    return setup


def foreign_metrics(pattern: str) -> Setup:
    """Replace a metrics table by valid parquet with other columns."""

    def setup(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
        import pandas as pd

        pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(sorted(out.glob(pattern))[0])
        if pattern.startswith("cells/"):  # the pack alone, as in git: no cell folders
            for folder in out.glob("runs/*/"):
                shutil.rmtree(folder)

    return setup


LONG_NAME = "x" * 300

CASES = [
    # command line
    Case("cli-unknown-reranker", run("--rerankers", "lambdamrt"), 2, "did you mean 'lambdamart'"),
    Case("cli-empty-rerankers", run("--rerankers", ""), 2, "expected comma-separated reranker"),
    Case("cli-unknown-dataset", run("--dataset", "synthetic-serpp"), 2, "did you mean"),
    Case("cli-dataset-needs-argument", run("--dataset", "letor"), 2, "needs an argument"),
    Case("cli-dataset-takes-no-argument", run("--dataset", "synthetic-serp:x"), 2, "no argument"),
    Case("cli-unknown-strategy", run("--strategy", "top"), 2, "unknown strategy 'top'"),
    Case("cli-budget-above-100", run("--budget", "150%"), 2, "invalid budget '150%'"),
    Case("cli-budget-negative", run("--budget", "-5%"), 2, "invalid budget '-5%'"),
    Case("cli-budget-not-a-number", run("--budget", "ten"), 2, "invalid budget 'ten'"),
    Case("cli-budget-rounds-to-0", run("--budget", "0.00001%"), 2, "smallest budget, 0.0001%"),
    Case(
        "cli-budget-buys-no-label",
        run("--budget", "0.0001%", "--rerankers", "lambdamart", "--seeds", "1", *SMALL),
        2,
        "buys no label",
    ),
    Case("cli-seeds-zero", run("--seeds", "0"), 2, "--seeds must be at least 1"),
    Case("cli-formats-unknown", run("--formats", "png,jpg"), 2, "unknown figure format 'jpg'"),
    Case("report-formats-empty", report(*SMALL, "--formats", ","), 2, "no format in ','"),
    Case("cli-seeds-not-integer", run("--seeds", "two"), 2, "invalid int value: 'two'"),
    Case("cli-param-without-reranker", run("--param", "num_leaves=3"), 2, "<reranker>."),
    Case(
        "cli-param-reranker-not-run",
        run("--rerankers", "lambdamart", "--param", "smar.lr=0.1"),
        2,
        "not being run",
    ),
    Case(
        "cli-param-unknown",
        run("--rerankers", "lambdamart", "--param", "lambdamart.leaves=3"),
        2,
        "no parameter 'leaves'",
    ),
    Case(
        "cli-param-wrong-type",
        run("--rerankers", "lambdamart", "--param", "lambdamart.num_leaves=abc"),
        2,
        "num_leaves expects an integer, got 'abc'",
    ),
    Case(
        "cli-param-negative",
        run("--rerankers", "lambdamart", "--param", "lambdamart.learning_rate=-0.1"),
        2,
        "learning_rate must be > 0, got -0.1",
    ),
    Case(
        "cli-param-beyond-lightgbm",
        run("--rerankers", "lambdamart", "--param", "lambdamart.feature_fraction=2"),
        2,
        "feature_fraction must be in (0, 1], got 2",
    ),
    Case(
        "cli-param-one-leaf",
        run("--rerankers", "lambdamart", "--param", "lambdamart.num_leaves=1"),
        2,
        "num_leaves must be in (1, 131072], got 1",
    ),
    Case(
        "cli-param-given-twice",
        run(
            "--rerankers",
            "lambdamart",
            "--param",
            "lambdamart.num_leaves=7",
            "--param",
            "lambdamart.num_leaves=9",
        ),
        2,
        "--param lambdamart.num_leaves given twice",
    ),
    Case(
        "cli-dataset-param-given-twice",
        run("--dataset-param", "seed=1", "--dataset-param", "seed=2"),
        2,
        "--dataset-param seed given twice",
    ),
    Case("cli-seeds-given-twice", run("--seeds", "2", "--seeds", "3"), 2, "--seeds: given twice"),
    Case("cli-out-given-twice", run("--out", "{in}/other"), 2, "--out: given twice"),
    Case(
        "cli-dataset-given-twice",
        run("--dataset", "synthetic-serp", "--dataset", "letor:mq2008"),
        2,
        "--dataset: given twice (synthetic-serp, then letor:mq2008)",
    ),
    Case(
        "cli-strategy-given-twice",
        run("--strategy", "pages", "--strategy", "random"),
        2,
        "--strategy: given twice",
    ),
    Case("cli-jobs-given-twice", run("--jobs", "2", "--jobs", "1"), 2, "--jobs: given twice"),
    Case(
        "cli-jobs-zero",
        run("--jobs", "0", "--rerankers", "interleave", "--dataset-param", "n_queries=200"),
        2,
        "--jobs must be at least 1, not 0",
    ),
    Case(
        "cli-jobs-negative",
        run("--jobs", "-2", "--rerankers", "interleave", "--dataset-param", "n_queries=200"),
        2,
        "--jobs must be at least 1, not -2",
    ),
    Case("cli-metrics-only-commas", run("--metrics", ","), 2, "comma-separated measure names"),
    Case("cli-param-not-key-value", run("--param", "lambdamart"), 2, "expected key=value"),
    Case("cli-dataset-param-unknown", run("--dataset-param", "n_querys=10"), 2, "'n_querys'"),
    Case(
        "cli-dataset-param-float-for-int",
        run("--dataset-param", "n_queries=200.5"),
        2,
        "n_queries expects an integer, got 200.5",
    ),
    Case(
        "cli-dataset-param-not-a-number",
        run("--dataset-param", "n_queries=abc"),
        2,
        "n_queries expects an integer, got 'abc'",
    ),
    Case(
        "cli-dataset-param-wrong-length",
        run("--dataset-param", "bias=1,2"),
        2,
        "bias expects a list of 4 numbers",
    ),
    Case(
        "cli-dataset-param-out-of-range",
        run("--dataset-param", "answer_rate=1.5"),
        2,
        "answer_rate must be in [0, 1]",
    ),
    Case(
        "cli-dataset-param-not-boolean",
        run("--dataset", "qilin:qilin_sample", "--dataset-param", "allow_missing=maybe"),
        2,
        "allow_missing expects true or false, got 'maybe'",
    ),
    Case(
        "cli-fold-out-of-range",
        run("--dataset", "letor:ohsumed", "--dataset-param", "fold=6"),
        2,
        "folds 1..5, not 6",
    ),
    Case("cli-fold-all-without-folds", run("--dataset-param", "fold=all"), 2, "has no folds"),
    Case(
        "cli-cv-is-reserved",
        run("--dataset", "letor:ohsumed", "--dataset-param", "fold=all", "--dataset-param", "cv=2"),
        2,
        "'cv' is set by fold=all",
    ),
    Case("cli-grid-with-options", run("--grid", "default", "--seeds", "2"), 2, "--seeds cannot"),
    Case("cli-unknown-grid", run("--grid", "smar-mian"), 2, "did you mean 'smar-main'"),
    Case("cli-out-is-a-file", ("run", "--out", "{in}/good/train.txt"), 2, "is a file"),
    Case(
        "cli-report-without-results",
        report("--dataset", "letor:ohsumed"),
        2,
        "no finished cells of dataset 'letor_ohsumed'",
    ),
    Case("cli-unknown-command", ("frobnicate",), 2, "invalid choice: 'frobnicate'"),
    Case("cli-unknown-option", run("--budgte", "10%"), 2, "unrecognized arguments: --budgte"),
    Case(
        "cli-scheduler-tls-without-security",
        run("--executor", "dask", "--scheduler", "tls://127.0.0.1:1", *SMALL),
        2,
        "tls://127.0.0.1:1 needs",
    ),
    Case(
        "cli-scheduler-is-an-http-server",
        run("--executor", "dask", "--scheduler", "{http}", *SMALL),
        1,
        "no Dask scheduler answered within 2 s",
        setup=http_server,
        seconds=8,
    ),
    Case(
        "cli-seeds-a-billion",
        run("--rerankers", "interleave,lambdamart", "--seeds", "1000000000"),
        2,
        "would plan 3,000,000,000 cells",
    ),
    Case(
        "cli-dataset-param-empty-split",
        run("--dataset-param", "split_fractions=0.8,0,0,0.2", *SMALL),
        2,
        "leaves page_train with no query",
    ),
    Case(
        "cli-out-name-too-long",
        ("run", "--out", f"{{in}}/{LONG_NAME}", "--quiet"),
        2,
        "is longer than",
    ),
    # grid files
    Case("grid-toml-syntax", grid("syntax"), 2, "syntax.toml"),
    Case("grid-top-level-typo", grid("typo-seed"), 2, "unknown key 'seed'; did you mean 'seeds'"),
    Case("grid-top-level-typo-params", grid("typo-datset-params"), 2, "'datset_params'"),
    Case("grid-without-groups", grid("no-groups"), 2, "no [[group]] tables"),
    Case("grid-group-without-rerankers", grid("no-rerankers"), 2, "group 1: no rerankers"),
    Case("grid-rerankers-as-text", grid("rerankers-string"), 2, "rerankers must be a list"),
    Case("grid-budgets-as-text", grid("budgets-string"), 2, "budgets must be a list"),
    Case("grid-seeds-zero", grid("seeds-zero"), 2, "seeds must be an integer >= 1"),
    Case("grid-unknown-group-key", grid("group-key"), 2, "did you mean 'budgets'"),
    Case("grid-params-for-absent-reranker", grid("stray-params"), 2, "params for 'smar'"),
    Case("grid-group-without-cells", grid("no-cells"), 2, "would get no cell"),
    Case("grid-bad-budget", grid("bad-budget"), 2, "group 1: invalid budget '150%'"),
    Case("grid-unknown-reranker", grid("bad-reranker"), 2, "group 1: unknown reranker"),
    Case("grid-param-wrong-type", grid("bad-param-type"), 2, "num_leaves expects an integer"),
    Case("grid-seeds-a-billion", grid("seeds-billion"), 2, "group 1: the run would plan 2,000,"),
    Case("grid-utf8-bom", grid("bom-typo"), 2, "unknown key 'seed'; did you mean 'seeds'"),
    Case("grid-missing-file", run("--grid", "{in}/nowhere.toml"), 2, "no such file"),
    # dataset files
    Case("data-not-a-folder", letor("nowhere"), 2, "neither a known dataset"),
    Case("data-no-layout", letor("no-layout"), 2, "no LETOR layout found"),
    Case("data-malformed-value", letor("malformed"), 2, "train.txt:1: feature 2: value 'x'"),
    Case("data-missing-qid", letor("no-qid"), 2, "train.txt:9: missing qid"),
    Case("data-label-not-integer", letor("bad-label"), 2, "label 'x' is not an integer"),
    Case("data-feature-index-too-large", letor("wide"), 2, "train.txt:1: feature index 9999999"),
    Case("data-query-split", letor("split-query"), 2, "qid 1 appears again"),
    Case(
        "data-stray-number-after-qid",
        letor("stray-number"),
        2,
        "train.txt:1: expected <index>:<value>, got '9'",
    ),
    Case(
        "data-value-beyond-float32",
        letor("beyond-float32"),
        2,
        "train.txt:1: feature 2: value '1e39' is beyond float32's range",
    ),
    Case("data-label-out-of-range", letor("huge-label"), 2, "label '99999999999' is out of range"),
    Case("data-empty-file", letor("empty"), 2, "no data rows"),
    Case("data-query-in-two-splits", letor("shared-query"), 2, "query '1' in both"),
    Case("data-no-positive-test-label", letor("no-positive"), 2, "no test query has an item"),
    Case(
        "data-fold-files-missing",
        letor("folds", "--dataset-param", "fold=2"),
        2,
        "Fold2/train.txt, Fold2/test.txt missing",
    ),
    Case(
        "data-named-folder-missing",
        run("--data-dir", "{in}/nowhere", "--dataset", "letor:mq2008"),
        2,
        "point --data-dir",
    ),
    Case(
        "data-checksum-mismatch",
        run("--data-dir", "{in}/data", "--dataset", "letor:yahoo-sample"),
        2,
        "rank.test: sha256 is",
        setup=copied_yahoo,
    ),
    Case(
        "data-symlink-loop",
        letor("loop-a"),
        2,
        "loop-a: a loop of symbolic links",
        setup=symlink_loop,
    ),
    Case("data-qilin-tables-missing", run("--dataset", "qilin:{in}/qilin-empty"), 2, "search_"),
    # result folders
    Case(
        "results-garbage-manifest",
        report(*SMALL),
        1,
        "manifest.json: not a readable manifest",
        setup=corrupt("runs/*/manifest.json", b"{ not json"),
    ),
    Case(
        "results-garbage-pack",
        report(*SMALL),
        1,
        "manifests.jsonl.gz: cannot read",
        setup=corrupt("cells/*/manifests.jsonl.gz", b"[1, 2\n"),
    ),
    Case(
        "results-garbage-dataset-record",
        report(*SMALL),
        1,
        "dataset.json: not a readable dataset record",
        setup=corrupt("cells/*/dataset.json", b"\x00\x01"),
    ),
    Case(
        "results-garbage-metrics",
        report(*SMALL),
        1,
        "unreadable per-query metrics",
        setup=corrupt("runs/*/metrics.parquet", b"PAR1 not parquet"),
    ),
    Case(
        "results-foreign-pack-metrics",
        report(*SMALL),
        1,
        "metrics.parquet: not a table of per-query metrics (columns a, b",
        setup=foreign_metrics("cells/*/metrics.parquet"),
    ),
    Case(
        "results-foreign-cell-metrics",
        report(*SMALL),
        1,
        "metrics.parquet: not a table of per-query metrics (columns a, b",
        setup=foreign_metrics("runs/*/metrics.parquet"),
    ),
    # environment
    Case(
        "env-read-only-results",
        run("--rerankers", "fusion-minmax", *SMALL),
        1,
        "cannot write to the results folder",
    ),
    Case("env-disk-full", report(*SMALL), 1, "No space left on device", setup=disk_full),
    Case(
        "env-ctrl-c",
        run("--rerankers", "fusion-minmax", *SMALL),
        130,
        "interrupted (Ctrl-C): 1 cells not run",
        setup=ctrl_c,
        locks_ok=True,
    ),
    Case(
        "env-disk-full-during-run",
        run("--rerankers", "fusion-zscore,fusion-minmax,calibrated-fusion", *SMALL),
        1,
        "No space left on device; stopped at the first full-disk error",
        setup=disk_full,
        locks_ok=True,
    ),
    Case("env-not-enough-memory", letor("good"), 1, "more than the 10 B", setup=little_memory),
    Case(
        "env-data-dir-variable",
        run("--dataset", "letor:mq2008"),
        2,
        "nowhere/mq2008",
        setup=data_dir_variable,
    ),
]


#: cases of issue 20's classes: paths, encodings, numeric edge cases, limits, signals
CASES += [
    Case("data-two-qids-on-a-cr-line", letor("cr-two-qids"), 2, "train.txt:3: qid:<id> must come"),
    Case("data-qid-in-a-cr-comment", letor("cr-qid-comment"), 2, "train.txt:2: a second qid:"),
    Case(
        "cli-data-dir-is-a-file",
        run("--data-dir", "{in}/good/train.txt", "--dataset", "letor:mq2008"),
        2,
        "--data-dir {in}/good/train.txt is a file, not a folder",
    ),
    Case(
        "cli-data-dir-name-too-long",
        run("--data-dir", f"{{in}}/{LONG_NAME}", "--dataset", "letor:mq2008"),
        2,
        "a folder name of 300 bytes is longer than 255",
    ),
    Case("data-folder-name-too-long", letor(LONG_NAME), 2, "...: File name too long"),
    Case(
        "cli-out-symlink-loop",
        ("run", "--out", "{in}/loop-a", "--quiet"),
        2,
        "--out {in}/loop-a: a loop of symbolic links (Too many levels of symbolic links)",
        setup=symlink_loop,
    ),
    Case(
        "cli-out-below-a-file",
        ("run", "--out", "{in}/good/train.txt/sub", "--quiet"),
        2,
        "--out {in}/good/train.txt/sub: {in}/good/train.txt is a file, not a folder",
    ),
    Case(
        "cli-out-path-too-long",
        ("run", "--out", "{in}/" + "/".join(["d" * 200] * 25), "--quiet"),
        2,
        "...: the path is longer than the file system takes (File name too long)",
    ),
    Case("grid-name-too-long", run("--grid", f"{{in}}/{LONG_NAME}.toml"), 2, "File name too long"),
    Case("grid-is-a-folder", run("--grid", "{in}/good"), 2, "unknown grid '{in}/good'"),
    Case(
        "grid-toml-folder",
        run("--grid", "{in}/folder.toml"),
        2,
        "folder.toml: [Errno 21] Is a directory",
        setup=lambda m, o, i: (i / "folder.toml").mkdir(exist_ok=True),
    ),
    Case(
        "report-out-missing",
        ("report", "--out", "{in}/nowhere"),
        2,
        "no finished cells of dataset 'synthetic-serp' under {in}/nowhere",
    ),
    Case(
        "prune-out-is-a-file",
        ("prune", "--out", "{in}/good/train.txt"),
        2,
        "--out {in}/good/train.txt is a file, not a folder",
    ),
    Case(
        "cli-dataset-empty-argument",
        run("--dataset", "letor:"),
        2,
        "dataset 'letor' needs an argument",
    ),
    Case(
        "data-dangling-symlink",
        letor("dangling"),
        2,
        "'{in}/dangling' is neither a known dataset",
        setup=lambda m, o, i: (
            None if (i / "dangling").is_symlink() else (i / "dangling").symlink_to(i / "nowhere")
        ),
    ),
    Case(
        "data-train-is-a-folder",
        letor("train-is-a-folder"),
        2,
        "train-is-a-folder: no LETOR layout found",
    ),
    Case("data-test-only", letor("test-only"), 2, "test-only: no LETOR layout found"),
    Case(
        "data-fold-gap",
        letor("folds-gap", "--dataset-param", "fold=2"),
        2,
        "folds-gap: Fold3 but no Fold2",
    ),
    Case(
        "data-utf16-file",
        letor("utf16"),
        2,
        "utf16/train.txt:1: the file starts with a UTF-16 byte-order mark",
    ),
    Case(
        "data-utf8-bom",
        letor("bom-letor"),
        2,
        "bom-letor/train.txt:1: the file starts with a UTF-8 byte-order mark",
    ),
    Case(
        "data-nul-byte",
        letor("nul-byte"),
        2,
        "nul-byte/train.txt:1: feature 3: value '0\\x00.5' is not a finite number",
    ),
    Case(
        "data-qid-negative",
        letor("qid-negative"),
        2,
        "qid-negative/train.txt:5: bad query id 'qid:-2'",
    ),
    Case(
        "data-qid-2-63",
        letor("qid-2-63"),
        2,
        "qid-2-63/train.txt:21: query id '9223372036854775808'",
    ),
    Case(
        "data-feature-index-zero",
        letor("index-zero"),
        2,
        "index-zero/train.txt:1: feature index 0 < 1",
    ),
    Case(
        "data-value-nan",
        letor("value-nan"),
        2,
        "value-nan/train.txt:1: feature 2: value 'nan' is not a finite number",
    ),
    Case(
        "data-value-minus-inf",
        letor("value-inf"),
        2,
        "value-inf/train.txt:1: feature 2: value '-inf' is not a finite",
    ),
    Case(
        "data-value-hex",
        letor("value-hex"),
        2,
        "value-hex/train.txt:1: feature 2: value '0x10' is not a finite number",
    ),
    Case(
        "data-value-decimal-comma",
        letor("value-comma"),
        2,
        "value-comma/train.txt:1: feature 2: value '0,6' is not a finite",
    ),
    Case(
        "data-label-fraction",
        letor("label-float"),
        2,
        "label-float/train.txt:1: label '1.5' is not an integer",
    ),
    Case("data-label-negative", letor("label-negative"), 2, "labels -1..2 (expected 0..4)"),
    Case(
        "data-feature-index-repeated",
        letor("index-repeated"),
        2,
        "index-repeated/train.txt:1: feature index 2 after 2",
    ),
    Case(
        "data-colon-missing",
        letor("colon-missing"),
        2,
        "colon-missing/train.txt:1: expected <index>:<value>, got '2'",
    ),
    Case("grid-utf16", grid("utf16"), 2, "utf16.toml: 'utf-8' codec can't decode byte 0xff"),
    Case(
        "grid-seeds-fraction",
        grid("seeds-float"),
        2,
        "seeds must be an integer >= 1 such as 3, got 2.5",
    ),
    Case(
        "grid-seeds-boolean",
        grid("seeds-bool"),
        2,
        "seeds must be an integer >= 1 such as 3, got True",
    ),
    Case("grid-budget-nan", grid("budget-nan"), 2, "group 1: invalid budget 'nan'"),
    Case("grid-budget-inf", grid("budget-inf"), 2, "group 1: invalid budget 'inf'"),
    Case(
        "grid-budget-boolean", grid("budget-bool"), 2, "budgets must be a list of budgets such as"
    ),
    Case(
        "grid-dataset-param-fraction",
        grid("n-queries-float"),
        2,
        "n_queries expects an integer, got 200.5",
    ),
    Case("grid-nul-byte", grid("nul"), 2, "nul.toml: Expected newline or end of document"),
    Case(
        "grid-unicode-reranker",
        grid("unicode-reranker"),
        2,
        "unknown reranker 'lambdamárt'; did you mean 'lambdamart'",
    ),
    Case("grid-empty-file", grid("empty"), 2, "empty.toml: no [[group]] tables"),
    Case(
        "grid-dataset-not-text", grid("dataset-number"), 2, "dataset must be a dataset spec such as"
    ),
    Case(
        "grid-group-not-a-table",
        grid("group-not-table"),
        2,
        "group must be [[group]] tables, got [1, 2]",
    ),
    Case(
        "grid-params-not-a-table", grid("params-not-table"), 2, "params must be a table of tables"
    ),
    Case(
        "grid-param-beyond-lightgbm",
        grid("param-range"),
        2,
        "feature_fraction must be in (0, 1], got 0",
    ),
    Case(
        "grid-dataset-param-empty-split", grid("empty-split"), 2, "leaves page_train with no query"
    ),
    Case(
        "grid-unknown-strategy",
        grid("unknown-strategy"),
        2,
        "unknown strategy 'topp'; did you mean 'top-p'",
    ),
    Case(
        "grid-unknown-report-kind", grid("report-kind"), 2, "[report] kind 'tables' is not one of"
    ),
    Case("cli-budget-nan", run("--budget", "nan"), 2, "invalid budget 'nan': must be above 0"),
    Case(
        "cli-budget-infinite", run("--budget", "inf%"), 2, "invalid budget 'inf%': must be above 0"
    ),
    Case("cli-budget-hex", run("--budget", "0x10"), 2, "invalid budget '0x10'; accepted forms"),
    Case(
        "cli-budget-tiny",
        run("--budget", "1e-300"),
        2,
        "invalid budget '1e-300': below the smallest budget",
    ),
    Case(
        "cli-budgets-too-many",
        run("--rerankers", "lambdamart", "--budget", *[f"{i / 1e5:.5f}" for i in range(1, 20001)]),
        2,
        "the run would plan 60,003 cells, more than the 50,000",
    ),
    Case("cli-seeds-negative", run("--seeds", "-1"), 2, "--seeds must be at least 1, got -1"),
    Case(
        "cli-seeds-beyond-int64",
        run("--seeds", "99999999999999999999"),
        2,
        "the run would plan 1,699,999,999,999,999,999,983 cells",
    ),
    Case(
        "cli-dataset-param-nan",
        run("--dataset-param", "answer_rate=nan"),
        2,
        "answer_rate expects a finite number, got 'nan'",
    ),
    Case(
        "cli-dataset-param-infinite",
        run("--dataset-param", "n_queries=inf"),
        2,
        "n_queries expects an integer, got 'inf'",
    ),
    Case(
        "cli-dataset-param-no-queries",
        run("--dataset-param", "n_queries=0"),
        2,
        "n_queries=0 is out of range: allowed an integer >= 20",
    ),
    Case(
        "cli-dataset-param-negative-seed",
        run("--dataset-param", "seed=-1"),
        2,
        "seed must be >= 0, got -1",
    ),
    Case(
        "cli-param-nan",
        run("--rerankers", "lambdamart", "--param", "lambdamart.learning_rate=nan"),
        2,
        "learning_rate expects a finite number, got 'nan'",
    ),
    Case(
        "cli-param-infinite",
        run("--rerankers", "lambdamart", "--param", "lambdamart.learning_rate=inf"),
        2,
        "learning_rate expects a finite number, got 'inf'",
    ),
    Case(
        "cli-param-fraction-for-int",
        run("--rerankers", "lambdamart", "--param", "lambdamart.num_leaves=7.5"),
        2,
        "num_leaves expects an integer, got 7.5",
    ),
    Case(
        "cli-param-boolean-for-int",
        run("--rerankers", "lambdamart", "--param", "lambdamart.num_leaves=true"),
        2,
        "num_leaves expects an integer, got True",
    ),
    Case(
        "cli-param-huge-int",
        run("--rerankers", "lambdamart", "--param", "lambdamart.num_leaves=1e30"),
        2,
        "num_leaves expects an integer, got 1e+30",
    ),
    Case(
        "cli-reranker-fullwidth",
        run("--rerankers", "ｌambdamart"),
        2,
        "unknown reranker 'ｌambdamart'; did you mean 'lambdamart'",
    ),
    Case(
        "cli-scheduler-unknown-scheme",
        run("--executor", "dask", "--scheduler", "foo://127.0.0.1:1"),
        2,
        "foo://127.0.0.1:1: unknown address scheme 'foo'",
    ),
    Case(
        "cli-scheduler-without-dask",
        run("--scheduler", "tcp://127.0.0.1:1"),
        2,
        "--scheduler is for --executor dask",
    ),
    Case(
        "cli-dask-without-scheduler",
        run("--executor", "dask"),
        2,
        "--executor dask needs --scheduler ADDRESS",
    ),
    Case("cli-metrics-unknown", run("--metrics", "ndcg@x", *SMALL), 2, "unknown measure 'ndcg@x'"),
]


def ctrl_c_loading(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    from benchmark.pipeline import prepare

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(prepare.DatasetCache, "get", interrupted)


def ctrl_c_report(monkeypatch: pytest.MonkeyPatch, out: Path, inputs: Path) -> None:
    from benchmark.reporting import report as rep

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rep, "write", interrupted)


CASES += [
    Case(
        "env-ctrl-c-loading-data",
        run("--rerankers", "interleave", "--dataset-param", "n_queries=200"),
        130,
        "interrupted (Ctrl-C); nothing half-written was left behind",
        setup=ctrl_c_loading,
    ),
    Case(
        "env-ctrl-c-in-report",
        report(*SMALL),
        130,
        "interrupted (Ctrl-C); nothing half-written was left behind",
        setup=ctrl_c_report,
    ),
    Case(
        "results-manifest-a-list",
        report(*SMALL),
        1,
        "manifest.json: manifest without run_id",
        setup=corrupt("runs/*/manifest.json", b"[]"),
    ),
    Case(
        "results-manifest-empty-object",
        report(*SMALL),
        1,
        "manifest.json: manifest without run_id",
        setup=corrupt("runs/*/manifest.json", b"{}"),
    ),
    Case(
        "results-pack-not-gzip",
        report(*SMALL),
        1,
        "manifests.jsonl.gz: cannot read (Compressed file ended",
        setup=corrupt("cells/*/manifests.jsonl.gz", b"\x1f\x8bxx"),
    ),
    Case(
        "results-pack-gzip-of-binary",
        report(*SMALL),
        1,
        "manifests.jsonl.gz: cannot read ('utf-8' codec",
        setup=corrupt("cells/*/manifests.jsonl.gz", __import__("gzip").compress(b"\xff\xfe\x00")),
    ),
    Case(
        "results-dataset-record-a-list",
        report(*SMALL),
        1,
        "dataset.json: not a readable dataset record (not a JSON object)",
        setup=corrupt("cells/*/dataset.json", b"[]"),
    ),
    Case(
        "results-dataset-record-without-fingerprint",
        report(*SMALL),
        1,
        "dataset.json: a dataset record without a fingerprint",
        setup=corrupt("cells/*/dataset.json", b'{"spec": "synthetic-serp"}'),
    ),
    Case(
        "results-metrics-empty-file",
        report(*SMALL),
        1,
        "metrics.parquet: unreadable per-query metrics",
        setup=corrupt("runs/*/metrics.parquet", b""),
    ),
    Case(
        "results-manifest-a-folder",
        report(*SMALL),
        1,
        "manifest.json: cannot read ({out}/runs/",
        setup=lambda m, o, i: (lambda p: (p.unlink(), p.mkdir()))(
            sorted(o.glob("runs/*/manifest.json"))[0]
        ),
    ),
    Case(
        "results-cells-a-file",
        run("--rerankers", "interleave", *SMALL),
        1,
        "cannot write to the results folder {out}: {out}/cells is a file, not a folder",
        setup=lambda m, o, i: (shutil.rmtree(o / "cells"), (o / "cells").write_text("x")),
    ),
]


#: the other commands, and run on a damaged results folder
CASES += [
    Case(
        "concurrency-locks-folder-a-file",
        run("--rerankers", "fusion-zscore", *SMALL),
        1,
        "pack-synthetic-serp-77137101.lock: cannot open this lock file (",
        setup=locks_a_file,
    ),
    Case(
        "concurrency-pack-lock-a-folder",
        run("--rerankers", "fusion-zscore", *SMALL),
        1,
        "pack-synthetic-serp-77137101.lock: cannot open this lock file ({out}/runs/.locks/"
        "pack-synthetic-serp-77137101.lock is a folder, not a file)",
        setup=pack_lock_a_folder,
    ),
    Case(
        "cli-dataset-param-too-many-queries",
        run("--rerankers", "interleave", "--dataset-param", "n_queries=1000000000"),
        2,
        "synthetic-serp with n_queries=1,000,000,000 needs at least",
        seconds=10,
    ),
    Case(
        "grid-dataset-param-too-many-queries",
        grid("huge-queries"),
        2,
        "synthetic-serp with n_queries=1,000,000,000 needs at least",
        seconds=10,
    ),
    Case(
        "report-dataset-param-unknown",
        report("--dataset-param", "n_querys=10"),
        2,
        "synthetic-serp has no parameter 'n_querys'",
    ),
    Case(
        "report-dataset-param-empty-split",
        report("--dataset-param", "split_fractions=0.8,0,0,0.2"),
        2,
        "leaves page_train with no query",
    ),
    Case(
        "report-unknown-dataset",
        report("--dataset", "synthetic-serpp"),
        2,
        "unknown dataset 'synthetic-serpp'",
    ),
    Case(
        "report-grid-missing",
        report("--grid", "{in}/nowhere.toml"),
        2,
        "nowhere.toml: no such file",
    ),
    Case(
        "report-dataset-given-twice",
        report("--dataset", "a", "--dataset", "b"),
        2,
        "argument --dataset: given twice (a, then b)",
    ),
    Case(
        "report-grid-and-dataset",
        report("--grid", "default", "--dataset", "letor:mq2008"),
        2,
        "--dataset cannot be combined with --grid",
    ),
    Case(
        "run-garbage-pack",
        run("--rerankers", "interleave", *SMALL),
        1,
        "manifests.jsonl.gz: cannot read (Not a gzipped file (b'[1')); it cannot be rebuilt (1 of "
        "its 1 cells have no folder in",
        setup=without_cells(corrupt("cells/*/manifests.jsonl.gz", b"[1, 2\n")),
    ),
    Case(
        "run-foreign-pack-metrics",
        run("--rerankers", "interleave", *SMALL),
        1,
        "metrics.parquet: not a table of per-query metrics",
        setup=foreign_metrics("cells/*/metrics.parquet"),
        locks_ok=True,
    ),
    Case(
        "run-garbage-manifest",
        run("--rerankers", "interleave", *SMALL),
        1,
        "manifest.json: not a readable manifest",
        setup=corrupt("runs/*/manifest.json", b"{ not json"),
    ),
    Case(
        "run-garbage-dataset-record",
        run("--rerankers", "interleave", *SMALL),
        1,
        "dataset.json: not a readable dataset record",
        setup=corrupt("cells/*/dataset.json", b"\x00"),
    ),
    Case(
        "prune-garbage-pack",
        ("prune", "--out", "{out}"),
        1,
        "manifests.jsonl.gz: cannot read (Not a gzipped file",
        setup=corrupt("cells/*/manifests.jsonl.gz", b"[1, 2\n"),
    ),
    Case(
        "calibrate-per-side-one",
        ("calibrate", "--out", "{out}", "--per-side", "1"),
        2,
        "--per-side must be at least 2",
    ),
    Case(
        "calibrate-seeds-zero",
        ("calibrate", "--out", "{out}", "--seeds", "0"),
        2,
        "--seeds must be at least 1, got 0",
    ),
    Case(
        "calibrate-jobs-zero",
        ("calibrate", "--out", "{out}", "--jobs", "0", *SMALL),
        2,
        "--jobs must be at least 1, not 0",
    ),
    Case(
        "datasets-data-dir-is-a-file",
        ("datasets", "--data-dir", "{in}/good/train.txt"),
        2,
        "--data-dir {in}/good/train.txt is a file, not a folder",
    ),
]

#: a file or a folder in the way in a results folder, said in words (not "[Errno 20] Not a
#: directory: '<a temporary file>'"); a damaged pack that cannot be rebuilt (issue 20)
IN_THE_WAY = "{out}/%s is a file, not a folder"
CASES += [
    Case(
        f"results-{what}-a-file",
        run("--rerankers", "fusion-zscore", *SMALL),
        1,
        "cannot write to the results folder {out}: " + IN_THE_WAY % name,
        setup=a_file_at(name),
    )
    for what, name in {
        "runs": "runs",
        "qrels": "runs/qrels",
        "leaderboards": "leaderboards",
        "reports": "reports",
        "pack-folder": "cells/synthetic-serp-77137101",
    }.items()
]
CASES += [
    Case(
        "report-reports-a-file",
        report(*SMALL),
        1,
        "budget_curve-column.png: " + IN_THE_WAY % "reports",
        setup=a_file_at("reports"),
    ),
    Case(
        "report-leaderboards-a-file",
        report(*SMALL),
        1,
        "synthetic-serp-77137101.md: " + IN_THE_WAY % "leaderboards",
        setup=a_file_at("leaderboards"),
    ),
    Case(
        "prune-out-under-a-file",
        ("prune", "--out", "{in}/good/train.txt/out"),
        2,
        "--out {in}/good/train.txt/out: {in}/good/train.txt is a file, not a folder",
    ),
    Case(
        "report-out-under-a-file",
        ("report", "--out", "{in}/good/train.txt/out", *SMALL),
        2,
        "--out {in}/good/train.txt/out: {in}/good/train.txt is a file, not a folder",
    ),
    Case(
        "results-dataset-record-a-folder",
        report(*SMALL),
        1,
        "dataset.json: not a readable dataset record ({out}/cells/synthetic-serp-77137101/"
        "dataset.json is a folder, not a file)",
        setup=a_folder_at("cells/*/dataset.json"),
    ),
    Case(
        "run-damaged-pack-without-cells",
        run("--rerankers", "interleave", *SMALL),
        1,
        "it cannot be rebuilt (1 of its 1 cells have no folder in {out}/runs): restore it (git "
        "restore {out}/cells/synthetic-serp-77137101, if it is tracked) or delete "
        "{out}/cells/synthetic-serp-77137101 and run the same command again",
        setup=without_cells(corrupt("cells/*/metrics.parquet", b"garbage")),
    ),
]


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder with a finished run (one cell of the tiny synthetic-serp)."""
    out = tmp_path_factory.mktemp("earlier")
    assert main(["run", "--out", str(out), "--quiet", "--rerankers", "interleave", *SMALL]) == 0
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    for folder, files in FOLDERS.items():
        for name, text in files.items():
            (root / folder / name).parent.mkdir(parents=True, exist_ok=True)
            write(root / folder / name, text)
    for name, text in GRIDS.items():
        write(root / f"{name}.toml", text)
    return root


@pytest.fixture(scope="module", autouse=True)
def servers() -> Iterator[None]:
    """Shut down the servers the cases started."""
    yield
    while SERVERS:
        SERVERS.pop().shutdown()


def write(path: Path, text: str | bytes) -> None:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` unwritable, even for root (``chattr +i``), for the block."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    if subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("cannot make a folder read-only here (root without chattr)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(
    case: Case,
    earlier: Path,
    inputs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refused(case, earlier, inputs, tmp_path, monkeypatch, capsys)


def refused(
    case: Case,
    earlier: Path,
    inputs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Run ``case`` on a copy of ``earlier``: its exit status, one ``error:`` line naming the
    input, the results folder byte-identical."""
    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # checksum cache
    monkeypatch.delenv("BENCHMARK_DATA_DIR", raising=False)
    if case.setup is not None:
        case.setup(monkeypatch, out, inputs)
    before = snapshot(out)
    argv = [a.replace("{out}", str(out)).replace("{in}", str(inputs)) for a in case.argv]
    argv = [PLACES.get(a, a) for a in argv]
    capsys.readouterr()
    start = time.monotonic()
    if case.id == "env-read-only-results":
        with read_only(out):
            code = main(argv)
    else:
        code = main(argv)
    assert time.monotonic() - start < case.seconds
    err = capsys.readouterr().err
    assert code == case.code, err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert case.message.replace("{in}", str(inputs)).replace("{out}", str(out)) in err, err
    after = snapshot(out)
    if case.locks_ok:
        after = {k: v for k, v in after.items() if not k.startswith("runs/.locks/")}
        before = {k: v for k, v in before.items() if not k.startswith("runs/.locks/")}
    assert after == before, sorted(set(after) ^ set(before))


def test_catalogue_is_in_the_docs() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text()
    missing = [c.id for c in CASES if f"`{c.id}`" not in doc]
    assert not missing, f"docs/errors.md's bad-input catalogue lacks {missing}"
    assert len({c.id for c in CASES}) == len(CASES) >= 30


# -- inputs that gave a silently wrong number (issue 20) -------------------------------------


def run_letor(out: Path, folder: str, *args: str) -> int:
    """``run`` of the LETOR folder ``folder`` into ``out`` (a label-free cell by default)."""
    argv = run("--dataset", f"letor:{folder}", *(args or ("--rerankers", "interleave")))
    return main([a.replace("{out}", str(out)) for a in argv])


def manifests(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("runs/*/manifest.json"))]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh checksum cache for the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_query_ids_beyond_2_53_are_distinct_queries(tmp_path: Path, cache_home: Path) -> None:
    """Two test qids that one float64 cannot tell apart are evaluated as two queries."""
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "train.txt").write_text(GOOD)
    (folder / "test.txt").write_text(letor_lines((90071992547409930, 90071992547409931)))
    assert run_letor(tmp_path / "out", str(folder)) == 0
    (manifest,) = manifests(tmp_path / "out")
    assert manifest["queries_evaluated"] == 2


def test_line_endings_give_the_same_cells(tmp_path: Path, cache_home: Path) -> None:
    """The same LETOR folder (``#docid`` comments) with LF, CRLF or CR-only line ends: the
    reference cell buys the same labels and evaluates the same queries."""
    seen = {}
    for name, end in {"lf": "\n", "crlf": "\r\n", "cr": "\r"}.items():
        folder = tmp_path / name / "data"
        folder.mkdir(parents=True)
        for file, text in (("train.txt", GOOD), ("test.txt", TEST)):
            (folder / file).write_bytes(text.replace("\n", end).encode())
        args = ("--rerankers", "lambdamart", "--budget", "100%", "--seeds", "1")
        assert run_letor(tmp_path / name / "out", str(folder), *args) == 0
        (manifest,) = manifests(tmp_path / name / "out")
        seen[name] = (manifest["annotation"]["units_used"], manifest["queries_evaluated"])
    assert seen["cr"] == seen["crlf"] == seen["lf"] == (24, 4), seen


def test_an_edit_keeping_size_and_mtime_gives_new_cells(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test label edited in place with the old mtime put back (``touch -r``, ``cp -p``):
    the run computes the new data's cell, the number a fresh folder gets, not the old one."""
    from datasets import checksums

    monkeypatch.setattr(checksums, "RACY_NS", 0)  # digests remembered at once
    folder = tmp_path / "first" / "data"
    folder.mkdir(parents=True)
    (folder / "train.txt").write_text(GOOD)
    (folder / "test.txt").write_text(TEST)
    assert run_letor(tmp_path / "out", str(folder)) == 0
    test, edited = folder / "test.txt", TEST.replace("2 qid:11 ", "0 qid:11 ", 1)
    stat = test.stat()
    test.write_text(edited)
    os.utime(test, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (test.stat().st_size, test.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert run_letor(tmp_path / "out", str(folder)) == 0
    fresh = tmp_path / "fresh" / "data"
    shutil.copytree(folder, fresh)
    assert run_letor(tmp_path / "fresh-out", str(fresh)) == 0
    (new,) = manifests(tmp_path / "fresh-out")
    means = {m["config"]["data_fingerprint"]: m["mean"] for m in manifests(tmp_path / "out")}
    assert len(means) == 2 and means.pop(new["config"]["data_fingerprint"]) == new["mean"]
    assert list(means.values()) != [new["mean"]]  # the edit changed the number


# -- a dataset's identity is its content, not its path (issue 20) ----------------------------
def letor_folder(root: Path) -> Path:
    folder = root / "data"
    folder.mkdir(parents=True)
    (folder / "train.txt").write_text(GOOD)
    (folder / "test.txt").write_text(TEST)
    return folder


def test_the_same_folder_from_any_path_reuses_its_cells(
    tmp_path: Path,
    cache_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Moved, relative, with a trailing ``/``, through a symlink: the same cell, reused; the
    results folder byte-identical."""
    folder, out = letor_folder(tmp_path / "a"), tmp_path / "out"
    assert run_letor(out, str(folder)) == 0
    before = snapshot(out)
    (tmp_path / "link").symlink_to(folder)
    monkeypatch.chdir(tmp_path / "a")
    for path in (f"{folder}/", "../a/data", "data", str(tmp_path / "link")):
        capsys.readouterr()
        assert run_letor(out, path) == 0, capsys.readouterr().err
        assert "1 cells done (1 reused" in capsys.readouterr().out, path
        assert snapshot(out) == before, path
    moved = tmp_path / "b" / "c" / "data"
    moved.parent.mkdir(parents=True)
    folder.rename(moved)
    assert run_letor(out, str(moved)) == 0
    assert "1 cells done (1 reused" in capsys.readouterr().out
    assert snapshot(out) == before


def test_a_conflicting_row_is_refused_before_any_cell(
    earlier: Path,
    tmp_path: Path,
    cache_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A finished cell and a planned one that would share a leaderboard row with different
    configurations (here: a reranker whose default changed): one error line, nothing computed
    or written."""
    from dataclasses import make_dataclass

    from benchmark.core.reranker import RERANKERS

    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    tuned = make_dataclass("Tuned", [("weight", float, 2.0)], bases=(RERANKERS.get("interleave"),))
    monkeypatch.setitem(RERANKERS.entries, "interleave", tuned)
    before = snapshot(out)
    capsys.readouterr()
    assert main(["run", "--out", str(out), "--quiet", "--rerankers", "interleave", *SMALL]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "would share the leaderboard row 'interleave'; nothing was run" in err, err
    assert snapshot(out) == before


def old_style_cells(out: Path, specs: list[str]) -> None:
    """Make ``out`` what an older version left after runs on one folder given by each of
    ``specs``: a cell per spec (configs named the folder by its path), all in one pack, and a
    dataset record naming the last spec."""
    from benchmark.core.config import CellConfig
    from benchmark.store import Store

    store = Store(out)
    (cell,) = store.loose.scan()
    for spec in specs:
        config = {**cell.config, "dataset": spec}
        run_id = CellConfig.from_dict(config).run_id
        shutil.copytree(cell.source, out / "runs" / run_id)
        manifest = {**cell.manifest, "config": config, "run_id": run_id}
        (out / "runs" / run_id / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(cell.source)
    pack = store.pack(cell.dataset_key)
    pack.write(store.loose.scan())
    record = json.loads((pack.folder / "dataset.json").read_text())
    (pack.folder / "dataset.json").write_text(json.dumps({**record, "spec": specs[-1]}))


def test_a_folder_broken_by_an_older_version_is_repaired(
    tmp_path: Path, cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older version put the cells of one folder given by two paths into one pack (two
    configurations, one leaderboard row: every ``report`` failed). ``report`` shows the cells
    of the path the dataset record names, ``prune`` removes the others, and the next ``run``
    computes the cell under the folder's content identity."""
    folder, out = letor_folder(tmp_path), tmp_path / "out"
    assert run_letor(out, str(folder)) == 0
    old_style_cells(out, [f"letor:{folder}/", f"letor:{tmp_path}/./data"])
    report_argv = ["report", "--out", str(out), "--dataset", f"letor:{folder}"]
    capsys.readouterr()
    assert main(report_argv) == 0, capsys.readouterr().err
    assert main(["prune", "--out", str(out)]) == 0
    assert capsys.readouterr().out.endswith(f"1 stale cells removed from {out}\n")
    assert run_letor(out, f"{folder}/") == 0
    assert "1 cells done (0 reused" in capsys.readouterr().out  # the path-named cell is stale
    assert main(["prune", "--out", str(out)]) == 0
    assert capsys.readouterr().out.endswith(f"1 stale cells removed from {out}\n")
    (manifest,) = manifests(out)
    identity = manifest["config"]["dataset"]  # letor:data-<content hash>, as the key names it
    assert identity == f"letor:{manifest['dataset_key'].removeprefix('letor_')}"
    assert main(report_argv) == 0
    assert main(["report", "--out", str(out), "--dataset", identity]) == 0  # from anywhere


# -- parse-time validation (issue 20) ---------------------------------------------------------
def test_budget_given_twice_adds_up(capsys: pytest.CaptureFixture[str]) -> None:
    """``--budget`` given twice: both budgets (was: the last one only), as the help says."""
    from benchmark.cli_parser import parser, settle

    top = parser()
    args = settle(top, top.parse_args(["run", "--budget", "10%", "--budget", "30%", "50%"]))
    assert args.budget == [0.1, 0.3, 0.5]
    assert main(["run", "--help"]) == 0
    assert "--metrics,--param,--dataset-paramaddup" in "".join(capsys.readouterr().out.split())


def test_a_grid_with_a_bom_plans_the_same_cells(tmp_path: Path) -> None:
    """A grid file saved with a UTF-8 byte-order mark plans what the same file without it
    plans (was: "Invalid statement" at line 1)."""
    from benchmark.pipeline.gridfile import load_grid

    text = 'seeds = 2\n[[group]]\nrerankers = ["interleave", "lambdamart"]\nbudgets = ["10%"]\n'
    (tmp_path / "plain.toml").write_text(text, encoding="utf-8")
    (tmp_path / "bom.toml").write_text("\ufeff" + text, encoding="utf-8")
    plain = load_grid(str(tmp_path / "plain.toml"))
    assert [c.run_id for c in load_grid(str(tmp_path / "bom.toml"))] == [c.run_id for c in plain]
    assert len(plain) == 5


def test_a_dask_scheduler_answers_the_probe() -> None:
    """The scheduler probe (before any data is generated) passes for a real Dask scheduler
    and fails, within its bound, for a server that is not one."""
    import http.server
    import threading

    from distributed import LocalCluster

    from benchmark.cli_plan import CONNECT_TIMEOUT, probe_scheduler

    assert 10 <= CONNECT_TIMEOUT <= 20  # the bound README states
    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        probe_scheduler(c.scheduler_address)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    start = time.monotonic()
    try:
        with pytest.raises(OSError, match="no Dask scheduler answered within 1 s"):
            probe_scheduler(f"tcp://127.0.0.1:{server.server_address[1]}", timeout=1)
    finally:
        server.shutdown()
    assert time.monotonic() - start < 5
