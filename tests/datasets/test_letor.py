"""Real LETOR data: golden counts of every shipped dataset, checksums and declared counts,
the data-folder errors, the ``letor`` / ``letor-serp`` families and user folders."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from benchmark import cli
from benchmark.core.catalog import dataset_key, load_dataset
from benchmark.core.data import DataError
from benchmark.pipeline import grid, stage1
from benchmark.pipeline.prepare import default_data_dir
from benchmark.store import Store
from datasets import checksums
from datasets.catalogue import KNOWN
from datasets.folds import counts, read_fold

DATA = default_data_dir()
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data folder at {DATA}")

# From ../shared/data/*/PROVENANCE.md (measured there with scikit-learn), written out here.
GOLDEN = {
    "mq2008": (784, 15211, 46, (12279, 2001, 931)),
    "ohsumed": (106, 16140, 45, (11303, 2585, 2252)),
    "yahoo-sample": (251, 3773, 300, (851, 1467, 1110, 266, 79)),
}
FOLD1 = {  # (queries, documents) of train / vali / test
    "mq2008": ((471, 9630), (157, 2707), (156, 2874)),
    "ohsumed": ((63, 9219), (21, 3538), (22, 3383)),
    "yahoo-sample": ((201, 3005), None, (50, 768)),
}


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_counts(name: str) -> None:
    parts = read_fold(KNOWN[name], 1, DATA)
    found = counts(parts)
    assert (found["queries"], found["docs"], found["features"], found["labels"]) == GOLDEN[name]
    for part, expected in zip(("train", "vali", "test"), FOLD1[name], strict=True):
        if expected is None:
            assert part not in parts
            continue
        f = parts[part]
        assert (len(np.unique(f.qids)), f.n_rows) == expected


def copy_dataset(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder holding one dataset, and a private checksum cache."""
    facts = KNOWN[name]
    shutil.copytree(DATA / facts.folder, tmp_path / "data" / facts.folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "data" / facts.folder


def test_checksum_mismatch_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_dataset(tmp_path, "ohsumed", monkeypatch)
    s2 = root / "S2.txt"
    s2.chmod(0o644)
    s2.write_bytes(s2.read_bytes().replace(b"qid:22 ", b"qid:22  ", 1))
    with pytest.raises(DataError, match=rf"{s2}: sha256 is [0-9a-f]{{64}}, expected 935539d3"):
        read_fold(KNOWN["ohsumed"], 1, tmp_path / "data")


def test_verified_checksums_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checksums, "RACY_NS", 0)  # the copies were written just now
    copy_dataset(tmp_path, "yahoo-sample", monkeypatch)
    read_fold(KNOWN["yahoo-sample"], 1, tmp_path / "data")
    assert checksums.cache_file().is_file()

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"{path} hashed again")

    monkeypatch.setattr(checksums, "sha256_of", no_hashing)
    read_fold(KNOWN["yahoo-sample"], 1, tmp_path / "data")


def test_count_mismatch_is_an_error() -> None:
    wrong = dataclasses.replace(KNOWN["ohsumed"], queries=105, labels=(1, 2, 3))
    with pytest.raises(DataError, match=r"queries 106 \(expected 105\); labels"):
        read_fold(wrong, 1, DATA)


def test_missing_folder_names_where_and_what(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(FileNotFoundError) as err:
        load_dataset("letor:mq2008", {}, tmp_path)
    message = str(err.value)
    assert "\n" not in message and str(tmp_path / "mq2008") in message
    assert "S1.txt" in message and "--data-dir" in message


def test_unknown_name_and_bad_parameters() -> None:
    with pytest.raises(ValueError, match="neither a known dataset"):
        load_dataset("letor:no-such-set", {}, DATA)
    with pytest.raises(ValueError, match=r"folds 1\.\.5, not 6"):
        load_dataset("letor:mq2008", {"fold": 6}, DATA)
    with pytest.raises(ValueError, match="letor has no parameter 'lambda'"):
        load_dataset("letor:mq2008", {"lambda": 1}, DATA)


def test_letor_plain_splits_follow_the_fold() -> None:
    data = load_dataset("letor:mq2008", {"fold": 3}, DATA)  # train S3,S4,S5 | vali S1 | test S2
    sizes = {name: (s.n_queries, s.n_items) for name, s in data.splits.items()}
    assert sizes == {
        "modal_train": (0, 0),
        "page_train": (470, 8643),
        "page_valid": (157, 2933),
        "test": (157, 3635),
    }
    assert data.modalities == ("doc",) and data.feature_modality.tolist() == [0] * 46
    test = data["test"]
    assert np.array_equal(test.page_label, test.modal_label)
    for _, rows in test.queries():
        assert len(set(test.item_ids[rows].tolist())) == rows.stop - rows.start


@pytest.mark.parametrize("name", GOLDEN)
def test_letor_serp_pages(name: str) -> None:
    data = load_dataset(f"letor-serp:{name}", {}, DATA)
    assert data.modalities == ("web", "image", "video")
    total = sum(s.n_queries for s in data.splits.values())
    assert total == GOLDEN[name][0] and all(s.n_queries for s in data.splits.values())
    for split in data.splits.values():
        for m in range(3):
            rows = split.modality == m
            assert not split.features[rows][:, data.feature_modality != m].any()
        shift = split.page_label.astype(int) - split.modal_label
        assert np.abs(shift).max() <= 1 and not split.page_label[split.modal_label == 0].any()
    same = load_dataset(f"letor-serp:{name}", {}, DATA)
    assert np.array_equal(same["test"].features, data["test"].features)
    flat = load_dataset(f"letor-serp:{name}", {"lambda": 0}, DATA)["test"]
    assert np.array_equal(flat.page_label, flat.modal_label)


def test_letor_serp_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one LightGBM thread: with two, OpenMP's busy waiting on a loaded 2-core machine makes
    # these tiny stage-1 fits ~100x slower, which is not what this test is about
    monkeypatch.setitem(stage1.PARAMS, "num_threads", 1)
    cells = grid.plan("letor-serp:yahoo-sample", ["interleave"], [0.1], 1)
    outcome = grid.run(cells, Store(tmp_path), progress=False)
    assert not outcome.failures and len(outcome.results) == 1
    manifest = outcome.results[0].manifest
    assert manifest["queries_evaluated"] == 49 and manifest["excluded_queries"]["count"] == 1
    assert set(manifest["stage1"]) == {"web", "image", "video"}
    assert 0 < manifest["mean"]["ndcg_burges@10"] <= 1


def test_datasets_command_lists_counts_and_presence(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["datasets"]) == 0
    out = capsys.readouterr().out
    for line_start in ("letor:mq2008 ", "letor-serp:ohsumed ", "letor:yahoo-sample "):
        line = next(row for row in out.splitlines() if row.startswith(line_start))
        assert "yes" in line.split()
    assert "784" in next(r for r in out.splitlines() if r.startswith("letor:mq2008 "))
    assert "no" in next(r for r in out.splitlines() if r.startswith("letor:mslr-web30k ")).split()


def letor_file(path: Path, qids: range) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(
            f"{lab} qid:{q} 1:{0.1 * i:.1f} 2:{0.2 * lab:.1f} # d{q}-{i}\n"
            for q in qids
            for i, lab in enumerate((2, 0, 1))
        )
    )


