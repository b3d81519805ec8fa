"""The ML node over real HTTP (uvicorn on loopback): endpoints, status codes, state machine, bad input."""

from __future__ import annotations

import multiprocessing
import sys
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import httpx
from gonka.node import NodeSettings
from gonka.node.models import MAX_BATCH_NONCES
from gonka.node.server import BackgroundNode

REFERENCE_PATHS = {
    "/api/v1/state",
    "/api/v1/stop",
    "/api/v1/pow/init",
    "/api/v1/pow/init/generate",
    "/api/v1/pow/init/validate",
    "/api/v1/pow/phase/generate",
    "/api/v1/pow/phase/validate",
    "/api/v1/pow/validate",
    "/api/v1/pow/status",
    "/api/v1/pow/stop",
    "/api/v1/inference/up",
    "/api/v1/inference/down",
    "/api/v1/train/start",
    "/api/v1/train/stop",
    "/api/v1/train/status",
}

INIT = {
    "node_id": 1,
    "node_count": 2,
    "block_hash": "test-block-hash",
    "block_height": 10,
    "public_key": "test-public-key",
    "batch_size": 8,
    "r_target": 1.4,
    "fraud_threshold": 0.01,
    "params": {"dim": 112, "n_layers": 2, "n_heads": 4, "n_kv_heads": 4, "vocab_size": 300},
    "url": "http://127.0.0.1:9/v1/poc-batches",
}


def settings(tmp_path, **kw) -> NodeSettings:
    values = dict(
        host="127.0.0.1",
        port=0,
        spool_dir=tmp_path / "spool",
        devices="cpu",
        dtype="float32",
        batch_size=8,
        flush_interval=0.2,
        retry_base_delay=0.05,
        retry_max_delay=0.3,
        worker_stop_timeout=2.0,
        log_format="text",
    )
    values.update(kw)
    return NodeSettings(**values)


@pytest.fixture
def node(tmp_path):
    with BackgroundNode(settings(tmp_path)) as running:
        yield running


@pytest.fixture
def client(node):
    with httpx.Client(base_url=node.url, timeout=30) as c:
        yield c


def test_openapi_document_lists_the_reference_endpoints(client):
    doc = client.get("/openapi.json").json()
    assert REFERENCE_PATHS <= set(doc["paths"])
    assert {"/health", "/readyz"} <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    assert set(schemas["PowInitRequestUrl"]["required"]) == {
        "block_hash",
        "block_height",
        "public_key",
        "batch_size",
        "r_target",
        "fraud_threshold",
        "url",
    }
    assert set(schemas["ProofBatch"]["properties"]) >= {
        "public_key",
        "block_hash",
        "block_height",
        "nonces",
        "dist",
    }


def test_idle_node_state_status_and_stops(client):
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}
    assert client.get("/api/v1/pow/status").json() == {"status": "NOT_LOADED"}
    assert client.post("/api/v1/pow/stop").json() == {"status": "OK", "pow_status": "PoW is not running"}
    assert client.post("/api/v1/stop").json() == {"status": "OK"}
    assert client.get("/api/v1/train/status").json() == {"status": False}


@pytest.mark.parametrize("path", ["/api/v1/pow/phase/generate", "/api/v1/pow/phase/validate"])
def test_phase_switch_without_pow_is_400(client, path):
    r = client.post(path)
    assert r.status_code == 400
    assert r.json() == {"detail": "PoW is not running"}


def test_validate_without_pow_is_400(client):
    batch = {
        "public_key": "pk",
        "block_hash": "bh",
        "block_height": 1,
        "nonces": [1],
        "dist": [1.0],
        "node_id": 0,
    }
    r = client.post("/api/v1/pow/validate", json=batch)
    assert r.status_code == 400 and r.json()["detail"] == "PoW is not running"


