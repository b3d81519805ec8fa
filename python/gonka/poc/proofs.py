"""From logits to proofs: distances, proof batches, and the validator's fraud test.

Host-side arithmetic follows the reference exactly: the permutation is a gather, the logits are normalized in
float32 with numpy's ``linalg.norm`` (pairwise float32 summation) and the distance to the float64 target is a
float64 norm. A nonce is valid when its distance is strictly below ``r_target``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from gonka.errors import InvalidInput
from gonka.poc.nonces import check_nonce
from gonka.poc.params import DEFAULT_FRAUD_THRESHOLD, PROBABILITY_MISMATCH


def distances_from_logits(logits: np.ndarray, permutations: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Distance of every nonce's permuted, normalized last-position logits to the target (float64 ``[B]``).

    ``logits`` float32 ``[B, V]``; ``permutations`` integer ``[B, V]``; ``target`` float64 unit ``[V]``.
    """
    logits = np.asarray(logits)
    if logits.dtype != np.float32 or logits.ndim != 2:
        raise InvalidInput(f"logits must be float32 [batch, vocab], got {logits.dtype} {list(logits.shape)}")
    if np.shape(permutations) != logits.shape:
        raise InvalidInput(f"permutations must have the logits' shape {list(logits.shape)}")
    if np.shape(target) != logits.shape[1:]:
        raise InvalidInput(f"target must have shape [{logits.shape[1]}]")
    permuted = np.take_along_axis(logits, np.asarray(permutations), axis=1)
    unit = permuted / np.linalg.norm(permuted, axis=1, keepdims=True)
    dist: np.ndarray = np.linalg.norm(unit - np.asarray(target, dtype=np.float64), axis=1)
    return dist


def binomial_p_value(k: int, n: int, p: float = PROBABILITY_MISMATCH) -> float:
    """One-sided binomial test: ``P[Binomial(n, p) >= k]`` (scipy's ``binomtest(k, n, p, "greater")``)."""
    if not (0 <= k <= n):
        raise InvalidInput(f"need 0 <= k <= n, got k={k}, n={n}")
    if not (0.0 < p < 1.0):
        raise InvalidInput(f"p must lie in (0, 1), got {p}")
    if k == 0:
        return 1.0
    # Sum the upper tail from its largest term (k > n*p in every case that matters) with the term ratio
    # (n - i) / (i + 1) * p / (1 - p); when k is below the mean, take the complement of the lower tail.
    if k > n * p:
        return min(1.0, _tail_sum(k, n, p, upward=True))
    return max(0.0, 1.0 - _tail_sum(k - 1, n, p, upward=False))


def _log_pmf(i: int, n: int, p: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
    )


def _tail_sum(start: int, n: int, p: float, *, upward: bool) -> float:
    """Sum of pmf(i) for i = start..n (upward) or i = start..0 (downward); terms shrink monotonically."""
    term = math.exp(_log_pmf(start, n, p))
    terms = [term]
    odds = p / (1.0 - p)
    i, total = start, term
    while (i < n if upward else i > 0) and term > 1e-18 * total:
        if upward:
            term *= (n - i) / (i + 1) * odds
            i += 1
        else:
            term *= i / ((n - i + 1) * odds)
            i -= 1
        terms.append(term)
        total += term
    return math.fsum(terms)


def _float_list(values: Iterable[Any], what: str) -> list[float]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput(f"{what} must be a sequence of numbers, got {type(values).__name__}")
    out = []
    for value in values:
        if isinstance(value, (bool, np.bool_, str, bytes)):
            raise InvalidInput(f"{what} must be numbers, got {value!r}")
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            raise InvalidInput(f"{what} must be numbers, got {value!r}") from None
    return out


