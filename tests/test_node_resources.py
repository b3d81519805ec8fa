"""GPU grouping follows the reference 1/2/4/8 rule, driven by the memory the params and engine need."""

from __future__ import annotations

import pytest
from gonka.node.resources import (
    GIB,
    Device,
    activation_bytes_per_nonce,
    cpu_memory_need,
    group_memory_need,
    physical_memory,
    plan_groups,
    weight_bytes,
)
from gonka.node.settings import NodeSettings
from gonka.poc import PARAMS_SMALL, PARAMS_V1, PARAMS_V2


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


def test_production_memory_need_by_engine():
    materialized = weight_bytes(PARAMS_V2, "torch")
    assert materialized == 2 * 17_763_122_944  # 35.5 GB of fp16 weights
    pool_view = weight_bytes(PARAMS_V2, "triton")
    assert pool_view == 8 * 2 * 888_156_147  # eight shifted copies of the 1.78 GB pool
    # The pool-view engine fits a 24 GB GPU; the materializing engine does not.
    assert group_memory_need(PARAMS_V2, "triton") < 24 * GIB < group_memory_need(PARAMS_V2, "torch")
    assert indices(plan_groups(gpus(24, 24), group_memory_need(PARAMS_V2, "triton"))) == [[0], [1]]
    assert indices(plan_groups(gpus(24, 24), group_memory_need(PARAMS_V2, "torch"))) == [[0, 1]]
    # Testnet params are small either way.
    assert group_memory_need(PARAMS_V1, "torch") < 10 * GIB


def test_activation_estimate_matches_the_reference_order_of_magnitude():
    # The reference's autobs estimate for PARAMS_V2 is 127 MiB per nonce (eager PyTorch).
    eager = activation_bytes_per_nonce(PARAMS_V2, "torch") / 2**20
    assert 100 < eager < 400
    assert activation_bytes_per_nonce(PARAMS_SMALL, "torch") > 0


def test_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GONKA_NODE_PORT", "9999")
    monkeypatch.setenv("GONKA_NODE_FLUSH_INTERVAL", "0.5")
    monkeypatch.setenv("GONKA_NODE_SPOOL_DIR", str(tmp_path))
    monkeypatch.setenv("GONKA_NODE_INFERENCE_COMMAND", "vllm serve {model}")
    s = NodeSettings.from_env(host="127.0.0.1")
    assert (s.port, s.flush_interval, s.spool_dir, s.host) == (9999, 0.5, tmp_path, "127.0.0.1")
    assert s.inference_command == "vllm serve {model}"
    monkeypatch.setenv("GONKA_NODE_PORT", "eighty")
    with pytest.raises(ValueError, match="GONKA_NODE_PORT='eighty' is not a valid int"):
        NodeSettings.from_env()


def test_cpu_memory_need_refuses_production_params_on_small_machines():
    assert cpu_memory_need(PARAMS_V2, "float32") > 64 * GIB  # 71 GB of float32 weights alone
    assert cpu_memory_need(PARAMS_SMALL, "float32") < 64 * 2**20
    assert physical_memory() is None or physical_memory() > 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("engine", "cuda", "engine must be one of"),
        ("dtype", "fp8", "dtype must be one of"),
        ("port", 70000, "port"),
    ],
)
def test_settings_reject_bad_values(tmp_path, field, value, message):
    with pytest.raises(ValueError, match=message):
        NodeSettings(spool_dir=tmp_path, **{field: value})
