"""Nonce scheduling: which nonces one GPU group of one ML node tries, and nonce-list parsing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from gonka.errors import InvalidInput


def nonce_iterator(node_id: int, node_count: int, group_id: int = 0, n_groups: int = 1) -> Iterator[int]:
    """The endless nonce sequence of GPU group ``group_id`` (of ``n_groups``) on ML node ``node_id``.

    Yields ``node_id + group_id * node_count + x * n_groups * node_count`` for x = 0, 1, 2, ...: the groups of
    all ``node_count`` nodes interleave without overlap. The API node numbers ML nodes from 1.
    """
    for name, value in (
        ("node_id", node_id),
        ("node_count", node_count),
        ("group_id", group_id),
        ("n_groups", n_groups),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{name} must be an integer, got {value!r}")
    if node_id < 0 or node_count < 1 or n_groups < 1 or not 0 <= group_id < n_groups:
        raise InvalidInput(
            "need node_id >= 0, node_count >= 1, n_groups >= 1 and 0 <= group_id < n_groups; got "
            f"node_id={node_id}, node_count={node_count}, group_id={group_id}, n_groups={n_groups}"
        )
    start = node_id + group_id * node_count
    stride = n_groups * node_count
    return (start + x * stride for x in itertools.count())


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
        if first < 0 or last < first:
            raise InvalidInput(f"bad nonce range {part!r}; expected N or N-M with 0 <= N <= M")
        nonces.extend(range(first, last + 1))
    if not nonces:
        raise InvalidInput(f"no nonces in {spec!r}")
    return nonces
