"""Sync and async clients of a Gonka node's public API: Cosmos REST (``/chain-api/``), CometBFT RPC
(``/chain-rpc/``) and the dapi (``/v1/``).

Both clients expose the same methods; the async one's are coroutines. Requests and multi-step procedures live
in :mod:`gonka.client.queries` and :mod:`gonka.client.flows`, so the two differ only in how they do I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, overload

import httpx

from gonka.client import economics, flows, queries, verified
from gonka.client.economics import JailStatus, RewardOutlook, ScheduleNow, TallyNow, VoteWeight
from gonka.client.endpoints import InferenceEndpoint, endpoints_of
from gonka.client.flows import GasSettings, Prepared
from gonka.client.models import (
    Account,
    ChainRelease,
    CoinAmount,
    EpochGroupData,
    EpochInfo,
    EpochParticipants,
    EpochPerformanceSummary,
    InferenceParams,
    NetInfo,
    NodeStatus,
    Participant,
    Proposal,
    SigningInfo,
    SimulateResult,
    SlashingParams,
    TallyResult,
    TokenomicsData,
    TxResult,
    Validator,
    ValidatorSigning,
)
from gonka.client.signing import TxSpec, resolve_signing_target
from gonka.client.transport import AsyncTransport, Endpoints, Flow, RetryPolicy, SyncTransport
from gonka.client.verified import Trust
from gonka.economics import params as econ
from gonka.economics.release import Release
from gonka.proofs import ParticipantSet, TrustOptions, TxInclusion, VerifiedHeader, VerifiedParticipants

DEFAULT_TIMEOUT = 10.0


class _Base:
    def __init__(
        self,
        node_url: str | None,
        *,
        rest_url: str | None,
        rpc_url: str | None,
        dapi_url: str | None,
        chain_id: str | None,
        retries: int,
        backoff: float,
    ) -> None:
        self.endpoints = Endpoints.for_node(node_url, rest_url=rest_url, rpc_url=rpc_url, dapi_url=dapi_url)
        self.retry = RetryPolicy(attempts=max(1, retries), backoff=backoff)
        self._chain_id = chain_id

    # The tx procedures are generators shared by both clients; each client only drives them.

    @staticmethod
    def _prepare_flow(
        chain_id: str,
        messages: Sequence[Any],
        key: Any,
        gas: GasSettings | None,
        memo: str,
        fee_granter: str | None,
        unordered: bool,
        timeout_duration: float,
    ) -> Flow[Prepared]:
        tx = TxSpec(messages, key, chain_id, memo, fee_granter, unordered, timeout_duration)
        return flows.prepare_flow(tx.address, tx.sign, gas or GasSettings(), unordered=unordered)

    @staticmethod
    def _send_flow(
        chain_id: str,
        messages: Sequence[Any],
        key: Any,
        gas: GasSettings | None,
        memo: str,
        fee_granter: str | None,
        unordered: bool,
        timeout_duration: float,
        wait: bool,
        wait_timeout: float,
        poll_interval: float,
    ) -> Flow[TxResult]:
        tx = TxSpec(messages, key, chain_id, memo, fee_granter, unordered, timeout_duration)
        return flows.send_flow(
            tx.address,
            tx.sign,
            gas or GasSettings(),
            unordered=unordered,
            wait=wait,
            wait_timeout=wait_timeout,
            poll_interval=poll_interval,
        )


class Client(_Base):
    """Blocking client. ``node_url`` defaults to ``$GONKA_NODE_URL``, then ``http://node2.gonka.ai:8000``.

    >>> with Client("http://node2.gonka.ai:8000") as c:          # doctest: +SKIP
    ...     c.tally(12).yes_ratio
    """

    def __init__(
        self,
        node_url: str | None = None,
        *,
        rest_url: str | None = None,
        rpc_url: str | None = None,
        dapi_url: str | None = None,
        chain_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.25,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            node_url,
            rest_url=rest_url,
            rpc_url=rpc_url,
            dapi_url=dapi_url,
            chain_id=chain_id,
            retries=retries,
            backoff=backoff,
        )
        self._t = SyncTransport(self.endpoints, timeout=timeout, retry=self.retry, http=http)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._t.close()

    # --- queries ---

    def account(self, address: str) -> Account:
        return self._t.drive(flows.account_flow(address))

    def balances(self, address: str) -> list[CoinAmount]:
        return self._t.run(queries.balances(address))

    def participant(self, address: str) -> Participant:
        return self._t.run(queries.participant(address))

    def current_epoch(self) -> int:
        return self._t.run(queries.current_epoch())

    def epoch_participants(self, epoch: int | str = "current") -> EpochParticipants:
        return self._t.run(queries.epoch_participants(epoch))

    def epoch_performance(self, epoch_index: int, participant: str) -> EpochPerformanceSummary:
        return self._t.run(queries.epoch_performance(epoch_index, participant))

    # --- verified reads ---

    @overload
    def participants(
        self,
        epoch: int | Literal["current"] = ...,
        *,
        verify: Literal[True] = ...,
        trust: Trust = ...,
        options: TrustOptions | None = ...,
        now: datetime | float | None = ...,
    ) -> VerifiedParticipants: ...
    @overload
    def participants(
        self,
        epoch: int | Literal["current"] = ...,
        *,
        verify: Literal[False],
        trust: Trust = ...,
        options: TrustOptions | None = ...,
        now: datetime | float | None = ...,
    ) -> ParticipantSet: ...
    def participants(
        self,
        epoch: int | Literal["current"] = "current",
        *,
        verify: bool = True,
        trust: Trust = None,
        options: TrustOptions | None = None,
        now: datetime | float | None = None,
    ) -> VerifiedParticipants | ParticipantSet:
        """An epoch's participant set. With ``verify`` (the default) it is proven under the app hash of
        header ``H+1``, which the light client verifies from ``trust`` (the mainnet genesis unless a
        ``HEIGHT:HASH`` checkpoint or a :class:`~gonka.proofs.TrustedState` is given); any failure raises
        a :class:`~gonka.errors.ProofError` subclass naming the check. Without, the served bytes are only
        decoded.
        """
        if not verify:
            return self._t.drive(verified.unverified_participants_flow(epoch))
        return self._t.drive(
            verified.participants_flow(epoch, trust=trust, now=now, options=options or TrustOptions())
        )

    def verified_header(
        self,
        height: int,
        *,
        trust: Trust = None,
        options: TrustOptions | None = None,
        now: datetime | float | None = None,
    ) -> VerifiedHeader:
        """The header of ``height``, verified by the light client from ``trust``."""
        return self._t.drive(
            verified.header_flow(height, trust=trust, now=now, options=options or TrustOptions())
        )

    def verify_tx(
        self,
        txhash: str,
        *,
        trust: Trust = None,
        options: TrustOptions | None = None,
        now: datetime | float | None = None,
    ) -> TxInclusion:
        """Prove that tx ``txhash`` is in a block whose header the light client verified from ``trust``."""
        return self._t.drive(
            verified.tx_flow(txhash, trust=trust, now=now, options=options or TrustOptions())
        )

    def inference_endpoints(
        self,
        epoch: int | Literal["current"] = "current",
        *,
        model: str | None = None,
        verify: bool = False,
        trust: Trust = None,
        options: TrustOptions | None = None,
    ) -> list[InferenceEndpoint]:
        """Where the epoch's participants serve inference (serving ``model`` when given), heaviest first.
        With ``verify`` the list comes from the verified participant set.
        """
        if verify:
            found = self.participants(epoch, trust=trust, options=options)
            return endpoints_of(found.participants, model)
        return endpoints_of(self.participants(epoch, verify=False).participants, model)

    def inference_params(self) -> InferenceParams:
        return self._t.run(queries.inference_params())

    def proposal(self, proposal_id: int) -> Proposal:
        return self._t.run(queries.proposal(proposal_id))

    def tally(self, proposal_id: int) -> TallyResult:
        return self._t.run(queries.tally(proposal_id))

    def signing_info(self, consensus_address: str) -> SigningInfo:
        return self._t.run(queries.signing_info(consensus_address))

    def slashing_params(self) -> SlashingParams:
        return self._t.run(queries.slashing_params())

    def validator_signing(self, address: str) -> ValidatorSigning:
        """Jailed? missed blocks in the window? ``address``: account (gonka1), operator
        (gonkavaloper1) or consensus (gonkavalcons1) address.
        """
        return self._t.drive(resolve_signing_target(address))

    # --- economics inputs ---

    def epoch_info(self) -> EpochInfo:
        return self._t.run(queries.epoch_info())

    def tokenomics_data(self) -> TokenomicsData:
        return self._t.run(queries.tokenomics_data())

    def epoch_group_data(self, epoch_index: int) -> EpochGroupData:
        return self._t.run(queries.epoch_group_data(epoch_index))

    def genesis_only_params(self) -> econ.GenesisOnlyParams:
        """Supply, power-cap and guardian values of the genesis file."""
        return self._t.drive(economics.genesis_only_params_flow())

    def tally_params(self) -> econ.TallyParams:
        return self._t.run(queries.tally_params())

    def staking_params(self) -> econ.StakingParams:
        return self._t.run(queries.staking_params())

    def staking_validator(self, operator_address: str) -> Validator:
        return self._t.run(queries.staking_validator(operator_address))

    def validators(self, status: str = "BOND_STATUS_BONDED") -> list[Validator]:
        return self._t.drive(economics.validators_flow(status))

    def missed_blocks(self, consensus_address: str, window: int) -> tuple[bool, ...] | None:
        """The validator's missed-block bitmap (slot i of the window), ``None`` if the node serves no raw
        store queries.
        """
        return self._t.drive(economics.missed_blocks_flow(consensus_address, window))

    def block_time(self, height: int) -> datetime:
        return self._t.run(queries.block_time(height))

    def chain_release(self) -> ChainRelease:
        """The chain's release (newest applied upgrade plan or node version)."""
        return self._t.drive(economics.chain_release_flow())

    # --- economics answers ---

    def epoch_schedule(self, *, sample: int = economics.DEFAULT_CLOCK_SAMPLE) -> ScheduleNow:
        return self._t.drive(economics.schedule_flow(sample))

    def vote_weight(self, address: str) -> VoteWeight:
        return self._t.drive(economics.vote_weight_flow(address))

    def jail_status(self, address: str, *, sample: int = economics.DEFAULT_CLOCK_SAMPLE) -> JailStatus:
        return self._t.drive(economics.jail_flow(address, sample))

    def tally_outlook(self, proposal_id: int) -> TallyNow:
        return self._t.drive(economics.tally_flow(proposal_id))

    def reward_outlook(
        self,
        first: int | None = None,
        last: int | None = None,
        *,
        address: str | None = None,
        release: Release | None = None,
    ) -> RewardOutlook:
        return self._t.drive(economics.reward_flow(first, last, address=address, release=release))

    def node_status(self) -> NodeStatus:
        return self._t.run(queries.node_status())

    def net_info(self) -> NetInfo:
        return self._t.run(queries.net_info())

    def chain_id(self) -> str:
        """The chain id given at construction, else the node's (``/status`` ``node_info.network``),
        cached.
        """
        if self._chain_id is None:
            self._chain_id = self.node_status().network
        return self._chain_id

    # --- txs ---

    def simulate(self, raw: bytes) -> SimulateResult:
        return self._t.run(queries.simulate(raw))

    def broadcast(self, raw: bytes) -> TxResult:
        return self._t.run(queries.broadcast(raw))

    def get_tx(self, txhash: str) -> TxResult:
        return self._t.run(queries.get_tx(txhash))

    def wait_for_tx(self, txhash: str, *, timeout: float = 60.0, poll_interval: float = 1.0) -> TxResult:
        return self._t.drive(flows.wait_flow(txhash, timeout=timeout, poll_interval=poll_interval))

    def prepare(
        self,
        messages: Sequence[Any],
        key: Any,
        *,
        gas: GasSettings | None = None,
        memo: str = "",
        fee_granter: str | None = None,
        unordered: bool = False,
        timeout_duration: float = 60.0,
        chain_id: str | None = None,
    ) -> Prepared:
        """Sign without sending (dry run): account number and sequence from the chain, gas simulated
        unless ``gas`` fixes it, fee from the chain's minimum gas price unless given.
        """
        chain = chain_id or self.chain_id()
        flow = self._prepare_flow(chain, messages, key, gas, memo, fee_granter, unordered, timeout_duration)
        return self._t.drive(flow)

    def send(
        self,
        messages: Sequence[Any],
        key: Any,
        *,
        gas: GasSettings | None = None,
        memo: str = "",
        fee_granter: str | None = None,
        unordered: bool = False,
        timeout_duration: float = 60.0,
        chain_id: str | None = None,
        wait: bool = True,
        wait_timeout: float = 60.0,
        poll_interval: float = 1.0,
    ) -> TxResult:
        """Sign ``messages`` with ``key``, broadcast (sync mode) and, with ``wait``, return the result
        once the tx is in a block (:class:`Timeout` after ``wait_timeout`` s). A sequence mismatch is
        retried once with the node's expected sequence; a tx failing in its block raises the matching
        :class:`ChainError`. ``unordered`` txs use sequence 0 and expire ``timeout_duration`` s (at
        most 600) after signing.
        """
        chain = chain_id or self.chain_id()
        flow = self._send_flow(
            chain,
            messages,
            key,
            gas,
            memo,
            fee_granter,
            unordered,
            timeout_duration,
            wait,
            wait_timeout,
            poll_interval,
        )
        return self._t.drive(flow)


