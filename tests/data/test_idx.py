"""IDX reader/writer: round trips for every type, and clear errors for every kind of corruption."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from inkread.core.errors import DataError
from inkread.data.idx import IDX_TYPES, encode_idx, parse_idx, read_idx, write_idx

DTYPES = [np.dtype(d.str.replace(">", "<")) for d in IDX_TYPES.values()]


@settings(max_examples=60, deadline=None)
@given(data=st.data(), gz=st.booleans())
def test_round_trip_any_type_and_shape(tmp_path_factory: pytest.TempPathFactory,
                                       data: st.DataObject, gz: bool) -> None:
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))
    arr = data.draw(hnp.arrays(dtype, shape, elements={"allow_nan": False} if dtype.kind == "f" else None))
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, arr)
    back = read_idx(path)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == gz


@settings(max_examples=80, deadline=None)
@given(cut=st.integers(min_value=0, max_value=59), junk=st.binary(min_size=1, max_size=8))
def test_truncation_or_extra_bytes_are_refused(cut: int, junk: bytes) -> None:
    good = encode_idx(np.arange(48, dtype=np.uint8).reshape(3, 4, 4))
    with pytest.raises(DataError):
        parse_idx(good[:cut])
    with pytest.raises(DataError, match="header says shape"):
        parse_idx(good + junk)


@settings(max_examples=60, deadline=None)
@given(pos=st.integers(min_value=0, max_value=3), byte=st.integers(min_value=0, max_value=255))
def test_random_header_corruption_never_crashes(pos: int, byte: int) -> None:
    data = bytearray(encode_idx(np.zeros((2, 3), dtype=np.uint8)))
    data[pos] = byte
    try:
        out = parse_idx(bytes(data))
    except DataError as exc:
        assert exc.problem  # a message, not an IndexError or struct.error
    else:
        assert out.size == 6


def test_wrong_magic_message_names_file(tmp_path: Path) -> None:
    p = tmp_path / "x.idx"
    p.write_bytes(b"PK\x03\x04" + bytes(20))
    with pytest.raises(DataError) as info:
        read_idx(p)
    msg = info.value.render()
    assert str(p) in msg and "magic" in msg and "Expected" in msg


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "x.gz"
    full = gzip.compress(encode_idx(np.ones((50, 28, 28), np.uint8)))
    p.write_bytes(full[: len(full) // 2])
    with pytest.raises(DataError, match="truncated or corrupt gzip"):
        read_idx(p)


def test_unsupported_dtype_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot be stored in IDX"):
        write_idx(tmp_path / "x.idx", np.zeros(3, dtype=np.uint16))
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_real_mnist_header(mnist) -> None:  # type: ignore[no-untyped-def]
    assert mnist.train.images.shape == (60000, 28, 28)
    assert mnist.test.images.shape == (10000, 28, 28)
    assert mnist.train.images.dtype == np.uint8


def test_atomic_write_has_normal_permissions(tmp_path: Path) -> None:
    write_idx(tmp_path / "x.idx", np.zeros(3, np.uint8))
    assert (tmp_path / "x.idx").stat().st_mode & 0o044 == 0o044  # readable by group and others
