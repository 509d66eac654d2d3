"""The SVMLight/LETOR reader: agreement with a plain-Python reference parser on the real files,
tolerated input, and malformed input giving ``<file>:<line>: <problem>`` errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmark.core.data import DataError
from benchmark.pipeline.prepare import default_data_dir
from benchmark.tools.memcheck_svmlight import generate
from datasets import svmlight
from datasets.svmlight import read_query_file, read_svmlight

DATA = default_data_dir()
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no shared data folder at {DATA}")


def reference(path: Path, width: int, qid: bool = True) -> tuple[np.ndarray, ...]:
    """The obvious line-by-line parser, as an independent check."""
    rows, labels, qids = [], [], []
    for line in path.read_text(encoding="latin-1").splitlines():
        tokens = line.split("#")[0].split()
        if not tokens:
            continue
        labels.append(int(float(tokens[0])))
        if qid:
            qids.append(int(tokens[1][4:]))
        row = np.zeros(width, dtype=np.float32)
        for tok in tokens[1 + qid :]:
            key, value = tok.split(":")
            row[int(key) - 1] = float(value)
        rows.append(row)
    return np.array(rows), np.array(labels), np.array(qids)


@needs_data
@pytest.mark.parametrize("name, width", [("mq2008/S1.txt", 46), ("ohsumed/S2.txt", 45)])
def test_matches_reference_on_letor_files(name: str, width: int) -> None:
    got = read_svmlight(DATA / name)
    features, labels, qids = reference(DATA / name, width)
    assert got.features.dtype == np.float32 and got.features.shape == features.shape
    assert np.array_equal(got.features, features)
    assert np.array_equal(got.labels, labels) and np.array_equal(got.qids, qids)


@needs_data
def test_lightgbm_sample_with_query_file() -> None:
    path = DATA / "lightgbm_lambdarank" / "rank.test"
    got = read_svmlight(path, query_file=f"{path}.query")  # width inferred: largest index
    features, labels, _ = reference(path, 300, qid=False)
    assert got.features.shape == (768, 300)
    assert np.array_equal(got.features, features) and np.array_equal(got.labels, labels)
    assert len(np.unique(got.qids)) == 50 and np.all(np.diff(got.qids) >= 0)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "data.txt"
    path.write_bytes(data)
    return path


def test_tolerated_input(tmp_path: Path) -> None:
    text = (
        b"# header comment\n\n2 qid:1 1:0.5 3:0.25 # docid = caf\xe9\n"  # latin-1 comment
        b"0 qid:1  2:1 \r\n   \n1 qid:2\t1:1e-3 2:4"  # CRLF, double space, tab, no final newline
    )
    got = read_svmlight(write(tmp_path, text))
    assert got.features.tolist() == [[0.5, 0, 0.25], [0, 1, 0], [np.float32(1e-3), 4, 0]]
    assert got.labels.tolist() == [2, 0, 1] and got.qids.tolist() == [1, 1, 2]


def test_query_ids_beyond_2_53_stay_exact(tmp_path: Path) -> None:
    """Ids that float64 cannot tell apart (2^53 + 2k and 2^53 + 2k + 1) stay two queries."""
    ids = [90071992547409930, 90071992547409931, 2**53 + 1, 2**63 - 1]
    path = write(tmp_path, b"".join(b"1 qid:%d 1:1\n0 qid:%d 1:2\n" % (q, q) for q in ids))
    assert read_svmlight(path).qids.tolist() == [q for q in ids for _ in range(2)]


def test_chunk_boundaries_do_not_matter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gen.txt"
    generate(path, rows=600, features=7)
    whole = read_svmlight(path)
    monkeypatch.setattr(svmlight, "CHUNK_BYTES", 97)
    small = read_svmlight(path)
    assert np.array_equal(whole.features, small.features)
    assert np.array_equal(whole.qids, small.qids) and np.array_equal(whole.labels, small.labels)
    lines = path.read_bytes().split(b"\n")
    lines[450] = lines[450].replace(b"3:", b"3x")
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(DataError, match=rf"{path}:451: expected <index>:<value>"):
        read_svmlight(path)


ENDINGS = {"LF": b"\n", "CRLF": b"\r\n", "CR": b"\r"}
DOCIDS = [
    b"# LETOR 4.0 style, a comment on every line",
    b"2 qid:10 1:0.5 3:0.25 #docid = GX000-00-0000000 inc = 1 prob = 0.02",
    b"0 qid:10 2:1 #docid = GX000-00-0000001",
    b"",
    b"1 qid:11 1:1e-3 2:4 #docid = GX000-00-0000002",
]


@pytest.mark.parametrize("ending", ENDINGS)
def test_line_endings_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    """CR-only, CRLF and LF files give the same arrays, whatever the chunk boundaries."""
    lines = DOCIDS + [
        b"%d qid:%d 1:%d #docid = x%d" % (i % 3, 12 + i // 4, i, i) for i in range(40)
    ]
    clean = read_svmlight(write(tmp_path, b"\n".join(lines) + b"\n"))
    path = write(tmp_path, ENDINGS[ending].join(lines) + ENDINGS[ending])
    for chunk in (svmlight.CHUNK_BYTES, 1, 7, 64):
        monkeypatch.setattr(svmlight, "CHUNK_BYTES", chunk)
        got = read_svmlight(path)
        assert got.n_rows == 43 and np.array_equal(got.features, clean.features)
        assert np.array_equal(got.labels, clean.labels) and np.array_equal(got.qids, clean.qids)


@pytest.mark.parametrize("ending", ENDINGS)
def test_two_qids_on_a_line_name_the_line(tmp_path: Path, ending: str) -> None:
    """A line with two ``qid:`` (in its data or its comment: two rows run together) is an
    error naming its line, whatever the line ends."""
    for bad in (b"1 qid:2 qid:3 1:1", b"1 qid:2 1:1 #docid = a 0 qid:2 1:2 #docid = b"):
        lines = [*DOCIDS, bad]
        path = write(tmp_path, ENDINGS[ending].join(lines) + ENDINGS[ending])
        with pytest.raises(DataError, match=rf"^{path}:6: .*qid"):
            read_svmlight(path)


MALFORMED = {
    "bad value": (b"1 qid:1 1:0.5\n0 qid:1 1:abc\n", 2, "value 'abc' is not a finite number"),
    "bad line": (b"1 qid:1 1:0.5\nthis is not svmlight\n", 2, "label 'this' is not an integer"),
    "missing colon": (b"1 qid:1 1 0.5\n", 1, "expected <index>:<value>, got '1'"),
    "index zero": (b"1 qid:1 0:0.5\n", 1, "feature index 0 < 1"),
    "index not an integer": (b"1 qid:1 1.5:0.5\n", 1, "expected <index>:<value>, got '1.5:0.5'"),
    "indices decrease": (b"1 qid:1 3:0.5 2:0.1\n", 1, "feature index 2 after 3"),
    "missing qid": (b"1 qid:1 1:0.5\n0 1:0.3\n", 2, "missing qid"),
    "qid out of place": (b"1 1:2 qid:5\n", 1, "qid:<id> must come once, right after the label"),
    "label not integral": (b"0.5 qid:1 1:1\n", 1, "label '0.5' is not an integer"),
    "nan value": (b"1 qid:1 1:nan\n", 1, "value 'nan' is not a finite number"),
    "query not contiguous": (b"1 qid:1 1:1\n1 qid:2 1:1\n1 qid:1 1:1\n", 3, "qid 1 appears again"),
    "qid beyond int64": (b"1 qid:1 1:1\n1 qid:9223372036854775808 1:1\n", 2, "at most 2^63 - 1"),
    "huge qid not in digits": (b"1 qid:1e30 1:1\n", 1, "query id '1e30': ids from 2^53 on"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_lines_name_file_and_line(tmp_path: Path, case: str) -> None:
    data, line, problem = MALFORMED[case]
    path = write(tmp_path, data)
    with pytest.raises(DataError) as err:
        read_svmlight(path)
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert problem in str(err.value)


def test_index_beyond_declared_features(tmp_path: Path) -> None:
    path = write(tmp_path, b"1 qid:1 1:1\n1 qid:1 2:1 5:1\n")
    with pytest.raises(DataError, match=rf"{path}:2: feature index 5 > 3"):
        read_svmlight(path, n_features=3)


@pytest.mark.parametrize("data", [b"", b"# only a comment\n\n   \n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    with pytest.raises(DataError, match=rf"{path}: no data rows \(empty file\)"):
        read_svmlight(path)


def test_query_file_errors(tmp_path: Path) -> None:
    path = write(tmp_path, b"1 1:1\n0 1:2\n2 1:3\n")
    groups = tmp_path / "data.txt.query"
    groups.write_text("2\n2\n")
    with pytest.raises(DataError, match="group sizes sum to 4 but the data has 3 rows"):
        read_svmlight(path, query_file=groups)
    groups.write_text("2\nx\n")
    with pytest.raises(DataError, match=rf"{groups}:2: expected a positive group size"):
        read_query_file(groups, 3)
    groups.write_text("1\n2\n")
    assert read_svmlight(path, query_file=groups).qids.tolist() == [0, 1, 1]
    with pytest.raises(DataError, match="unexpected qid"):
        read_svmlight(write(tmp_path, b"1 qid:3 1:1\n"), query_file=groups)


def test_width_is_bounded_and_the_line_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datasets import svmlight_checks

    monkeypatch.setattr(svmlight, "CHUNK_BYTES", 64)  # the stray index in a later chunk
    path = tmp_path / "data.txt"
    lines = [f"{i % 3} qid:{i // 4} 1:0.5 3:0.25" for i in range(40)]
    lines[33] = "1 qid:8 1:0.5 9999999:0.25"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=rf"{path}:34: feature index 9999999 is beyond 100,000"):
        read_svmlight(path)
    # the widest file allowed reads; the memory check refuses before allocating
    lines[33] = f"1 qid:8 1:0.5 {svmlight_checks.MAX_FEATURES}:0.25"
    path.write_text("\n".join(lines) + "\n")
    assert read_svmlight(path).features.shape == (40, svmlight_checks.MAX_FEATURES)
    monkeypatch.setattr(svmlight_checks, "available_memory", lambda: 1 << 20)
    with pytest.raises(MemoryError, match=r"40 rows x 100,000 features need 15\.3 MiB"):
        read_svmlight(path)
