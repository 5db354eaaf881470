"""A JSON array read a value at a time (guard/audit/json_array.py): same values, flat memory."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.audit import json_array
from guard.audit.json_array import Unreadable, array_values
from guard.records import MAX_LINE_BYTES

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 16])
def test_values_cut_anywhere_by_blocks_come_out_whole(monkeypatch: pytest.MonkeyPatch,
                                                      block: int) -> None:
    monkeypatch.setattr(json_array, "BLOCK_BYTES", block)
    data = '\ufeff [ {"a": "x\\"y,]", "b": [1, {"c": null}]}, 1.5e3 , -0.25,true,"é\\\\" ]\n'
    assert list(array_values(io.BytesIO(data.encode()))) == \
        [{"a": 'x"y,]', "b": [1, {"c": None}]}, 1500.0, -0.25, True, "é\\"]


@settings(max_examples=60, deadline=None)
@given(st.lists(VALUES, max_size=8), st.sampled_from([1, 5, 64, 1 << 16]),
       st.sampled_from([None, 0, 2]))
def test_any_array_reads_as_json_reads_it(values: list, block: int, indent: int | None) -> None:
    json_array.BLOCK_BYTES, before = block, json_array.BLOCK_BYTES
    try:
        data = json.dumps(values, indent=indent, ensure_ascii=False).encode()
        assert list(array_values(io.BytesIO(data))) == values
    finally:
        json_array.BLOCK_BYTES = before


@pytest.mark.parametrize(("data", "expected"), [
    (b'[{"a": 1},, {"b": 2}]', [{"a": 1}, "不是有效的 JSON", {"b": 2}]),
    (b'[{"a": 1}, {"b" 2}, {"c": 3}]', [{"a": 1}, "不是有效的 JSON", {"c": 3}]),
    (b'[{"a": 1}, {"b": "\xff"}, 3]', [{"a": 1}, "不是有效的 UTF-8", 3]),
    (b'[{"a": 1}, {"b": 2}', [{"a": 1}, {"b": 2}, "中断"]),
    (b'[{"a": 1}, {"b": ', [{"a": 1}, "中断"]),
    (b'[{"a": 1} {"b": 2}]', [{"a": 1}, "中断"]),
    (b'[1] x', [1, "之后还有内容"]),
    (b'{"a": 1}', ["不是 JSON 数组"]),
    (b"", ["不是 JSON 数组"]),
    (b" [ ] ", []),
])
def test_a_bad_value_costs_one_record_and_a_break_ends_the_array(data: bytes,
                                                                 expected: list) -> None:
    got = list(array_values(io.BytesIO(data)))
    assert len(got) == len(expected)
    for value, wanted in zip(got, expected, strict=True):
        if isinstance(wanted, str):
            assert type(value) is Unreadable and wanted in value.reason
        else:
            assert value == wanted
    assert all(not v.last for v in got[:-1] if type(v) is Unreadable)


def test_a_runaway_value_is_measured_and_skipped_not_held() -> None:
    runaway = b'{"content": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}'
    data = b'[{"a": 1}, ' + runaway + b', {"b": 2}]'
    tracemalloc.start()
    try:
        got = list(array_values(io.BytesIO(data)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got[0] == {"a": 1} and got[2] == {"b": 2}
    assert type(got[1]) is Unreadable and not got[1].last
    assert f"{len(runaway):,} 字节" in got[1].reason
    assert peak < MAX_LINE_BYTES * 4  # bounded by the limit, not by the value (str: 1 byte/char)


class _Counting(io.RawIOBase):
    """A large array made as it is read: never a whole file anywhere."""

    def __init__(self, count: int):
        self.count = count
        self.made = 0
        self.pending = b"["
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[no-untyped-def]
        while len(self.pending) < len(target) and self.made <= self.count:
            if self.made == self.count:
                self.pending += b"]"
            else:
                sep = b"," if self.made else b""
                self.pending += sep + json.dumps(
                    {"msg_id": str(self.made), "ts": 1793495480 + self.made,
                     "from": {"role": "user", "uid": f"u{self.made % 97}"},
                     "type": 0, "content": "在吗，" * 20}, ensure_ascii=False).encode()
            self.made += 1
        size = min(len(target), len(self.pending))
        target[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.read_bytes += size
        return size


def test_a_large_array_is_read_incrementally_in_flat_memory() -> None:
    stream = _Counting(15_000)  # ≈ 3.5 MB of JSON
    values = array_values(io.BufferedReader(stream))
    first = next(values)
    assert first["msg_id"] == "0" and stream.read_bytes <= 2 * json_array.BLOCK_BYTES
    tracemalloc.start()
    try:
        count = 1 + sum(1 for _ in values)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 15_000 and stream.read_bytes > 3_000_000
    assert peak < 1_000_000  # a few blocks, not 3.5 MB
