"""How the history store packs numbers: fixed point (one decimal place) in int16 when every
value of the vector fits, else int32, NaN as the type's smallest value, behind a one-byte
tag saying which; and the min/max/mean rollup of several rows (the one home of that rule).

Small and cheap on purpose: a poll of 37 series packs into 75 bytes, which keeps 90 days
of 20 environments under the size target, and rows of one layout decode together in one
numpy call (benchmarks/bench_store.py). Deflate made rows a little smaller but cost ~10 µs
per row to inflate: too slow for the app's first paint of 24 h.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pandadmin.core.samples import missing_value

Array = npt.NDArray[np.float64]
Bytes = npt.NDArray[np.uint8]
Ints = npt.NDArray[np.int64]
SCALE = 10.0  # one decimal place: latencies to 0.1 ms, mean counts to 0.1
# The tag byte is the item size; each type's smallest value stands for NaN.
TYPES: dict[int, tuple[str, int]] = {2: ("<i2", -(2**15)), 4: ("<i4", -(2**31))}
_LIMIT = (np.iinfo(np.int32).max - 1) / SCALE


def encode(values: Array) -> bytes:
    """Pack a float vector (NaN allowed) into bytes."""
    finite = np.isfinite(values)
    scaled = np.round(np.clip(np.where(finite, values, 0.0), -_LIMIT, _LIMIT) * SCALE)
    size = 2 if bool(np.all(np.abs(scaled) < 2**15 - 1)) else 4
    kind, nan_code = TYPES[size]
    return bytes([size]) + np.where(finite, scaled, nan_code).astype(kind).tobytes()


def decode(blob: bytes) -> Array:
    return np.asarray(decode_many([blob], (len(blob) - 1) // blob[0])[0], dtype=np.float64)


def decode_many(blobs: Sequence[bytes], width: int) -> Array:
    """Vectors of `width` values packed by `encode`, decoded together (one row each)."""
    joined = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    return decode_rows(joined, np.cumsum(lengths) - lengths, lengths, width)


def decode_rows(
    joined: Bytes, starts: Ints, lengths: Ints, width: int, columns: Ints | None = None
) -> Array:
    """The packed vectors found at `starts` in `joined` (`lengths` bytes each), decoded
    with one numpy gather per item size (no Python code per row), only their `columns`
    (all by default; `width` stands for an absent column, read as NaN). A row cut short or
    of an unknown type raises ValueError."""
    if len(starts) and (lengths.min() < 1 or int((starts + lengths).max()) > len(joined)):
        raise ValueError("a packed vector outside the data")
    tags = joined[starts]
    if not np.isin(tags, list(TYPES)).all():
        raise ValueError("a packed vector of an unknown type")
    wanted = np.arange(width) if columns is None else columns
    present = np.flatnonzero(wanted < width)
    out = np.full((len(starts), len(wanted)), np.nan)
    for size, (kind, nan_code) in TYPES.items():
        where = np.flatnonzero(tags == size)
        if not len(where):
            continue
        if np.any(lengths[where] != 1 + width * size):
            raise ValueError(f"a packed vector that is not {width} values long")
        offsets = (1 + wanted[present, None] * size + np.arange(size)).ravel()
        codes = joined[starts[where, None] + offsets].view(kind)
        out[np.ix_(where, present)] = np.where(codes == nan_code, np.nan, codes / SCALE)
    return out


def vector(names: Sequence[str], values: Mapping[str, float]) -> Array:
    """`values` in the order of `names`, with the absent ones filled by the missing-value rule."""
    out = np.empty(len(names))
    for i, name in enumerate(names):
        value = values.get(name)
        out[i] = missing_value(name, values) if value is None else value
    return out


@dataclass(frozen=True, slots=True)
class Rollup:
    """min/max/mean of each named series over a time bucket, from `n` samples."""

    names: tuple[str, ...]
    n: int
    mins: Array
    maxs: Array
    means: Array

    def pack(self) -> bytes:
        return encode(np.concatenate((self.mins, self.maxs, self.means)))

    @classmethod
    def unpack(cls, names: tuple[str, ...], n: int, blob: bytes) -> Rollup:
        mins, maxs, means = np.split(decode(blob), 3)
        return cls(names, n, mins, maxs, means)


def union(layouts: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """All names of several layouts, first-seen order."""
    return tuple(dict.fromkeys(name for names in layouts for name in names))


def align(names: tuple[str, ...], wanted: tuple[str, ...], values: Array) -> Array:
    """`values` laid out by `names`, re-laid out by `wanted` (NaN where absent)."""
    if names == wanted:
        return values
    index = {name: i for i, name in enumerate(names)}
    out = np.full(len(wanted), np.nan)
    for i, name in enumerate(wanted):
        j = index.get(name)
        if j is not None:
            out[i] = values[j]
    return out


def rollup_samples(rows: Sequence[tuple[tuple[str, ...], Array]]) -> Rollup:
    """Rollup of raw samples, each given as (layout names, values)."""
    names = union([layout for layout, _ in rows])
    matrix = np.vstack([align(layout, names, values) for layout, values in rows])
    return Rollup(names, len(rows), _fmin(matrix), _fmax(matrix), _mean(matrix))


def rollup_rollups(parts: Sequence[Rollup]) -> Rollup:
    """A coarser rollup from finer ones (weighted by their sample counts)."""
    names = union([part.names for part in parts])
    mins = np.vstack([align(p.names, names, p.mins) for p in parts])
    maxs = np.vstack([align(p.names, names, p.maxs) for p in parts])
    means = np.vstack([align(p.names, names, p.means) for p in parts])
    weights = np.array([[p.n] for p in parts], dtype=float)
    return Rollup(names, sum(p.n for p in parts), _fmin(mins), _fmax(maxs), _mean(means, weights))


def _fmin(matrix: Array) -> Array:
    return np.asarray(np.fmin.reduce(matrix, axis=0), dtype=np.float64)


def _fmax(matrix: Array) -> Array:
    return np.asarray(np.fmax.reduce(matrix, axis=0), dtype=np.float64)


def _mean(matrix: Array, weights: Array | None = None) -> Array:
    """Mean of the finite values of each column (NaN where none), without numpy's warnings."""
    finite = np.isfinite(matrix)
    w = np.ones_like(matrix) if weights is None else np.broadcast_to(weights, matrix.shape)
    w = np.where(finite, w, 0.0)
    total = np.where(finite, matrix, 0.0) * w
    count = w.sum(axis=0)
    out = np.full(matrix.shape[1], np.nan)
    np.divide(total.sum(axis=0), count, out=out, where=count > 0)
    return out
