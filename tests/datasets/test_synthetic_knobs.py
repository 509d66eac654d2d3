"""The premise knobs of synthetic-serp: each is validated before any cell runs and does what it
says, on small data. (The page-context acceptance test is in test_synthetic_serp.py; the
byte-for-byte defaults in test_synthetic_golden.py.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmark.cli import main
from benchmark.core.catalog import check_dataset
from benchmark.core.data import Dataset
from benchmark.pipeline.stage1 import add_g_scores
from datasets.synthetic_serp import SyntheticSerp, check

SMALL = {"n_queries": 200, "seed": 2}


def generate(**params: object) -> Dataset:
    return SyntheticSerp(**{**SMALL, **params}).generate()


@pytest.fixture(scope="module")
def plain() -> Dataset:
    return generate()


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("view_noise", -0.1, "[0, inf)"),
        ("view_keep", 1.5, "[0, 1]"),
        ("annotator_noise", -1, "[0, inf)"),
        ("context_effect", 1.2, "[0, 1]"),
        ("context_effect", -0.1, "[0, 1]"),
        ("modal_ratio", 0, "(0, 100]"),
        ("modal_ratio", -2.0, "(0, 100]"),
        ("modal_ratio", 1000, "(0, 100]"),
        ("n_topics", 0, "an integer >= 1"),
        ("feature_complexity", -1.0, "[0, inf)"),
        ("modal_train_keep", 0, "(0, 1]"),
    ],
)
def test_out_of_range_is_a_one_line_error(name: str, value: object, allowed: str) -> None:
    with pytest.raises(ValueError) as exc:
        check_dataset("synthetic-serp", {name: value}, Path("."))
    message = str(exc.value)
    assert f"{name}={value!r}" in message and f"allowed {allowed}" in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("view_noise", "abc", "expects a number, got 'abc'"),
        ("modal_ratio", "abc", "expects a number, got 'abc'"),
        ("n_topics", 2.5, "expects an integer, got 2.5"),
        ("feature_complexity", float("nan"), "expects a finite number, got nan"),
    ],
)
def test_wrong_type_is_a_one_line_error(name: str, value: object, expected: str) -> None:
    """Types are the shared coercion's (benchmark.core.params), ranges the knobs' own."""
    with pytest.raises(ValueError) as exc:
        check_dataset("synthetic-serp", {name: value}, Path("."))
    message = str(exc.value)
    assert message == f"synthetic-serp parameter {name} {expected}"


def test_conflicting_knobs_are_errors() -> None:
    with pytest.raises(ValueError, match="modal_ratio or modal_train_keep, not both"):
        check(None, {"modal_ratio": 5, "modal_train_keep": 0.5}, Path("."))
    with pytest.raises(ValueError, match="feature_complexity > 0 needs a noise feature"):
        check(None, {"feature_complexity": 1, "informative": (12, 4, 3, 2)}, Path("."))


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("context_effect=2", "context_effect=2.0 is out of range: allowed [0, 1]"),
        ("view_noise=abc", "view_noise expects a number, got 'abc'"),
    ],
)
def test_cli_rejects_a_bad_knob_before_any_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], param: str, message: str
) -> None:
    out = tmp_path / "out"
    code = main(["run", "--dataset-param", param, "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: synthetic-serp parameter ") and message in err
    assert err.count("\n") == 1 and not out.exists()


def test_modal_ratio_sets_the_modal_train_size(plain: Dataset) -> None:
    # 200 queries: modal_train 120, page_train 32 + page_valid 8 = 40, test 40
    base = plain["modal_train"].qids
    fewer, more = generate(modal_ratio=1.0), generate(modal_ratio=10.0)
    assert fewer["modal_train"].n_queries == 40 and set(fewer["modal_train"].qids) < set(base)
    assert more["modal_train"].n_queries == 400
    assert more["modal_train"].qids[:120].tolist() == base.tolist()
    assert more["modal_train"].qids[-1] == "q00479"
    for data in (fewer, more):
        for name in ("page_train", "page_valid", "test"):
            assert np.array_equal(data[name].features, plain[name].features)
            assert np.array_equal(data[name].page_label, plain[name].page_label)
    assert np.array_equal(
        generate(modal_ratio=3.0)["modal_train"].features, plain["modal_train"].features
    )


def test_view_gap_changes_only_what_rerankers_see(plain: Dataset) -> None:
    gap = generate(view_noise=0.5)
    informative = np.r_[0:6, 12:16, 20:23, 26:28]
    noise_cols = np.setdiff1d(np.arange(30), informative)
    for name, split in gap.splits.items():
        assert split.modal_features is not None and plain[name].modal_features is None
        assert np.array_equal(split.modal_features, plain[name].features)
        assert np.array_equal(split.features[:, noise_cols], plain[name].features[:, noise_cols])
        assert not np.allclose(split.features[:, informative], plain[name].features[:, informative])


def test_view_keep_hides_informative_columns() -> None:
    split = generate(view_keep=0.5)["modal_train"]
    web = split.modality == 0
    assert split.modal_features is not None
    corr = [
        [abs(np.corrcoef(view[web, j], split.modal_label[web])[0, 1]) for j in range(6)]
        for view in (split.features, split.modal_features)
    ]
    assert min(corr[0][:3]) > 0.3 and max(corr[0][3:]) < 0.15  # 3 of 6 web columns visible
    assert min(corr[1]) > 0.3  # the single-modal rankers see all six


def test_stage1_reads_the_modal_view_and_drops_it(plain: Dataset) -> None:
    filled, _ = add_g_scores(generate(view_noise=1.0, view_keep=0.5), seed=1)
    reference, _ = add_g_scores(plain, seed=1)
    for name, split in filled.splits.items():
        assert split.modal_features is None
        assert np.array_equal(split.g_score, reference[name].g_score)


def test_annotator_noise_changes_only_the_sold_labels(plain: Dataset) -> None:
    noisy = generate(annotator_noise=0.15)
    for name in ("modal_train", "test"):
        assert np.array_equal(noisy[name].page_label, plain[name].page_label)
    for name in ("page_train", "page_valid"):
        changed = np.mean(noisy[name].page_label != plain[name].page_label)
        assert changed > 0.2, (name, changed)
    for name, split in noisy.splits.items():
        assert np.array_equal(split.modal_label, plain[name].modal_label)
        assert np.array_equal(split.features, plain[name].features)


def test_page_context_adds_shared_context_columns(plain: Dataset) -> None:
    data = generate(context_effect=0.5, n_topics=3)
    assert data.feature_modality[30:].tolist() == [-1, -1, -1, -1]
    context = data["test"].features[:, 30:]
    assert np.array_equal(context[:, :3].sum(axis=1), np.ones(len(context)))
    assert context[:, 3].min() > 0 and context[:, 3].max() < 1
    assert np.array_equal(data["test"].features[:, :30], plain["test"].features)
    assert np.array_equal(data["test"].modal_label, plain["test"].modal_label)


def linear_fit(data: Dataset) -> float:
    """R^2 of a least-squares fit of the web items' modal label on the web feature columns."""
    x = np.vstack([s.features[s.modality == 0][:, :12] for s in data.splits.values()])
    y = np.concatenate([s.modal_label[s.modality == 0] for s in data.splits.values()])
    design = np.column_stack([x, np.ones(len(x))]).astype(float)
    coef, *_ = np.linalg.lstsq(design, y.astype(float), rcond=None)
    return float(1 - ((y - design @ coef) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def test_feature_complexity_hides_relevance_from_a_linear_model(plain: Dataset) -> None:
    complex_ = generate(feature_complexity=2.0)
    simple, entangled = linear_fit(plain), linear_fit(complex_)
    assert simple > 0.4 and entangled < 0.3 * simple, (simple, entangled)
    noise_cols = np.r_[6:12]
    split = complex_["page_train"]
    assert np.array_equal(
        split.features[:, noise_cols], plain["page_train"].features[:, noise_cols]
    )


def test_every_knob_on_is_deterministic() -> None:
    params = {
        "modal_ratio": 5.0,
        "view_noise": 0.3,
        "view_keep": 0.7,
        "annotator_noise": 0.1,
        "context_effect": 0.6,
        "feature_complexity": 1.0,
    }
    first, again, other = generate(**params), generate(**params), generate(**params, seed=3)
    for name, split in first.splits.items():
        for col in ("features", "modal_features", "page_label", "modal_label", "item_ids"):
            assert np.array_equal(getattr(split, col), getattr(again[name], col))
    assert not np.array_equal(first["test"].page_label[:50], other["test"].page_label[:50])


def test_numpy_scalars_and_cli_numbers_are_accepted() -> None:
    gen = check(
        None,
        {"n_topics": np.int64(3), "view_noise": np.float32(0.5), "modal_ratio": "4"},
        Path("."),
    )
    assert (gen.n_topics, gen.view_noise, gen.modal_ratio) == (3, 0.5, 4.0)
