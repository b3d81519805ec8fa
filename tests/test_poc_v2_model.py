"""PoC v2 on a tiny random Qwen3: self-validation passes, every cheat is caught."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from gonka.poc import nonce_iterator
from gonka.poc.v2 import ArtifactGenerator, compare, stat_test_for, tiny_qwen3
from gonka.poc.v2.model import GeneratedArtifacts
from gonka.poc.v2.params import StatTest

BH = "6A1F" * 16
PK = "02" + "ab" * 32
OTHER_PK = "03" + "cd" * 32
SEQ_LEN = 16
NONCES = list(range(200))
STAT = stat_test_for("v0.2.14")


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    return tiny_qwen3()


@pytest.fixture(scope="module")
def honest(model: torch.nn.Module) -> GeneratedArtifacts:
    with ArtifactGenerator(model, seq_len=SEQ_LEN) as gen:
        return gen.generate(BH, PK, NONCES)


def _validate(model: torch.nn.Module, received: dict[int, str], *, stat: StatTest = STAT) -> tuple[int, bool]:
    """What a validator's ML node does: recompute the nonces with the generator's key, compare."""
    with ArtifactGenerator(model, seq_len=SEQ_LEN) as gen:
        mine = gen.generate(BH, PK, list(received))
    result = compare(dict(zip(mine.nonces, mine.vectors_b64(), strict=True)), received, list(received), stat)
    return result.n_mismatch, result.fraud_detected


def _wire(batch: GeneratedArtifacts) -> dict[int, str]:
    return dict(zip(batch.nonces, batch.vectors_b64(), strict=True))


def test_artifacts_are_deterministic_24_bytes_and_hooks_change_them(
    model: torch.nn.Module, honest: GeneratedArtifacts
) -> None:
    assert honest.nonces == NONCES and honest.vectors.shape == (200, 12)
    assert all(len(np.frombuffer(v.tobytes(), dtype=np.uint8)) == 24 for v in honest.vectors)
    with ArtifactGenerator(model, seq_len=SEQ_LEN) as gen:
        again = gen.generate(BH, PK, NONCES[:8])
        assert np.array_equal(again.vectors, honest.vectors[:8])
        # The per-layer reflections matter: without them the artifacts differ.
        gen._vectors = [torch.zeros_like(v) for v in gen._vectors]
        gen._block_hash = BH
        plain = gen.generate(BH, PK, NONCES[:8])
    assert not np.array_equal(plain.vectors, honest.vectors[:8])
    # Outside a PoC forward the hooks leave the model untouched; closed generators remove them.
    ids = torch.arange(8).unsqueeze(0)
    before = model(ids).logits
    with ArtifactGenerator(model, seq_len=SEQ_LEN):
        during = model(ids).logits
    assert torch.equal(before, during)


def test_self_validation_has_zero_mismatches(model: torch.nn.Module, honest: GeneratedArtifacts) -> None:
    n_mismatch, fraud = _validate(model, _wire(honest))
    assert (n_mismatch, fraud) == (0, False)


def test_honest_noise_from_another_activation_dtype_passes(model: torch.nn.Module) -> None:
    # A bfloat16 host (dtype=auto since v0.2.12) differs by rounding noise only.
    bf16 = tiny_qwen3(dtype=torch.bfloat16)
    with ArtifactGenerator(bf16, seq_len=SEQ_LEN) as gen:
        batch = gen.generate(BH, PK, NONCES)
    n_mismatch, fraud = _validate(model, _wire(batch))
    assert not fraud and n_mismatch <= 30


def _perturbed(model: torch.nn.Module) -> torch.nn.Module:
    # 50 % relative noise on every projection (norm weights untouched).
    other = tiny_qwen3()
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in other.parameters():
            if p.ndim == 2:
                p.add_(torch.randn(p.shape, generator=generator) * 0.5 * p.abs().mean())
    return other


@pytest.mark.parametrize("cheat", ["perturbed-weights", "torch-cpu-pick-order", "wrong-block-hash", "copied"])
def test_each_cheat_is_detected(model: torch.nn.Module, cheat: str) -> None:
    if cheat == "perturbed-weights":
        with ArtifactGenerator(_perturbed(model), seq_len=SEQ_LEN) as gen:
            sent = _wire(gen.generate(BH, PK, NONCES))
    elif cheat == "torch-cpu-pick-order":
        with ArtifactGenerator(model, seq_len=SEQ_LEN, pick_order="torch-cpu") as gen:
            sent = _wire(gen.generate(BH, PK, NONCES))
    elif cheat == "wrong-block-hash":
        with ArtifactGenerator(model, seq_len=SEQ_LEN) as gen:
            sent = _wire(gen.generate("00" * 32, PK, NONCES))
    else:
        # Another host's artifacts submitted under this host's key.
        with ArtifactGenerator(model, seq_len=SEQ_LEN) as gen:
            sent = _wire(gen.generate(BH, OTHER_PK, NONCES))
    n_mismatch, fraud = _validate(model, sent)
    assert fraud, (cheat, n_mismatch)
    assert n_mismatch >= 31


def test_wrong_vector_dtype_is_detected(model: torch.nn.Module, honest: GeneratedArtifacts) -> None:
    # The right values encoded as bfloat16 instead of float16: 24 bytes, wrong numbers.
    import base64

    sent = {}
    for nonce, vector in zip(honest.nonces, honest.vectors, strict=True):
        bf = torch.from_numpy(vector.astype(np.float32)).to(torch.bfloat16).view(torch.int16).numpy()
        sent[nonce] = base64.b64encode(bf.astype("<i2").tobytes()).decode()
    n_mismatch, fraud = _validate(model, sent)
    assert fraud and n_mismatch >= 31


def test_batches_follow_the_nonce_iterator(model: torch.nn.Module, honest: GeneratedArtifacts) -> None:
    # Node 1 of 2, group 1 of 2: nonces 3, 7, 11, ... in batches of 5.
    nonces = list(itertools.islice(nonce_iterator(1, 2, group_id=1, n_groups=2), 13))
    assert nonces[:3] == [3, 7, 11]
    with ArtifactGenerator(model, seq_len=SEQ_LEN) as gen:
        batches = list(gen.generate_batches(BH, PK, nonces, batch_size=5))
    assert [len(b.nonces) for b in batches] == [5, 5, 3]
    got = np.concatenate([b.vectors for b in batches])
    want = honest.vectors[nonces]
    # Batch composition changes float rounding only.
    assert np.abs(got.astype(np.float32) - want.astype(np.float32)).max() < 2e-3