@dataclass
class ProofBatch:
    """Nonces and their distances for one (public key, block hash, block height), as the ML node reports them.

    ``to_dict()`` / ``from_dict()`` use the reference's JSON field names; ``node_id`` defaults to 0 there.
    Nonces follow :func:`gonka.poc.nonces.check_nonce`. The class is also the ML node's HTTP schema of a batch
    (pydantic validates it strictly: no strings for numbers).
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"strict": True}

    public_key: str
    block_hash: str
    block_height: int
    nonces: list[int]
    dist: list[float]
    node_id: int = 0

    def __post_init__(self) -> None:
        for name in ("public_key", "block_hash"):
            if not isinstance(getattr(self, name), str):
                raise InvalidInput(f"{name} must be a string, got {type(getattr(self, name)).__name__}")
        for name in ("block_height", "node_id"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise InvalidInput(f"{name} must be an integer, got {value!r}")
            setattr(self, name, int(value))
        if isinstance(self.nonces, (str, bytes)) or not isinstance(self.nonces, Iterable):
            raise InvalidInput(f"nonces must be a sequence of integers, got {type(self.nonces).__name__}")
        self.nonces = [check_nonce(n) for n in self.nonces]
        self.dist = _float_list(self.dist, "dist")
        if len(self.nonces) != len(self.dist):
            raise InvalidInput(
                f"nonces and dist must have the same length (got {len(self.nonces)} and {len(self.dist)}): "
                "each nonce must pair up with its distance"
            )

    def __len__(self) -> int:
        return len(self.nonces)

    def _with(self, nonces: list[int], dist: list[float]) -> ProofBatch:
        return ProofBatch(self.public_key, self.block_hash, self.block_height, nonces, dist, self.node_id)

    def sub_batch(self, r_target: float) -> ProofBatch:
        """The nonces whose distance is strictly below ``r_target``."""
        kept = [(n, d) for n, d in zip(self.nonces, self.dist, strict=True) if d < r_target]
        return self._with([n for n, _ in kept], [d for _, d in kept])

    def split(self, batch_size: int) -> list[ProofBatch]:
        """Consecutive chunks of at most ``batch_size`` nonces."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInput(f"batch_size must be a positive integer, got {batch_size!r}")
        return [
            self._with(self.nonces[i : i + batch_size], self.dist[i : i + batch_size])
            for i in range(0, len(self.nonces), batch_size)
        ]

    def sort_by_nonce(self) -> ProofBatch:
        order = sorted(range(len(self.nonces)), key=self.nonces.__getitem__)
        return self._with([self.nonces[i] for i in order], [self.dist[i] for i in order])

    @classmethod
    def empty(cls) -> ProofBatch:
        """The reference's empty batch (block height and node id -1)."""
        return ProofBatch("", "", -1, [], [], -1)

    @classmethod
    def merge(cls, batches: Sequence[ProofBatch]) -> ProofBatch:
        """Concatenate batches of one (block hash, block height, public key); node_id is the first batch's."""
        batches = list(batches)
        if not batches:
            return ProofBatch.empty()
        first = batches[0]
        for name in ("block_hash", "block_height", "public_key"):
            values = {getattr(b, name) for b in batches}
            if len(values) > 1:
                raise InvalidInput(
                    f"cannot merge proof batches with different {name}s: {sorted(map(str, values))}"
                )
        return ProofBatch(
            first.public_key,
            first.block_hash,
            first.block_height,
            [n for b in batches for n in b.nonces],
            [d for b in batches for d in b.dist],
            first.node_id,
        )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProofBatch:
        """Parse the JSON object of a ``/generated`` callback or a ``/pow/validate`` request."""
        if not isinstance(data, Mapping):
            raise InvalidInput(f"a proof batch must be given as a mapping, got {type(data).__name__}")
        required = [f.name for f in fields(ProofBatch) if f.default is MISSING]
        missing = [n for n in required if n not in data]
        if missing:
            raise InvalidInput(f"proof batch is missing field(s): {', '.join(missing)}")
        return ProofBatch(**{f.name: data[f.name] for f in fields(ProofBatch) if f.name in data})


@dataclass
class ValidatedBatch(ProofBatch):
    """A validator's verdict on a received proof batch (the ``/validated`` callback).

    ``dist`` holds the recomputed distances and ``received_dist`` the generator's. A nonce counts as invalid
    when its recomputed distance exceeds ``r_target`` (strictly) or, as from chain v0.2.10, when the received
    distance itself is not below ``r_target``. ``probability_honest = P[Binomial(n, 5e-4) >= n_invalid]``;
    fraud when it is below ``fraud_threshold``. An empty batch is honest (probability 1).
    The verdict is computed on construction unless ``n_invalid`` is given (a parsed callback).
    """

    received_dist: list[float] = field(kw_only=True)
    r_target: float = field(kw_only=True)
    fraud_threshold: float = field(kw_only=True)
    n_invalid: int = field(default=-1)
    probability_honest: float = field(default=-1.0)
    fraud_detected: bool = field(default=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.received_dist = _float_list(self.received_dist, "received_dist")
        if len(self.received_dist) != len(self.nonces):
            raise InvalidInput(f"{len(self.nonces)} nonces but {len(self.received_dist)} received distances")
        self.r_target = float(self.r_target)
        self.fraud_threshold = float(self.fraud_threshold)
        if self.n_invalid >= 0:
            return
        self.n_invalid = sum(
            1
            for got, mine in zip(self.received_dist, self.dist, strict=True)
            if got >= self.r_target or mine > self.r_target
        )
        self.probability_honest = 1.0
        self.fraud_detected = False
        if self.nonces:
            self.probability_honest = binomial_p_value(self.n_invalid, len(self.nonces), PROBABILITY_MISMATCH)
            self.fraud_detected = self.probability_honest < self.fraud_threshold

    @classmethod
    def from_recomputed(
        cls,
        received: ProofBatch,
        recomputed: Sequence[float] | Mapping[int, float] | np.ndarray,
        *,
        r_target: float,
        fraud_threshold: float = DEFAULT_FRAUD_THRESHOLD,
    ) -> ValidatedBatch:
        """Judge ``received`` with the validator's own distances (aligned with its nonces, or by nonce)."""
        if isinstance(recomputed, Mapping):
            missing = [n for n in received.nonces if n not in recomputed]
            if missing:
                raise InvalidInput(f"no recomputed distance for nonce(s) {missing[:10]}")
            dist = [float(recomputed[n]) for n in received.nonces]
        else:
            dist = _float_list(recomputed, "recomputed distances")
            if len(dist) != len(received.nonces):
                raise InvalidInput(f"{len(received.nonces)} nonces but {len(dist)} recomputed distances")
        return cls(
            public_key=received.public_key,
            block_hash=received.block_hash,
            block_height=received.block_height,
            nonces=list(received.nonces),
            dist=dist,
            node_id=received.node_id,
            received_dist=list(received.dist),
            r_target=r_target,
            fraud_threshold=fraud_threshold,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValidatedBatch:
        """Parse a ``/validated`` callback; a missing verdict (``n_invalid`` ...) is computed."""
        required = [f.name for f in fields(cls) if f.default is MISSING]
        missing = [n for n in required if n not in data]
        if missing:
            raise InvalidInput(f"validated batch is missing field(s): {', '.join(missing)}")
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
