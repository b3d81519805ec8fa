"""The node's durable stores and watched threads, one at a time: failed writes, recovery, restarts."""

from __future__ import annotations

import errno
import json
import os
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")

from gonka.node.errors import StorageError
from gonka.node.jobs import ValidationJobStore
from gonka.node.progress import GenerationProgress, Handover
from gonka.node.storage import DurableDirectory
from gonka.node.threads import ServiceThread
from gonka.poc import ProofBatch


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """While set, every fsync fails with ENOSPC (what a full disk does to a durable write)."""
    full = threading.Event()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if full.is_set():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return full


def test_a_refused_write_leaves_nothing_and_is_reported_until_the_disk_recovers(
    tmp_path: Path, full_disk: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = DurableDirectory(tmp_path / "d")
    monkeypatch.setattr(DurableDirectory, "PROBE_INTERVAL", 0.0)
    full_disk.set()
    with pytest.raises(StorageError, match="No space left on device"):
        directory.write("a.json", b"{}")
    assert list(directory.path.iterdir()) == []  # no partial file, no temporary file
    assert "No space left on device" in (directory.error or "")  # the probe fails too
    full_disk.clear()
    assert directory.error is None  # the probe write went through
    directory.write("a.json", b"{}")
    assert (directory.path / "a.json").read_bytes() == b"{}"


def batch(nonces: list[int], block_hash: str = "bh", height: int = 7) -> ProofBatch:
    return ProofBatch("pk", block_hash, height, nonces, [1.0] * len(nonces), 0)


def test_jobs_resume_in_arrival_order_and_drop_earlier_stages(tmp_path: Path) -> None:
    store = ValidationJobStore(tmp_path / "validation")
    first, second = store.add(batch([1, 2])), store.add(batch([3]))
    earlier = store.add(batch([4], "old", 6))
    other = store.add(batch([5], "next", 8))
    resumed = store.resume("bh", 7)
    assert [j.id for j in resumed] == [first.id, second.id] and resumed[0].batch == batch([1, 2])
    assert not (store.directory / f"{earlier.id}.json").exists()
    assert (store.directory / f"{other.id}.json").exists()
    store.done(first)
    store.fail(second, "chunk 0: it broke")
    assert [j.id for j in store.resume("bh", 7)] == []
    record = json.loads((store.directory / "failed" / f"{second.id}.json").read_text())
    assert record["error"] == "chunk 0: it broke" and record["batch"]["nonces"] == [3]


def test_a_job_no_worker_can_compute_is_set_aside_not_resumed_again(tmp_path: Path) -> None:
    # Written by a version that let nonces beyond the chain's int64 through its API.
    store = ValidationJobStore(tmp_path / "validation")
    bad = {"public_key": "pk", "block_hash": "bh", "block_height": 7, "nonces": [2**63], "dist": [1.0]}
    (store.directory / "00000000000000000001-x.json").write_text(json.dumps(bad))
    (store.directory / "00000000000000000002-y.json").write_text("{not json")
    assert store.resume("bh", 7) == []
    aside = sorted(p.name for p in (store.directory / "failed").iterdir())
    assert aside == ["00000000000000000001-x.json.unreadable", "00000000000000000002-y.json.unreadable"]
    assert store.resume("bh", 7) == []


def test_progress_round_trip_handover_and_earlier_stages(tmp_path: Path) -> None:
    progress = GenerationProgress(tmp_path, "k" * 32, 42)
    assert progress.load(2) == ([0, 0], None)
    handover = Handover("id1", "generated", "http://h/cb", {"nonces": [1]})
    progress.save([8, 16], handover)
    assert progress.load(2) == ([8, 16], handover)
    progress.save([8, 16])
    assert progress.load(2) == ([8, 16], None)
    assert progress.load(3) == ([0, 0, 0], None)  # another group layout: another sequence
    old = GenerationProgress(tmp_path, "o" * 32, 41)
    old.save([1])
    progress.drop_earlier_stages()
    assert not old.path.exists() and progress.path.exists()
    progress.path.write_text("{broken")
    assert progress.load(2) == ([0, 0], None)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the death is the point
def test_a_service_thread_survives_failing_steps_and_is_restarted_after_dying() -> None:
    calls: list[str] = []
    plan = iter(["fail", "ok", "die"])

    def step() -> None:
        action = next(plan, "idle")
        calls.append(action)
        if action == "fail":
            raise ValueError("bad input")
        if action == "die":
            raise SystemExit
        time.sleep(0.01)

    thread = ServiceThread("test-loop", step, pause=0.01)
    thread.start()
    deadline = time.monotonic() + 5
    while thread.alive and time.monotonic() < deadline:
        time.sleep(0.001)
    assert not thread.alive and thread.failures == 1 and calls[:3] == ["fail", "ok", "die"]
    assert thread.ensure_running() and thread.restarts == 1
    time.sleep(0.05)
    assert thread.healthy and calls[-1] == "idle"
    assert thread.stop(5) and not thread.ensure_running()