@pytest.mark.parametrize("field", ["node_id", "node_count"])
def test_init_generate_needs_node_numbering(client, field):
    body = dict(INIT)
    del body[field]  # defaults to -1, as in the reference
    r = client.post("/api/v1/pow/init/generate", json=body)
    assert r.status_code == 400
    assert r.json() == {"detail": "Node ID and node count must be set"}
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"{not json", "JSON"),
        (b"[1, 2, 3]", "dict"),
        (b'{"block_hash": "x"}', "block_height"),
    ],
)
def test_malformed_bodies_get_422_and_the_node_keeps_serving(client, content, where):
    r = client.post(
        "/api/v1/pow/init/generate", content=content, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert where in r.text
    assert client.get("/api/v1/state").status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"block_height": "tall"}, "block_height"),
        ({"r_target": "far"}, "r_target"),
        ({"r_target": -1}, "r_target"),
        ({"node_count": 0}, "node_count must be -1"),
        ({"url": "ftp://x"}, "http"),
        ({"params": {"dim": 100, "n_heads": 3}}, "multiple of n_heads"),
        ({"params": {"dim": 100, "n_heads": 4, "n_kv_heads": 4}}, "must be even for RoPE"),
        ({"params": "big"}, "params"),
    ],
)
def test_wrong_types_and_values_are_named_in_the_422(client, change, message):
    r = client.post("/api/v1/pow/init/generate", json={**INIT, **change})
    assert r.status_code == 422, r.text
    assert message in r.text


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://h:abc/cb", "port"),
        ("http://h:99999/cb", "port"),
        ("http://[::1/cb", "port"),
        ("http:///cb", "host"),
        ("http://exa mple.com/cb", "whitespace"),
        ("http://h/cb\x00", "control"),
        ("https://h:8443/cb#frag", "fragment"),
        ("https://h:8443/cb?token=a", "query"),
    ],
)
def test_bad_callback_urls_get_a_422_and_start_nothing(client, url, problem):
    for path in ("/api/v1/pow/init", "/api/v1/pow/init/generate", "/api/v1/pow/init/validate"):
        r = client.post(path, json={**INIT, "url": url})
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"] == ["body", "url"] and problem in r.json()["detail"][0]["msg"]
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}
    assert not multiprocessing.active_children()


def test_validation_nonces_must_fit_the_chains_int64(client):
    batch = {"public_key": "pk", "block_hash": "bh", "block_height": 1, "dist": [1.0, 1.0], "node_id": 0}
    r = client.post("/api/v1/pow/validate", json={**batch, "nonces": [1, 2**63]})
    assert r.status_code == 422 and "2^63" in r.text
    r = client.post("/api/v1/pow/validate", json={**batch, "nonces": [1, 2**63 - 1]})
    assert r.status_code == 400 and r.json()["detail"] == "PoW is not running"


def test_proof_batch_checks(client):
    base = {"public_key": "pk", "block_hash": "bh", "block_height": 1, "nonces": [1, 2], "dist": [1.0]}
    r = client.post("/api/v1/pow/validate", json=base)
    assert r.status_code == 422 and "same length" in r.text
    r = client.post("/api/v1/pow/validate", json={**base, "nonces": [-1], "dist": [1.0]})
    assert r.status_code == 422 and "non-negative" in r.text
    huge = {**base, "nonces": list(range(MAX_BATCH_NONCES + 1)), "dist": [1.0] * (MAX_BATCH_NONCES + 1)}
    r = client.post("/api/v1/pow/validate", json=huge)
    assert r.status_code == 422 and "nonces" in r.text
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}


def test_body_over_the_size_limit_is_413(tmp_path):
    with BackgroundNode(settings(tmp_path, max_body_bytes=1000)) as small:
        with httpx.Client(base_url=small.url) as c:
            r = c.post(
                "/api/v1/pow/validate", content=b"x" * 5000, headers={"content-type": "application/json"}
            )
            assert r.status_code == 413 and "limit of 1000 bytes" in r.json()["detail"]

            def chunks():
                for _ in range(10):
                    yield b"y" * 500

            r = c.post("/api/v1/pow/validate", content=chunks(), headers={"content-type": "application/json"})
            assert r.status_code == 413
            assert c.get("/api/v1/state").status_code == 200


