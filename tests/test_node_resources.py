"""GPU grouping follows the reference 1/2/4/8 rule, driven by the memory the params and engine need."""

from __future__ import annotations

import pytest
from gonka.errors import InvalidInput
from gonka.node.errors import InvalidSettings
from gonka.node.resources import (
    GIB,
    MIN_GROUP_BATCH,
    Device,
    cpu_memory_need,
    group_memory_need,
    physical_memory,
    plan_groups,
)
from gonka.node.settings import NodeSettings
from gonka.poc import PARAMS_SMALL, PARAMS_V1, PARAMS_V2
from gonka.poc.engines import activation_bytes_per_nonce, model_bytes


def gpus(*sizes_gib: float) -> list[Device]:
    return [Device(i, int(size * GIB)) for i, size in enumerate(sizes_gib)]


def indices(groups) -> list[list[int]]:
    return [[d.index for d in g.devices] for g in groups]


def test_reference_rule_on_the_reference_thresholds():
    # The reference needs 38 GB for PARAMS_V2: one 80 GB GPU per group, pairs of 24 GB GPUs.
    need = 38 * 10**9
    assert indices(plan_groups(gpus(80, 80, 80, 80), need)) == [[0], [1], [2], [3]]
    assert indices(plan_groups(gpus(24, 24, 24, 24), need)) == [[0, 1], [2, 3]]
    assert indices(plan_groups(gpus(16, 16, 16, 16, 16), need)) == [[0, 1, 2, 3]]
    # Groups are contiguous: a small device pairs with the next one; a leftover reaching nothing is dropped.
    assert indices(plan_groups(gpus(8, 80, 24), need)) == [[0, 1]]
    # A device that cannot start any group (no 2 or 4 devices from it reach the need) is skipped.
    assert indices(plan_groups(gpus(8, 8, 80), need)) == [[1, 2]]
    assert plan_groups(gpus(8, 8), need) == []


def test_group_size_cap_for_single_device_engines():
    need = 38 * 10**9
    assert indices(plan_groups(gpus(24, 80, 24, 48), need, max_group_size=1)) == [[1], [3]]


def test_group_need_is_the_engines_model_plus_a_minimal_batch():
    for engine in ("torch", "triton"):
        for dtype in ("float16", "float32"):
            per_nonce = activation_bytes_per_nonce(PARAMS_V2, engine, 4 if dtype == "float32" else 2)
            expected = model_bytes(PARAMS_V2, engine, dtype, device="cuda") + MIN_GROUP_BATCH * per_nonce
            assert group_memory_need(PARAMS_V2, engine, dtype) == expected
    # Both engines read the weights as windows of the 1.78 GB pool: either fits one 24 GB GPU in float16.
    for engine in ("torch", "triton"):
        assert indices(plan_groups(gpus(24, 24), group_memory_need(PARAMS_V2, engine, "float16"))) == [
            [0],
            [1],
        ]
    assert group_memory_need(PARAMS_V1, "torch", "float16") < 10 * GIB


def test_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GONKA_NODE_PORT", "9999")
    monkeypatch.setenv("GONKA_NODE_FLUSH_INTERVAL", "0.5")
    monkeypatch.setenv("GONKA_NODE_SPOOL_DIR", str(tmp_path))
    monkeypatch.setenv("GONKA_NODE_INFERENCE_COMMAND", "vllm serve {model}")
    monkeypatch.setenv("GONKA_NODE_DEVICES", " 0, 1")
    s = NodeSettings.from_env(host="127.0.0.1", port=None)
    assert (s.port, s.flush_interval, s.spool_dir, s.host) == (9999, 0.5, tmp_path, "127.0.0.1")
    assert s.inference_command == "vllm serve {model}" and s.devices == "0,1"
    assert NodeSettings.from_env(port=8081).port == 8081  # an argument wins over the environment
    monkeypatch.setenv("GONKA_NODE_PORT", "eighty")
    monkeypatch.setenv("GONKA_NODE_DTYPE", "fp8")
    with pytest.raises(InvalidSettings) as raised:
        NodeSettings.from_env()
    message = str(raised.value)
    assert "GONKA_NODE_PORT='eighty': Input should be a valid integer" in message
    assert "GONKA_NODE_DTYPE='fp8': dtype must be one of" in message
    assert isinstance(raised.value, InvalidInput) and isinstance(raised.value, ValueError)


def test_cpu_memory_need_is_the_cpu_model_plus_one_batch():
    per_nonce = activation_bytes_per_nonce(PARAMS_SMALL, "torch", 4)
    expected = model_bytes(PARAMS_SMALL, "torch", "float32", device="cpu") + 8 * per_nonce
    assert cpu_memory_need(PARAMS_SMALL, "float32", 8) == expected < 64 * 2**20
    # Production params hold a 3.6 GB float32 pool, not 71 GB of materialized weights.
    assert 3 * GIB < cpu_memory_need(PARAMS_V2, "float32", 8) < 8 * GIB
    assert physical_memory() is None or physical_memory() > 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("engine", "cuda", "engine must be one of"),
        ("dtype", "fp8", "dtype must be one of"),
        ("port", 70000, "port"),
        ("devices", "gpu0", "devices must be"),
        ("log_level", "loud", "log_level"),
        ("inference_command", "serve {model} {port}", "not {port}"),
        ("inference_command", "serve '{model}", "shell-style"),
        ("flush_interval", 0, "flush_interval"),
    ],
)
def test_settings_reject_bad_values(tmp_path, field, value, message):
    with pytest.raises(InvalidSettings, match=message):
        NodeSettings(spool_dir=tmp_path, **{field: value})