def test_user_fold_without_vali_takes_valid_fraction(tmp_path: Path) -> None:
    root = tmp_path / "mydata"
    for k in (1, 2):
        letor_file(root / f"Fold{k}" / "train.txt", range(10 * k, 10 * k + 10))
        letor_file(root / f"Fold{k}" / "test.txt", range(100 + k, 101 + k))
    letor_file(root / "Fold1" / "vali.txt", range(50, 53))
    with_vali = load_dataset(f"letor:{root}", {"fold": 1}, tmp_path)
    assert (with_vali["page_train"].n_queries, with_vali["page_valid"].n_queries) == (10, 3)
    # Fold2/ has no vali.txt: like a flat folder, valid_fraction of its train queries
    data = load_dataset(f"letor:{root}", {"fold": 2, "valid_fraction": 0.3}, tmp_path)
    assert (data["page_train"].n_queries, data["page_valid"].n_queries) == (7, 3)
    assert set(data["page_valid"].qids) < {str(q) for q in range(20, 30)}


def test_user_folder_key_is_its_name_and_content(tmp_path: Path) -> None:
    for parent in ("a", "b/c"):
        letor_file(tmp_path / parent / "mydata" / "train.txt", range(1, 6))
        letor_file(tmp_path / parent / "mydata" / "test.txt", range(7, 9))
    a, b = (dataset_key(f"letor:{tmp_path / p / 'mydata'}") for p in ("a", "b/c"))
    assert a == b and re.fullmatch(r"letor_mydata-[0-9a-f]{8}", a)  # not the parent folders
    letor_file(tmp_path / "b/c/mydata/test.txt", range(7, 10))
    assert dataset_key(f"letor:{tmp_path / 'b/c/mydata'}") != a  # other content, other key
    assert dataset_key("letor-serp:mq2008") == "letor-serp_mq2008"  # named datasets by name


def test_user_folder_messages_do_not_mention_data_dir(tmp_path: Path) -> None:
    root = tmp_path / "mydata"
    letor_file(root / "Fold1" / "train.txt", range(1, 6))
    letor_file(root / "Fold1" / "test.txt", range(7, 9))
    (root / "Fold2").mkdir()
    with pytest.raises(FileNotFoundError) as err:
        load_dataset(f"letor:{root}", {"fold": 2}, tmp_path)
    assert "Fold2/train.txt" in str(err.value) and "--data-dir" not in str(err.value)
    (tmp_path / "nothing").mkdir()
    with pytest.raises(FileNotFoundError) as err:
        load_dataset(f"letor:{tmp_path / 'nothing'}", {}, tmp_path)
    assert "no LETOR layout" in str(err.value) and "--data-dir" not in str(err.value)


def test_plain_letor_run_says_it_has_no_single_modal_rankers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mydata"
    letor_file(root / "train.txt", range(1, 11))
    letor_file(root / "test.txt", range(20, 24))
    argv = ["run", "--dataset", f"letor:{root}", "--rerankers", "interleave", "--quiet"]
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "single-modal rankers: none (this dataset has no modal_train split)" in out
    assert "test queries evaluated: 4 (0 without a positive label excluded)" in out


def test_user_folder_fingerprint_follows_the_reader_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An undeclared folder's cells and qrels of an older reader (which merged qids above 2^53
    and read CR-only files as one line) are not reused; declared datasets keep theirs."""
    from benchmark.core.catalog import fingerprint
    from datasets import svmlight

    letor_file(tmp_path / "mydata" / "train.txt", range(1, 6))
    letor_file(tmp_path / "mydata" / "test.txt", range(7, 9))
    specs = (f"letor:{tmp_path / 'mydata'}", "letor-serp:mq2008")
    now = [fingerprint(spec, {}, DATA) for spec in specs]
    monkeypatch.setattr(svmlight, "VERSION", "1")
    before = [fingerprint(spec, {}, DATA) for spec in specs]
    assert before[0] != now[0] and before[1] == now[1]
