"""Fuzzing the readers of user files (issue 20): seeded random variants of a clean LETOR file
and of a clean grid file, read in-process.

Three kinds of variant each: *neutral* (only what the formats allow to vary: whitespace, line
ends, comments, number spellings, a BOM) must read to exactly the clean file's arrays or cells;
*broken* (neutral changes plus one change that is never valid) must be refused with the suite's
``DataError``/``ValueError`` (one line); *noise* (random bytes anywhere) must end in a result or
such an error, never another exception, and a noisy file that is read gives the same arrays
whatever the reader's chunk size.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from benchmark.core.data import DataError
from benchmark.core.registry import UnknownNameError
from datasets import svmlight
from datasets.svmlight import read_svmlight

ROWS = [(2, 1, [0.5, 0.1, 0.25]), (0, 1, [0.0, 0.3, 1.0]), (1, 1, [0.75, 0.0, 2.5])]
ROWS += [(1, 7, [0.1, 0.2, 0.3]), (0, 7, [4.0, 0.0, 0.125]), (3, 12, [1.5, 0.5, 0.0])]
N_LETOR = 900  # variants per kind below: 3 x 900 files
N_GRID = 300  # 3 x 300 grid files
REFUSED = (DataError, ValueError, UnknownNameError, FileNotFoundError)


def spell(value: float, rng: random.Random) -> str:
    """Another spelling of ``value`` that reads as the same float32."""
    forms = [f"{value}", f"{value:.6f}", f"{value:e}", f"{value:E}", f"+{value}", f"{value}0"]
    if 0 < value < 1:
        forms.append(f"{value}".removeprefix("0"))  # .5
    return rng.choice(forms)


def sep(rng: random.Random) -> str:
    return rng.choice([" ", " ", "  ", "\t", " \t", "\t\t"])


def letor_line(row: tuple[int, int, list[float]], rng: random.Random, neutral: bool) -> list[str]:
    """A row's tokens: label, qid:<id>, index:value ...; re-spelled when ``neutral``."""
    label, qid, values = row
    tokens = [rng.choice([str(label), f"{label}.0", f"+{label}"]) if neutral else str(label)]
    tokens.append(f"qid:{rng.choice([str(qid), f'0{qid}']) if neutral else qid}")
    for i, v in enumerate(values, start=1):
        tokens.append(f"{i}:{spell(v, rng) if neutral else v}")
    return tokens


def comment(rng: random.Random) -> str:
    text = "".join(rng.choice("abc 12:3.4 #é\t") for _ in range(rng.randrange(8)))
    return f"{sep(rng)}#{text}"


def letor_text(rng: random.Random, neutral: bool, broken: Callable[..., None] | None) -> str:
    """The clean rows (one per line) with neutral changes, and ``broken``'s change if given."""
    lines = [letor_line(row, rng, neutral) for row in ROWS]
    if broken is not None:
        broken(lines, rng)
    end = rng.choice(["\n", "\r\n", "\r"]) if neutral else "\n"
    out = []
    for tokens in lines:
        if neutral and rng.random() < 0.2:
            out.append(rng.choice(["", " ", "\t", comment(rng).lstrip()]))
        text = (sep(rng) if neutral and rng.random() < 0.2 else "") + sep(rng).join(tokens)
        if neutral and rng.random() < 0.5:
            text += rng.choice([" ", "\t", comment(rng)])
        out.append(text)
    return end.join(out) + (end if rng.random() < 0.8 else "")


def _value(lines: list[list[str]], rng: random.Random) -> None:
    row, col = rng.randrange(len(lines)), rng.randrange(2, 5)
    index = lines[row][col].split(":")[0]
    lines[row][col] = f"{index}:{rng.choice(['x', 'nan', 'inf', '-inf', '1e39', '', '1,5', '0x1'])}"


def _label(lines: list[list[str]], rng: random.Random) -> None:
    lines[rng.randrange(len(lines))][0] = rng.choice(["x", "1.5", "nan", "1e40", "--1", "2:3"])


def _index(lines: list[list[str]], rng: random.Random) -> None:
    tokens = lines[rng.randrange(len(lines))]
    col = rng.randrange(2, 5)
    value = tokens[col].split(":")[1]
    again = [tokens[col - 1].split(":")[0]] if col > 2 else []  # not increasing
    tokens[col] = f"{rng.choice(['0', '-1', 'a', '1.5', '', *again])}:{value}"


def _qid(lines: list[list[str]], rng: random.Random) -> None:
    tokens = lines[rng.randrange(len(lines))]
    choice = rng.randrange(4)
    if choice == 0:
        del tokens[1]  # no qid
    elif choice == 1:
        tokens.insert(3, tokens[1])  # a second qid
    elif choice == 2:
        tokens[1] = rng.choice(["qid:x", "qid:-3", "qid:1.5", "qid:", "qid:1e"])
    else:
        tokens[1], tokens[2] = tokens[2], tokens[1]  # qid after a pair


def _token(lines: list[list[str]], rng: random.Random) -> None:
    tokens = lines[rng.randrange(len(lines))]
    tokens.insert(rng.randrange(2, len(tokens) + 1), rng.choice(["foo", "3", ":", "1:2:3", "é:1"]))


