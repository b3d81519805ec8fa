"""Callback spool: durable, retried with backoff, delivered once, dropped only on a 4xx answer."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("prometheus_client")

from gonka.errors import InvalidInput
from gonka.node.callbacks import IDEMPOTENCY_HEADER, CallbackSpool
from gonka.node.errors import SpoolInUse
from gonka.node.metrics import NodeMetrics
from gonka.node.receiver import CallbackReceiver


def _batch(i: int) -> dict:
    return {
        "public_key": "pk",
        "block_hash": "bh",
        "block_height": 7,
        "nonces": [i, i + 10],
        "dist": [1.2345678901234567, 0.1 + i],
        "node_id": 1,
    }


def _wait(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def _spool(tmp_path, **kw) -> CallbackSpool:
    kw.setdefault("base_delay", 0.05)
    kw.setdefault("max_delay", 0.2)
    kw.setdefault("timeout", 2.0)
    return CallbackSpool(tmp_path / "spool", NodeMetrics(), **kw)


def test_delivers_exact_payload_with_idempotency_key(tmp_path):
    with CallbackReceiver() as receiver:
        spool = _spool(tmp_path)
        spool.start()
        try:
            batch_id = spool.enqueue("generated", receiver.url, _batch(1))
            assert spool.wait_idle(10)
        finally:
            spool.close()
    assert receiver.batches("generated") == [_batch(1)]  # floats survive exactly (JSON repr)
    assert receiver.keys() == [batch_id]
    assert not list((tmp_path / "spool").glob("*.json"))


def test_outage_then_500s_then_recovery_delivers_every_batch_once(tmp_path):
    receiver = CallbackReceiver()
    port = receiver.port
    receiver._server.server_close()  # the receiver is down: connections are refused
    spool = _spool(tmp_path)
    spool.start()
    try:
        sent = [spool.enqueue("generated" if i % 2 else "validated", f"http://127.0.0.1:{port}/cb", _batch(i))
                for i in range(6)]  # fmt: skip
        time.sleep(0.4)
        assert spool.pending() == 6
        receiver = CallbackReceiver(port=port, path="/cb")
        receiver.fail_with = 500
        receiver.start()
        _wait(lambda: receiver.attempts >= 3)
        assert receiver.batches("generated") == []
        assert spool.pending() == 6
        receiver.fail_with = None
        assert spool.wait_idle(15)
    finally:
        spool.close()
        receiver.stop()
    assert sorted(receiver.keys()) == sorted(sent)
    assert receiver.duplicates == 0
    got = sorted(b["nonces"][0] for k in ("generated", "validated") for b in receiver.batches(k))
    assert got == list(range(6))
    text = spool.metrics.render().decode()
    assert 'gonka_node_batches_sent_total{kind="generated"} 3.0' in text
    assert 'gonka_node_batches_pending{kind="generated"} 0.0' in text


def test_4xx_drops_batch_into_rejected_with_reason(tmp_path, caplog):
    with CallbackReceiver() as receiver:
        receiver.fail_with = 422
        spool = _spool(tmp_path)
        spool.start()
        try:
            batch_id = spool.enqueue("validated", receiver.url, _batch(3))
            assert spool.wait_idle(10)
        finally:
            spool.close()
    rejected = list((tmp_path / "spool" / "rejected").glob("*.json"))
    assert len(rejected) == 1
    record = json.loads(rejected[0].read_text())
    assert record["id"] == batch_id and record["rejected_status"] == 422
    assert record["payload"] == _batch(3)
    assert 'gonka_node_batches_failed_total{kind="validated"} 1.0' in spool.metrics.render().decode()


def test_429_is_retried_not_dropped(tmp_path):
    with CallbackReceiver() as receiver:
        receiver.fail_with = 429
        spool = _spool(tmp_path)
        spool.start()
        try:
            spool.enqueue("generated", receiver.url, _batch(4))
            _wait(lambda: receiver.attempts >= 2)
            assert spool.pending() == 1
            receiver.fail_with = None
            assert spool.wait_idle(10)
        finally:
            spool.close()
    assert receiver.batches("generated") == [_batch(4)]


def test_spooled_batches_survive_a_restart(tmp_path):
    receiver = CallbackReceiver()
    port = receiver.port
    receiver._server.server_close()
    spool = _spool(tmp_path)
    spool.start()
    batch_id = spool.enqueue("generated", f"http://127.0.0.1:{port}/cb", _batch(5))
    spool.close()
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1

    with CallbackReceiver(port=port, path="/cb") as receiver:
        again = _spool(tmp_path)
        again.start()
        try:
            assert again.wait_idle(10)
        finally:
            again.close()
    assert receiver.keys() == [batch_id]
    assert receiver.batches("generated") == [_batch(5)]


def test_receiver_that_saw_a_key_does_not_record_it_twice(tmp_path):
    import httpx

    with CallbackReceiver() as receiver:
        for _ in range(2):
            r = httpx.post(receiver.url + "/generated", json=_batch(1), headers={IDEMPOTENCY_HEADER: "k1"})
            assert r.status_code == 200
    assert receiver.duplicates == 1 and len(receiver.batches("generated")) == 1


def test_one_spool_directory_serves_one_node(tmp_path):
    first = _spool(tmp_path)
    first.start()
    try:
        with pytest.raises(SpoolInUse, match="in use by another node"):
            _spool(tmp_path).start()
    finally:
        first.close()


def test_unreadable_spool_file_is_kept_aside(tmp_path):
    directory = tmp_path / "spool"
    directory.mkdir()
    (directory / "000-generated-x.json").write_text("{not json")
    spool = _spool(tmp_path)
    spool.start()
    spool.close()
    assert spool.pending() == 0
    assert (directory / "rejected" / "000-generated-x.json.unreadable").exists()


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="unknown callback kind"):
        _spool(tmp_path).enqueue("other", "http://127.0.0.1:1", {})


def test_callback_credentials_never_reach_the_logs(tmp_path, caplog):
    from gonka.node.logs import redact_url

    assert (
        redact_url("http://user:s3cret@api:9100/v1/poc-batches?token=abc")
        == "http://***@api:9100/v1/poc-batches?***"
    )
    assert redact_url("http://api:9100/v1/poc-batches") == "http://api:9100/v1/poc-batches"
    spool = _spool(tmp_path)
    spool.start()
    try:
        with caplog.at_level("WARNING", logger="gonka.node"):
            spool.enqueue("generated", "http://user:s3cret@127.0.0.1:9/cb?token=abc", _batch(1))
            _wait(lambda: any("will retry" in r.getMessage() for r in caplog.records))
    finally:
        spool.close()
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "s3cret" not in logged and "token=abc" not in logged
    assert "http://***@127.0.0.1:9/cb?***" in logged


@pytest.mark.parametrize(
    ("url", "problem"),
    [("http://h:abc/cb/generated", "Invalid port"), ("ftp://h/cb/generated", "ftp")],
)
def test_a_batch_no_client_can_send_is_set_aside_and_delivery_goes_on(tmp_path, url, problem):
    # A spool file whose URL cannot be requested (written by hand, or by a version that checked less).
    directory = tmp_path / "spool"
    directory.mkdir()
    record = {"id": "bad", "kind": "generated", "url": url, "payload": _batch(0), "created": 0.0}
    (directory / "00000000000000000001-generated-bad.json").write_text(json.dumps(record))
    with CallbackReceiver() as receiver:
        spool = _spool(tmp_path)
        spool.start()
        try:
            good = spool.enqueue("generated", receiver.url, _batch(1))
            assert spool.wait_idle(10)
            assert spool.healthy
        finally:
            spool.close()
    assert receiver.keys() == [good]
    (rejected,) = (directory / "rejected").glob("*-bad.json")
    assert problem in json.loads(rejected.read_text())["rejected_body"]