def test_params_too_big_for_the_machine_are_a_503_not_a_crash(client):
    huge = {
        **INIT,
        "params": {"dim": 8192, "n_layers": 512, "n_heads": 64, "n_kv_heads": 64, "vocab_size": 8196},
    }
    r = client.post("/api/v1/pow/init/generate", json=huge)
    assert r.status_code == 503 and "GiB of RAM" in r.json()["detail"]
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}


def test_unknown_paths_and_methods(client):
    assert client.get("/api/v1/nope").status_code == 404
    assert client.get("/api/v1/pow/init").status_code == 405
    assert client.get("/api/v1/state").status_code == 200


def test_training_is_not_faked(client):
    r = client.post("/api/v1/train/start", json={})
    assert r.status_code == 501 and "not supported" in r.json()["detail"]
    assert client.post("/api/v1/train/stop").status_code == 400


def test_inference_without_a_backend_answers_503(client):
    r = client.post("/api/v1/inference/up", json={"model": "Qwen/Qwen2.5-7B-Instruct", "dtype": "float16"})
    assert r.status_code == 503
    assert r.json()["status"] == "ERROR" and "GONKA_NODE_INFERENCE_COMMAND" in r.json()["message"]
    assert client.get("/api/v1/state").json() == {"state": "STOPPED"}
    assert client.post("/api/v1/inference/up", json={"dtype": "float16"}).status_code == 422


def test_inference_backend_lifecycle_and_service_conflicts(tmp_path):
    command = f"{sys.executable} -c 'import sys, time; time.sleep(120)' {{model}} {{dtype}}"
    with BackgroundNode(settings(tmp_path, inference_command=command)) as node:
        with httpx.Client(base_url=node.url, timeout=30) as c:
            r = c.post(
                "/api/v1/inference/up", json={"model": "m", "dtype": "float16", "additional_args": ["--x"]}
            )
            assert r.json() == {"status": "OK"}
            process = node.app.state.inference.process
            assert process.args[-3:] == ["m", "float16", "--x"]
            assert c.get("/api/v1/state").json() == {"state": "INFERENCE"}
            r = c.post("/api/v1/pow/init/generate", json=INIT)
            assert r.status_code == 409
            assert r.json()["detail"] == (
                "Cannot run POW because MLNode is currently in INFERENCE mode. Please stop INFERENCE first."
            )
            assert c.get("/api/v1/pow/status").status_code == 409
            assert c.post("/api/v1/inference/down").json() == {"status": "OK"}
            assert process.poll() is not None
            assert c.get("/api/v1/state").json() == {"state": "STOPPED"}
            assert c.post("/api/v1/inference/up", json={"model": "m", "dtype": "float16"}).status_code == 200
            assert c.post("/api/v1/stop").json() == {"status": "OK"}
            assert c.get("/api/v1/state").json() == {"state": "STOPPED"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"model": "m --trust-remote-code"}, "whitespace"),
        ({"model": "--trust-remote-code"}, "'-'"),
        ({"dtype": "float16 --enforce-eager"}, "whitespace"),
        ({"model": "m\n"}, "whitespace"),
    ],
)
def test_inference_values_cannot_inject_flags(tmp_path, change, problem):
    command = f"{sys.executable} -c 'import time; time.sleep(120)' --model={{model}} {{dtype}}"
    with BackgroundNode(settings(tmp_path, inference_command=command)) as node:
        with httpx.Client(base_url=node.url, timeout=30) as c:
            r = c.post("/api/v1/inference/up", json={"model": "m", "dtype": "float16", **change})
            assert r.status_code == 422 and problem in r.text, r.text
            assert node.app.state.inference.process is None
            assert c.get("/api/v1/state").json() == {"state": "STOPPED"}
            r = c.post("/api/v1/inference/up", json={"model": "org/m-1", "dtype": "float16"})
            assert r.status_code == 200
            assert node.app.state.inference.process.args[-2:] == ["--model=org/m-1", "float16"]
            c.post("/api/v1/stop")


