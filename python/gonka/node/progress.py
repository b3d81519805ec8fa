"""Generation progress on disk: how far each GPU group got through its nonce sequence for one PoC request.

A session resumes from here, so a node restarted in the middle of a PoC stage (or a session stopped and
started again with the same request) neither skips nor repeats a nonce. Progress is committed together with
the batch of valid nonces it produced, in three steps: (1) the new counts are written with the batch as a
*handover*, (2) the batch is spooled under the handover's id, (3) the handover is cleared. A crash before (1)
loses only uncommitted work, which the next session recomputes; a crash after it spools the handover again
under the same id, which the spool and the receiver's idempotency key turn into one delivery.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonka.node.logs import logger
from gonka.node.storage import DurableDirectory


@dataclass(frozen=True)
class Handover:
    """A batch committed with the progress it came from, on its way to the spool."""

    id: str
    kind: str
    url: str
    payload: dict[str, Any]


def progress_key(identity: dict[str, Any]) -> str:
    """A stable name for what determines a group's nonce sequence and which of its nonces are valid."""
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]


class GenerationProgress:
    """The committed counts (nonces consumed per group) of one PoC request, in ``directory``."""

    def __init__(self, directory: Path, key: str, block_height: int) -> None:
        self.store = DurableDirectory(Path(directory))
        self.key = key
        self.block_height = block_height
        self.path = self.store.path / f"{block_height:020d}-{key}.json"

    @property
    def error(self) -> str | None:
        return self.store.error

    def load(self, n_groups: int) -> tuple[list[int], Handover | None]:
        """The committed counts (zeros when there are none) and a pending handover, if any."""
        try:
            record = json.loads(self.path.read_text())
            counts = [int(c) for c in record["counts"]]
            if len(counts) != n_groups or any(c < 0 for c in counts):
                raise ValueError(f"counts {counts} do not fit {n_groups} groups")
            raw = record.get("handover")
            handover = (
                None if raw is None else Handover(raw["id"], raw["kind"], raw["url"], dict(raw["payload"]))
            )
        except FileNotFoundError:
            return [0] * n_groups, None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # Starting over repeats nonces the receiver may have; it never skips any.
            logger.error(
                "unreadable generation progress, starting over",
                extra={"file": str(self.path), "error": str(exc)},
            )
            return [0] * n_groups, None
        return counts, handover

    def save(self, counts: list[int], handover: Handover | None = None) -> None:
        """Commit ``counts`` (with ``handover``); :class:`StorageError` if it cannot be written."""
        record = {
            "key": self.key,
            "block_height": self.block_height,
            "counts": counts,
            "handover": None if handover is None else handover.__dict__,
        }
        self.store.write(self.path.name, json.dumps(record).encode())

    def drop_earlier_stages(self) -> None:
        """Remove the progress of earlier block heights: those stages are over."""
        for path in self.store.path.glob("*.json"):
            height = path.name.split("-", 1)[0]
            if height.isdigit() and int(height) < self.block_height:
                path.unlink(missing_ok=True)
