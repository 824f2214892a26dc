"""Read and write IDX files (the MNIST format), raw or gzipped, validating the header."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from inkread.core.errors import DataError
from inkread.core.files import atomic_write_bytes

# IDX type byte -> big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | Path) -> bytes:
    """Return the decompressed content of a raw or gzipped file, with a clear error if corrupt."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", where=path, fix="check the path") from None
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror})", where=path) from None
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(
            f"truncated or corrupt gzip ({exc})",
            where=path,
            expected="a complete gzip stream",
            fix="delete the file and copy or download it again",
        ) from None


def parse_idx(data: bytes, where: str | Path = "<bytes>") -> np.ndarray:
    """Decode IDX bytes into an array with native byte order, validating magic, dims and length."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(
            f"wrong magic number {data[:4].hex() or '(empty)'}",
            where=where,
            expected="an IDX file starting with two zero bytes, a type byte and a dimension count",
            fix="check that this is an uncorrupted IDX (MNIST-format) file",
        )
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_TYPES:
        raise DataError(
            f"unknown IDX type byte 0x{type_code:02x}",
            where=where,
            expected="one of " + ", ".join(f"0x{c:02x}" for c in IDX_TYPES),
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataError(f"header cut short: {ndim} dimensions need {header_len} bytes", where=where)
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    dtype = IDX_TYPES[type_code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) - header_len != expected:
        raise DataError(
            f"header says shape {tuple(dims)} ({expected} data bytes) "
            f"but the file holds {len(data) - header_len}",
            where=where,
            expected="the data length to match the header",
            fix="the file is truncated or corrupt: copy or download it again",
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (raw or gzipped) into a numpy array."""
    return parse_idx(read_bytes(path), where=path)


def encode_idx(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes; its dtype must be one the format allows."""
    array = np.asarray(array)
    for code, dtype in IDX_TYPES.items():  # noqa: B007 (code is used after the loop)
        if array.dtype.kind == dtype.kind and array.dtype.itemsize == dtype.itemsize:
            break
    else:
        raise DataError(
            f"dtype {array.dtype} cannot be stored in IDX",
            expected="uint8, int8, int16, int32, float32 or float64",
            fix="convert the array with .astype(...) first",
        )
    if array.ndim > 255:
        raise DataError(f"{array.ndim} dimensions is more than IDX allows (255)")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def write_idx(path: str | Path, array: np.ndarray, *, compress: bool | None = None) -> None:
    """Write an array as IDX, gzipped when `compress` is set or the name ends in .gz."""
    path = Path(path)
    data = encode_idx(array)
    if compress if compress is not None else path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=6, mtime=0)
    atomic_write_bytes(path, data)
