"""`gonka poc distances` through typer's CliRunner (small params on the CPU)."""

from __future__ import annotations

import json

import numpy as np
from gonka.cli import app
from gonka.poc import PARAMS_SMALL, R_TARGET_LAUNCH, PocModel
from typer.testing import CliRunner

BH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PK = "A1b2C3pubkeyBase64=="
BASE = ["poc", "distances", "--block-hash", BH, "--public-key", PK, "--params", "small", "--device", "cpu"]

runner = CliRunner()


def test_json_output_matches_the_library() -> None:
    result = runner.invoke(app, [*BASE, "--nonces", "0-5,9", "--r-target", "launch", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["nonces"] == [0, 1, 2, 3, 4, 5, 9]
    expected = PocModel(PARAMS_SMALL, BH).distances(PK, out["nonces"])
    np.testing.assert_array_equal(out["dist"], expected)
    assert out["r_target"] == R_TARGET_LAUNCH
    assert out["valid"] == [bool(d < R_TARGET_LAUNCH) for d in expected]
    assert out["params"] == PARAMS_SMALL.to_dict() and out["dtype"] == "float16"


def test_table_output(tmp_path) -> None:
    params_file = tmp_path / "params.json"
    params_file.write_text(json.dumps(PARAMS_SMALL.to_dict()))
    result = runner.invoke(
        app,
        ["poc", "distances", "--block-hash", BH, "--public-key", PK, "--params", str(params_file),
         "--device", "cpu", "--nonces", "0-3", "--r-target", "1.45"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "PoC distances" in result.output and "nonces/s" in result.output and "valid" in result.output
    expected = PocModel(PARAMS_SMALL, BH).distances(PK, [0, 1, 2, 3])
    assert repr(float(expected[3])) in result.output


def test_bad_arguments_exit_with_a_message() -> None:
    for extra, needle in (
        (["--nonces", "5-1"], "nonce range"),
        (["--dtype", "float8"], "dtype"),
        (["--r-target", "soon"], "soon"),
        (["--engine", "jax"], "engine"),
    ):
        result = runner.invoke(app, [*BASE, *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert needle in result.output, (extra, result.output)
    result = runner.invoke(
        app, ["poc", "distances", "--block-hash", BH, "--public-key", PK, "--params", "v9"]
    )
    assert result.exit_code == 2 and "preset" in result.output