class AsyncClient(_Base):
    """The :class:`Client` API as coroutines, over ``httpx.AsyncClient``."""

    def __init__(
        self,
        node_url: str | None = None,
        *,
        rest_url: str | None = None,
        rpc_url: str | None = None,
        dapi_url: str | None = None,
        chain_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.25,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            node_url,
            rest_url=rest_url,
            rpc_url=rpc_url,
            dapi_url=dapi_url,
            chain_id=chain_id,
            retries=retries,
            backoff=backoff,
        )
        self._t = AsyncTransport(self.endpoints, timeout=timeout, retry=self.retry, http=http)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._t.close()

    # --- queries ---

    async def account(self, address: str) -> Account:
        return await self._t.drive(flows.account_flow(address))

    async def balances(self, address: str) -> list[CoinAmount]:
        return await self._t.run(queries.balances(address))

    async def participant(self, address: str) -> Participant:
        return await self._t.run(queries.participant(address))

    async def current_epoch(self) -> int:
        return await self._t.run(queries.current_epoch())

    async def epoch_participants(self, epoch: int | str = "current") -> EpochParticipants:
        return await self._t.run(queries.epoch_participants(epoch))

    async def epoch_performance(self, epoch_index: int, participant: str) -> EpochPerformanceSummary:
        return await self._t.run(queries.epoch_performance(epoch_index, participant))

    # --- verified reads ---

    @overload
    async def participants(
        self,
        epoch: int | Literal["current"] = ...,
        *,
        verify: Literal[True] = ...,
        trust: Trust = ...,
        options: TrustOptions | None = ...,
        now: datetime | float | None = ...,
    ) -> VerifiedParticipants: ...
    @overload
    async def participants(
        self,
        epoch: int | Literal["current"] = ...,
        *,
        verify: Literal[False],
        trust: Trust = ...,
        options: TrustOptions | None = ...,
        now: datetime | float | None = ...,
    ) -> ParticipantSet: ...
    async def participants(
        self,
        epoch: int | Literal["current"] = "current",
        *,
        verify: bool = True,
        trust: Trust = None,
        options: TrustOptions | None = None,
        now: datetime | float | None = None,
    ) -> VerifiedParticipants | ParticipantSet:
        if not verify:
            return await self._t.drive(verified.unverified_participants_flow(epoch))
        return await self._t.drive(
            verified.participants_flow(epoch, trust=trust, now=now, options=options or TrustOptions())
        )

    async def verified_header(
        self,
        height: int,
        *,
        trust: Trust = None,
        options: TrustOptions | None = None,
        now: datetime | float | None = None,
    ) -> VerifiedHeader:
        return await self._t.drive(
            verified.header_flow(height, trust=trust, now=now, options=options or TrustOptions())
        )

    async def verify_tx(
        self,
        txhash: str,
        *,
        trust: Trust = None,
        options: TrustOptions | None = None,
        now: datetime | float | None = None,
    ) -> TxInclusion:
        return await self._t.drive(
            verified.tx_flow(txhash, trust=trust, now=now, options=options or TrustOptions())
        )

    async def inference_endpoints(
        self,
        epoch: int | Literal["current"] = "current",
        *,
        model: str | None = None,
        verify: bool = False,
        trust: Trust = None,
        options: TrustOptions | None = None,
    ) -> list[InferenceEndpoint]:
        if verify:
            found = await self.participants(epoch, trust=trust, options=options)
            return endpoints_of(found.participants, model)
        return endpoints_of((await self.participants(epoch, verify=False)).participants, model)

    async def inference_params(self) -> InferenceParams:
        return await self._t.run(queries.inference_params())

    async def proposal(self, proposal_id: int) -> Proposal:
        return await self._t.run(queries.proposal(proposal_id))

    async def tally(self, proposal_id: int) -> TallyResult:
        return await self._t.run(queries.tally(proposal_id))

    async def signing_info(self, consensus_address: str) -> SigningInfo:
        return await self._t.run(queries.signing_info(consensus_address))

    async def slashing_params(self) -> SlashingParams:
        return await self._t.run(queries.slashing_params())

    async def validator_signing(self, address: str) -> ValidatorSigning:
        return await self._t.drive(resolve_signing_target(address))

    # --- economics inputs ---

    async def epoch_info(self) -> EpochInfo:
        return await self._t.run(queries.epoch_info())

    async def tokenomics_data(self) -> TokenomicsData:
        return await self._t.run(queries.tokenomics_data())

    async def epoch_group_data(self, epoch_index: int) -> EpochGroupData:
        return await self._t.run(queries.epoch_group_data(epoch_index))

    async def genesis_only_params(self) -> econ.GenesisOnlyParams:
        return await self._t.drive(economics.genesis_only_params_flow())

    async def tally_params(self) -> econ.TallyParams:
        return await self._t.run(queries.tally_params())

    async def staking_params(self) -> econ.StakingParams:
        return await self._t.run(queries.staking_params())

    async def staking_validator(self, operator_address: str) -> Validator:
        return await self._t.run(queries.staking_validator(operator_address))

    async def validators(self, status: str = "BOND_STATUS_BONDED") -> list[Validator]:
        return await self._t.drive(economics.validators_flow(status))

    async def missed_blocks(self, consensus_address: str, window: int) -> tuple[bool, ...] | None:
        return await self._t.drive(economics.missed_blocks_flow(consensus_address, window))

    async def block_time(self, height: int) -> datetime:
        return await self._t.run(queries.block_time(height))

    async def chain_release(self) -> ChainRelease:
        return await self._t.drive(economics.chain_release_flow())

    # --- economics answers ---

    async def epoch_schedule(self, *, sample: int = economics.DEFAULT_CLOCK_SAMPLE) -> ScheduleNow:
        return await self._t.drive(economics.schedule_flow(sample))

    async def vote_weight(self, address: str) -> VoteWeight:
        return await self._t.drive(economics.vote_weight_flow(address))

    async def jail_status(self, address: str, *, sample: int = economics.DEFAULT_CLOCK_SAMPLE) -> JailStatus:
        return await self._t.drive(economics.jail_flow(address, sample))

    async def tally_outlook(self, proposal_id: int) -> TallyNow:
        return await self._t.drive(economics.tally_flow(proposal_id))

    async def reward_outlook(
        self,
        first: int | None = None,
        last: int | None = None,
        *,
        address: str | None = None,
        release: Release | None = None,
    ) -> RewardOutlook:
        return await self._t.drive(economics.reward_flow(first, last, address=address, release=release))

    async def node_status(self) -> NodeStatus:
        return await self._t.run(queries.node_status())

    async def net_info(self) -> NetInfo:
        return await self._t.run(queries.net_info())

    async def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = (await self.node_status()).network
        return self._chain_id

    # --- txs ---

    async def simulate(self, raw: bytes) -> SimulateResult:
        return await self._t.run(queries.simulate(raw))

    async def broadcast(self, raw: bytes) -> TxResult:
        return await self._t.run(queries.broadcast(raw))

    async def get_tx(self, txhash: str) -> TxResult:
        return await self._t.run(queries.get_tx(txhash))

    async def wait_for_tx(
        self, txhash: str, *, timeout: float = 60.0, poll_interval: float = 1.0
    ) -> TxResult:
        return await self._t.drive(flows.wait_flow(txhash, timeout=timeout, poll_interval=poll_interval))

    async def prepare(
        self,
        messages: Sequence[Any],
        key: Any,
        *,
        gas: GasSettings | None = None,
        memo: str = "",
        fee_granter: str | None = None,
        unordered: bool = False,
        timeout_duration: float = 60.0,
        chain_id: str | None = None,
    ) -> Prepared:
        chain = chain_id or await self.chain_id()
        flow = self._prepare_flow(chain, messages, key, gas, memo, fee_granter, unordered, timeout_duration)
        return await self._t.drive(flow)

    async def send(
        self,
        messages: Sequence[Any],
        key: Any,
        *,
        gas: GasSettings | None = None,
        memo: str = "",
        fee_granter: str | None = None,
        unordered: bool = False,
        timeout_duration: float = 60.0,
        chain_id: str | None = None,
        wait: bool = True,
        wait_timeout: float = 60.0,
        poll_interval: float = 1.0,
    ) -> TxResult:
        chain = chain_id or await self.chain_id()
        flow = self._send_flow(
            chain,
            messages,
            key,
            gas,
            memo,
            fee_granter,
            unordered,
            timeout_duration,
            wait,
            wait_timeout,
            poll_interval,
        )
        return await self._t.drive(flow)
