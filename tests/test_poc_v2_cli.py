"""`gonka poc v2`: a simulated round with a cheater, artifacts and their verification."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from gonka.cli.app import app
from typer.testing import CliRunner

runner = CliRunner()
BH, PK = "C0FFEE" * 10 + "C0DE", "02" + "33" * 32


@pytest.mark.parametrize("cheat", ["wrong-dtype", "torch-cpu-pick-order"])
def test_simulate_rejects_the_cheater_and_weighs_the_honest_host(cheat: str) -> None:
    result = runner.invoke(
        app,
        [
            "poc",
            "v2",
            "simulate",
            "--json",
            "--hosts",
            "3",
            "--cheat",
            cheat,
            "--nonces",
            "210",
            "--seq-len",
            "8",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    cheater = f"host-3 ({cheat})"
    assert out["accepted"] == {"host-1": True, "host-2": True, cheater: False}
    assert out["weights"] == {"host-1": 210, "host-2": 210, cheater: 0}
    against = [v for v in out["votes"] if v["validated_weight"] == -1]
    assert len(against) == 2 and all(v["n_mismatch"] >= 31 for v in against)


def test_simulate_shows_progress_and_a_summary() -> None:
    result = runner.invoke(app, ["poc", "v2", "simulate", "--nonces", "50", "--seq-len", "4"])
    assert result.exit_code == 0, result.output
    for text in ("generate:", "commit:", "validate:", "vote:", "accepted", "rejected", "weight"):
        assert text in result.output


def test_artifacts_then_verify(tmp_path: Path) -> None:
    made = runner.invoke(
        app,
        [
            "poc",
            "v2",
            "artifacts",
            "--json",
            "--block-hash",
            BH,
            "--public-key",
            PK,
            "--nonces",
            "0-39",
            "--seq-len",
            "8",
        ],
    )
    assert made.exit_code == 0, made.output
    payload = json.loads(made.stdout)
    assert len(payload["artifacts"]) == 40 and payload["encoding"] == {
        "dtype": "f16",
        "k_dim": 12,
        "endian": "le",
    }
    assert all(len(base64.b64decode(a["vector_b64"])) == 24 for a in payload["artifacts"])
    good = tmp_path / "good.json"
    good.write_text(json.dumps(payload))
    verdict = runner.invoke(app, ["poc", "v2", "verify", str(good), "--seq-len", "8", "--json"])
    assert verdict.exit_code == 0, verdict.output
    assert json.loads(verdict.stdout) | {"p_value": 1.0} == {
        "n_total": 40,
        "n_mismatch": 0,
        "mismatch_nonces": [],
        "p_value": 1.0,
        "fraud_detected": False,
        "validated_weight": 40,
    }
    # Shifted nonces: every vector belongs to another nonce.
    shifted = dict(payload, artifacts=[dict(a, nonce=a["nonce"] + 1) for a in payload["artifacts"]])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(shifted))
    verdict = runner.invoke(app, ["poc", "v2", "verify", str(bad), "--seq-len", "8"])
    assert verdict.exit_code == 0, verdict.output
    assert "FRAUD" in verdict.output and "0.01" in verdict.output and "p_value_threshold" in verdict.output
    missing = runner.invoke(app, ["poc", "v2", "verify", str(tmp_path / "none.json")])
    assert missing.exit_code != 0
