"""Client of the API node's admin API (``:9200/admin/v1/``; never exposed publicly, reach it on the host).

Lists the ML nodes the API node drives, enables/disables one (takes effect from the next PoC), and re-runs a
missed reward claim (``claim-reward/recover``: re-does missed validations, then sends MsgClaimRewards).
"""

from __future__ import annotations

import httpx

from gonka.client.models import AdminAck, AdminNode, ClaimRecoverResult
from gonka.client.queries import _non_negative, _segment
from gonka.client.transport import AsyncTransport, Call, Endpoints, RetryPolicy, SyncTransport

ADMIN_PREFIX = "/admin/v1"


def list_nodes() -> Call[list[AdminNode]]:
    return Call(
        "admin", "GET", f"{ADMIN_PREFIX}/nodes", parse=lambda p: [AdminNode.model_validate(n) for n in p]
    )


def set_node_enabled(node_id: str, enabled: bool) -> Call[AdminAck]:
    action = "enable" if enabled else "disable"
    return Call(
        "admin",
        "POST",
        f"{ADMIN_PREFIX}/nodes/{_segment(node_id, 'node id')}/{action}",
        parse=AdminAck.model_validate,
        idempotent=True,  # setting the same admin state twice is harmless
    )


def claim_recover(
    *, epoch_index: int = 0, force_claim: bool = False, seed: int | None = None
) -> Call[ClaimRecoverResult]:
    """``epoch_index`` 0 = the previous epoch (the API node's default)."""
    body: dict[str, object] = {
        "force_claim": bool(force_claim),
        "epoch_index": _non_negative(epoch_index, "epoch index"),
    }
    if seed is not None:
        body["seed"] = int(seed)
    return Call(
        "admin",
        "POST",
        f"{ADMIN_PREFIX}/claim-reward/recover",
        body=body,
        parse=ClaimRecoverResult.model_validate,
        idempotent=False,
    )


class AdminClient:
    """Blocking admin client. ``admin_url`` defaults to ``$GONKA_ADMIN_URL``, then
    ``http://localhost:9200``.
    """

    def __init__(
        self,
        admin_url: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        http: httpx.Client | None = None,
    ) -> None:
        self.endpoints = Endpoints.for_admin(admin_url)
        self._t = SyncTransport(
            self.endpoints, timeout=timeout, retry=RetryPolicy(attempts=max(1, retries)), http=http
        )

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._t.close()

    def nodes(self) -> list[AdminNode]:
        return self._t.run(list_nodes())

    def enable_node(self, node_id: str) -> AdminAck:
        return self._t.run(set_node_enabled(node_id, True))

    def disable_node(self, node_id: str) -> AdminAck:
        return self._t.run(set_node_enabled(node_id, False))

    def claim_recover(
        self, *, epoch_index: int = 0, force_claim: bool = False, seed: int | None = None
    ) -> ClaimRecoverResult:
        return self._t.run(claim_recover(epoch_index=epoch_index, force_claim=force_claim, seed=seed))


class AsyncAdminClient:
    """The :class:`AdminClient` API as coroutines."""

    def __init__(
        self,
        admin_url: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.endpoints = Endpoints.for_admin(admin_url)
        self._t = AsyncTransport(
            self.endpoints, timeout=timeout, retry=RetryPolicy(attempts=max(1, retries)), http=http
        )

    async def __aenter__(self) -> AsyncAdminClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._t.close()

    async def nodes(self) -> list[AdminNode]:
        return await self._t.run(list_nodes())

    async def enable_node(self, node_id: str) -> AdminAck:
        return await self._t.run(set_node_enabled(node_id, True))

    async def disable_node(self, node_id: str) -> AdminAck:
        return await self._t.run(set_node_enabled(node_id, False))

    async def claim_recover(
        self, *, epoch_index: int = 0, force_claim: bool = False, seed: int | None = None
    ) -> ClaimRecoverResult:
        return await self._t.run(claim_recover(epoch_index=epoch_index, force_claim=force_claim, seed=seed))