def test_node_errors_are_typed_gonka_errors(tmp_path):
    from gonka.errors import GonkaError, InvalidInput
    from gonka.node import errors
    from gonka.node.callbacks import CallbackSpool
    from gonka.node.inference import InferenceManager
    from gonka.node.jobs import ValidationJobStore
    from gonka.node.metrics import NodeMetrics
    from gonka.node.models import InferenceInitRequest
    from gonka.node.pow import PowManager

    for name in errors.__all__:
        value = getattr(errors, name)
        assert not isinstance(value, type) or issubclass(value, GonkaError), name
    node_settings = settings(tmp_path)
    spool = CallbackSpool(tmp_path / "spool")
    manager = PowManager(node_settings, spool, ValidationJobStore(tmp_path / "jobs"), NodeMetrics())
    with pytest.raises(errors.PowNotRunning, match="PoW is not running"):
        manager.set_phase(1)
    with pytest.raises(errors.InferenceNotConfigured):
        InferenceManager(node_settings).up(InferenceInitRequest(model="m", dtype="float16"))
    with pytest.raises(errors.InvalidSettings) as raised:
        settings(tmp_path, inference_command="serve {model} {port}")
    assert isinstance(raised.value, InvalidInput) and "{port}" in str(raised.value)


def test_inference_backend_that_dies_is_an_error_not_ok(tmp_path):
    command = f"{sys.executable} -c 'raise SystemExit(3)'"
    with BackgroundNode(settings(tmp_path, inference_command=command)) as node:
        with httpx.Client(base_url=node.url, timeout=30) as c:
            r = c.post("/api/v1/inference/up", json={"model": "m", "dtype": "float16"})
            assert r.status_code == 500
            assert r.json() == {
                "status": "ERROR",
                "message": "inference server exited with code 3 while starting",
            }
            assert c.get("/health").status_code == 503
            r = c.get("/readyz")
            assert r.status_code == 503 and r.json() == {
                "ready": False,
                "problems": [
                    "the inference server failed: inference server exited with code 3 while starting"
                ],
            }


def test_health_readiness_and_metrics(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "healthy" and body["service_state"] == "STOPPED"
    assert set(body["managers"]) == {"pow", "inference"}
    assert client.get("/readyz").json() == {"ready": True}
    text = client.get("/metrics").text
    for name in (
        "gonka_node_nonces_computed_total",
        "gonka_node_nonces_valid_total",
        "gonka_node_batches_sent_total",
        "gonka_node_batches_pending",
        "gonka_node_batches_failed_total",
        "gonka_node_group_nonces_per_second",
    ):
        assert name in text


def test_multiple_running_services_are_all_stopped_with_409(tmp_path):
    command = f"{sys.executable} -c 'import time; time.sleep(120)'"
    with BackgroundNode(settings(tmp_path, inference_command=command)) as node:
        with httpx.Client(base_url=node.url, timeout=30) as c:
            assert c.post("/api/v1/inference/up", json={"model": "m", "dtype": "d"}).status_code == 200
            # Force the fault the state machine guards against: PoW alive beside inference.
            node.app.state.pow.is_running = lambda: True
            stopped = []
            node.app.state.pow.stop = lambda: stopped.append(True)
            r = c.get("/api/v1/state")
            assert r.status_code == 409 and "Multiple services detected" in r.json()["detail"]
            assert stopped and not node.app.state.inference.is_running()


def test_node_stops_cleanly_and_quickly(tmp_path):
    node = BackgroundNode(settings(tmp_path)).start()
    started = time.monotonic()
    node.stop()
    assert time.monotonic() - started < 5