def _split_query(lines: list[list[str]], rng: random.Random) -> None:
    lines.append(lines.pop(0))  # a row of query 1 after the other queries


BREAKS = [_value, _label, _index, _qid, _token, _split_query]


def read(path: Path, text: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> svmlight.LtrFile:
    path.write_bytes(text.encode())
    monkeypatch.setattr(svmlight, "CHUNK_BYTES", chunk)
    return read_svmlight(path)


def arrays(f: svmlight.LtrFile) -> tuple[list[int], list[int], list[list[float]]]:
    return f.labels.tolist(), f.qids.tolist(), f.features.tolist()


def test_letor_variants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20)
    clean = arrays(read(tmp_path / "clean.txt", letor_text(rng, False, None), 1 << 20, monkeypatch))
    assert clean[1] == [1, 1, 1, 7, 7, 12]
    path = tmp_path / "variant.txt"
    for n in range(N_LETOR):
        chunk = rng.choice([16, 64, 1 << 20])
        text = letor_text(rng, True, None)
        assert arrays(read(path, text, chunk, monkeypatch)) == clean, (n, text)
        text = letor_text(rng, True, rng.choice(BREAKS))
        with pytest.raises(DataError) as refused:
            read(path, text, chunk, monkeypatch)
        assert "\n" not in str(refused.value) and str(path) in str(refused.value), text
        noisy = noise(letor_text(rng, True, None).encode(), rng)
        noisy_read(path, noisy, chunk, monkeypatch)


def noise(data: bytes, rng: random.Random) -> bytes:
    """``data`` with 1..4 random byte insertions, deletions or replacements."""
    out = bytearray(data)
    pool = b" \t\r\n#:.-+eE0123456789qidnaxf\x00\xff\xc3\xa9"
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        kind = rng.randrange(3)
        if kind == 0 or at == len(out):
            out[at:at] = bytes([rng.choice(pool)])
        elif kind == 1:
            del out[at]
        else:
            out[at] = rng.choice(pool)
    return bytes(out)


def noisy_read(path: Path, data: bytes, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    path.write_bytes(data)
    monkeypatch.setattr(svmlight, "CHUNK_BYTES", chunk)
    try:
        first = arrays(read_svmlight(path))
    except DataError as exc:
        assert "\n" not in str(exc), data
        return
    except MemoryError:  # a digit made a feature index huge: refused as a one-line error
        return
    monkeypatch.setattr(svmlight, "CHUNK_BYTES", 1 << 20 if chunk < 1 << 20 else 16)
    assert arrays(read_svmlight(path)) == first, data
    assert np.isfinite(np.asarray(first[2], dtype=np.float32)).all(), data


# -- grid files --------------------------------------------------------------------------
GRID = [
    ("seeds", "2"),
    ("dataset_params", "{ n_queries = 240, seed = 3 }"),
    ("[[group]]", None),
    ("rerankers", '["interleave", "lambdamart"]'),
    ("budgets", '["10%", "30%"]'),
    ("[[group]]", None),
    ("rerankers", '["fusion-zscore"]'),
]


def grid_text(rng: random.Random, neutral: bool) -> str:
    end = rng.choice(["\n", "\r\n"]) if neutral else "\n"
    out = []
    for key, value in GRID:
        if neutral and rng.random() < 0.2:
            out.append(rng.choice(["", "# a comment", "   ", "\t# x = 1"]))
        if value is None:
            out.append(key)
            continue
        eq = rng.choice([" = ", "=", "  =\t", " =  "]) if neutral else " = "
        value = value.replace(", ", rng.choice([",", ", ", " ,  "])) if neutral else value
        tail = rng.choice(["", "  ", " # note", "\t#"]) if neutral else ""
        out.append(f"{key}{eq}{value}{tail}")
    bom = "\ufeff" if neutral and rng.random() < 0.3 else ""
    return bom + end.join(out) + end


def plan(path: Path, text: bytes) -> list[str]:
    from benchmark.pipeline.gridfile import load_grid

    path.write_bytes(text)
    return [c.run_id for c in load_grid(str(path))]


BAD_GRID_LINES = [
    "seed = 1",
    "seeds = -1",
    'seeds = "3"',
    "seeds = 1000000000",
    "dataset = 3",
    "[[group]]\nbudgets = []",
    '[[group]]\nrerankers = ["lambdamrt"]',
    '[[group]]\nrerankers = ["smar"]\nbudgets = ["0%"]',
    "[group",
    "= 3",
    'x = "unterminated',
]


def test_grid_variants(tmp_path: Path) -> None:
    rng = random.Random(21)
    path = tmp_path / "grid.toml"
    clean = plan(path, grid_text(rng, False).encode())
    assert len(clean) == 1 + 3 * 2 + 1  # lambdamart: 2 budgets and the reference, 2 seeds
    for n in range(N_GRID):
        text = grid_text(rng, True)
        assert plan(path, text.encode("utf-8")) == clean, (n, text)
        broken = text + "\n" + rng.choice(BAD_GRID_LINES) + "\n"
        with pytest.raises(REFUSED) as refused:
            plan(path, broken.encode("utf-8"))
        assert "\n" not in str(refused.value), broken
        try:
            plan(path, noise(grid_text(rng, True).encode("utf-8"), rng))
        except REFUSED as exc:
            assert "\n" not in str(exc)
