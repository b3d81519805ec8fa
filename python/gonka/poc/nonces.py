"""Nonces: their valid range, which nonces one GPU group of one ML node tries, and nonce-list parsing."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from gonka.errors import InvalidInput

#: Largest nonce: the chain stores nonces as int64, so every nonce lies in [0, 2^63).
MAX_NONCE = 2**63 - 1


def check_nonce(value: Any) -> int:
    """``value`` as a Python int if it is a valid nonce (an integer in [0, 2^63)), else :class:`InvalidInput`.

    The one definition of the nonce limits: proof batches, the PoC model and the ML node's API all use it.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(f"nonces must be integers, got {value!r}")
    if not 0 <= value <= MAX_NONCE:
        raise InvalidInput(
            f"nonce {int(value)} is out of range [0, 2^63): nonces are non-negative and fit the chain's int64"
        )
    return int(value)


def int64_array(nonces: Iterable[int] | np.ndarray) -> np.ndarray:
    """Nonces as a contiguous one-dimensional int64 array, of any sign (callers add their own range).

    Integer arrays are taken as they are; anything else must hold Python integers.
    """
    if isinstance(nonces, np.ndarray):
        array = nonces
    else:
        try:
            array = np.array([operator.index(n) for n in nonces], dtype=np.int64)
        except TypeError:
            raise InvalidInput("nonces must be integers") from None
        except OverflowError:
            raise InvalidInput("nonces must fit in int64") from None
    if array.ndim != 1:
        raise InvalidInput(f"nonces must be one-dimensional, got shape {array.shape}")
    if array.size and array.dtype.kind not in "iu":
        raise InvalidInput(f"nonces must be integers, got dtype {array.dtype}")
    if array.dtype.kind == "u" and array.size and int(array.max()) > np.iinfo(np.int64).max:
        raise InvalidInput("nonces must fit in int64")
    return np.ascontiguousarray(array, dtype=np.int64)


def nonce_iterator(
    node_id: int, node_count: int, group_id: int = 0, n_groups: int = 1, *, first_index: int = 0
) -> Iterator[int]:
    """The endless nonce sequence of GPU group ``group_id`` (of ``n_groups``) on ML node ``node_id``.

    Yields ``node_id + group_id * node_count + x * n_groups * node_count`` for x = first_index,
    first_index + 1, ...: the groups of all ``node_count`` nodes interleave without overlap. The API node
    numbers ML nodes from 1. ``first_index`` resumes a sequence after its first ``first_index`` nonces.
    """
    for name, value in (
        ("node_id", node_id),
        ("node_count", node_count),
        ("group_id", group_id),
        ("n_groups", n_groups),
        ("first_index", first_index),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{name} must be an integer, got {value!r}")
    if node_id < 0 or node_count < 1 or n_groups < 1 or not 0 <= group_id < n_groups or first_index < 0:
        raise InvalidInput(
            "need node_id >= 0, node_count >= 1, n_groups >= 1, 0 <= group_id < n_groups and "
            "first_index >= 0; "
            f"got node_id={node_id}, node_count={node_count}, group_id={group_id}, n_groups={n_groups}, "
            f"first_index={first_index}"
        )
    start = node_id + group_id * node_count
    stride = n_groups * node_count
    return (start + x * stride for x in itertools.count(first_index))


def parse_nonces(spec: str) -> list[int]:
    """``"0-15"``, ``"3,5,9-12"`` -> the listed non-negative nonces, in order (ranges inclusive)."""
    nonces: list[int] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        low, sep, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if sep else first
        except ValueError:
            raise InvalidInput(
                f"bad nonce range {part!r}; expected N or N-M with non-negative integers"
            ) from None
        if first < 0 or last < first or last > MAX_NONCE:
            raise InvalidInput(f"bad nonce range {part!r}; expected N or N-M with 0 <= N <= M < 2^63")
        nonces.extend(range(first, last + 1))
    if not nonces:
        raise InvalidInput(f"no nonces in {spec!r}")
    return nonces
