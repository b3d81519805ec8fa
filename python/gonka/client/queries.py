"""The catalogue of node requests: each function returns a :class:`Call` (no I/O), run by a sync or async
client.

REST paths are the Cosmos SDK / inference module grpc-gateway routes (served under ``/chain-api/`` by a public
node), RPC paths are CometBFT's (``/chain-rpc/``), dapi paths are the API node's public ``/v1/`` routes.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from urllib.parse import quote

from gonka.client.errors import chain_error
from gonka.client.models import (
    Account,
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
    StakingPool,
    TallyResult,
    TokenomicsData,
    TxResult,
    Validator,
)
from gonka.client.transport import Call
from gonka.economics import params as econ
from gonka.errors import InvalidInput

INFERENCE = "/productscience/inference/inference"


def _segment(value: str | int, what: str) -> str:
    text = str(value).strip()
    if not text:
        raise InvalidInput(f"{what} must not be empty")
    return quote(text, safe="")


def _timestamp(text: str) -> datetime:
    # RFC 3339 with up to nanoseconds; Python keeps microseconds.
    from pydantic import TypeAdapter

    return TypeAdapter(datetime).validate_python(text)


def _non_negative(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{what} must be a non-negative integer, got {value!r}")
    return value


# --- accounts and bank ---


def account(address: str) -> Call[Account]:
    return Call(
        "rest",
        "GET",
        f"/cosmos/auth/v1beta1/accounts/{_segment(address, 'address')}",
        parse=Account.from_response,
    )


def balances(address: str) -> Call[list[CoinAmount]]:
    return Call(
        "rest",
        "GET",
        f"/cosmos/bank/v1beta1/balances/{_segment(address, 'address')}",
        params={"pagination.limit": "1000"},
        parse=lambda p: [CoinAmount.model_validate(c) for c in p["balances"]],
    )


# --- inference module and dapi ---


def participant(address: str) -> Call[Participant]:
    return Call(
        "rest",
        "GET",
        f"{INFERENCE}/participant/{_segment(address, 'participant address')}",
        parse=lambda p: Participant.model_validate(p["participant"]),
    )


def current_epoch() -> Call[int]:
    return Call("rest", "GET", f"{INFERENCE}/get_current_epoch", parse=lambda p: int(p["epoch"]))


def _epoch_segment(epoch: int | str) -> str:
    if epoch == "current":
        return "current"
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch <= 0:
        raise InvalidInput(f"epoch must be a positive integer or 'current', got {epoch!r}")
    return str(epoch)


def epoch_participants_raw(epoch: int | str = "current") -> Call[dict[str, Any]]:
    """The API node's participants answer as served (raw value, proof ops), for verification."""
    return Call("dapi", "GET", f"/v1/epochs/{_epoch_segment(epoch)}/participants", parse=_object)


def epoch_participants(epoch: int | str = "current") -> Call[EpochParticipants]:
    if isinstance(epoch, str):
        if epoch != "current":
            raise InvalidInput(f'epoch must be a non-negative integer or "current", got {epoch!r}')
    else:
        _non_negative(epoch, "epoch")
    return Call("dapi", "GET", f"/v1/epochs/{epoch}/participants", parse=EpochParticipants.from_response)


def epoch_performance(epoch_index: int, participant_address: str) -> Call[EpochPerformanceSummary]:
    path = (
        f"{INFERENCE}/epoch_performance_summary/{_non_negative(epoch_index, 'epoch index')}"
        f"/{_segment(participant_address, 'participant address')}"
    )
    return Call(
        "rest",
        "GET",
        path,
        parse=lambda p: EpochPerformanceSummary.model_validate(p["epochPerformanceSummary"]),
    )


def inference_params() -> Call[InferenceParams]:
    return Call(
        "rest", "GET", f"{INFERENCE}/params", parse=lambda p: InferenceParams.model_validate(p["params"])
    )


def epoch_info() -> Call[EpochInfo]:
    return Call("rest", "GET", f"{INFERENCE}/epoch_info", parse=EpochInfo.model_validate)


def tokenomics_data() -> Call[TokenomicsData]:
    return Call(
        "rest",
        "GET",
        f"{INFERENCE}/tokenomics_data",
        parse=lambda p: TokenomicsData.model_validate(p["tokenomics_data"]),
    )


def epoch_group_data(epoch_index: int) -> Call[EpochGroupData]:
    """The root (all-models) group data of an epoch."""
    return Call(
        "rest",
        "GET",
        f"{INFERENCE}/epoch_group_data/{_non_negative(epoch_index, 'epoch index')}",
        parse=lambda p: EpochGroupData.model_validate(p["epoch_group_data"]),
    )


# --- governance ---


def proposal(proposal_id: int) -> Call[Proposal]:
    pid = _non_negative(proposal_id, "proposal id")
    return Call(
        "rest",
        "GET",
        f"/cosmos/gov/v1/proposals/{pid}",
        parse=lambda p: Proposal.model_validate(p["proposal"]),
    )


def tally(proposal_id: int) -> Call[TallyResult]:
    pid = _non_negative(proposal_id, "proposal id")
    return Call(
        "rest",
        "GET",
        f"/cosmos/gov/v1/proposals/{pid}/tally",
        parse=lambda p: TallyResult.model_validate(p["tally"]),
    )


def tally_params() -> Call[econ.TallyParams]:
    def parse(p: dict[str, Any]) -> econ.TallyParams:
        # gov v1 answers with the full "params" (newer SDKs) and the legacy "tally_params" section.
        section = p.get("params") if isinstance(p.get("params"), dict) else p.get("tally_params")
        if not isinstance(section, dict):
            raise ValueError("no tally params in the answer")
        return econ.TallyParams.from_json(section)

    return Call("rest", "GET", "/cosmos/gov/v1/params/tallying", parse=parse)


# --- slashing and staking ---


def signing_info(consensus_address: str) -> Call[SigningInfo]:
    return Call(
        "rest",
        "GET",
        f"/cosmos/slashing/v1beta1/signing_infos/{_segment(consensus_address, 'consensus address')}",
        parse=lambda p: SigningInfo.model_validate(p["val_signing_info"]),
    )


def slashing_params() -> Call[SlashingParams]:
    return Call(
        "rest",
        "GET",
        "/cosmos/slashing/v1beta1/params",
        parse=lambda p: SlashingParams.model_validate(p["params"]),
    )


def validator(operator_address: str) -> Call[dict[str, Any]]:
    return Call(
        "rest",
        "GET",
        f"/cosmos/staking/v1beta1/validators/{_segment(operator_address, 'validator operator address')}",
        parse=lambda p: dict(p["validator"]),
    )


def staking_validator(operator_address: str) -> Call[Validator]:
    return Call(
        "rest",
        "GET",
        f"/cosmos/staking/v1beta1/validators/{_segment(operator_address, 'validator operator address')}",
        parse=lambda p: Validator.model_validate(p["validator"]),
    )


def validators_page(status: str, page_key: str | None, limit: int = 200) -> Call[tuple[list[Validator], str]]:
    """One page of validators with ``status`` (e.g. ``BOND_STATUS_BONDED``) and the next page's key."""
    params = {"status": status, "pagination.limit": str(limit)}
    if page_key:
        params["pagination.key"] = page_key

    def parse(p: dict[str, Any]) -> tuple[list[Validator], str]:
        page = [Validator.model_validate(v) for v in p["validators"]]
        return page, str((p.get("pagination") or {}).get("next_key") or "")

    return Call("rest", "GET", "/cosmos/staking/v1beta1/validators", params=params, parse=parse)


def staking_pool() -> Call[StakingPool]:
    return Call(
        "rest", "GET", "/cosmos/staking/v1beta1/pool", parse=lambda p: StakingPool.model_validate(p["pool"])
    )


def staking_params() -> Call[econ.StakingParams]:
    return Call(
        "rest",
        "GET",
        "/cosmos/staking/v1beta1/params",
        parse=lambda p: econ.StakingParams.from_json(p["params"]),
    )


# --- chain version ---


def applied_plan(name: str) -> Call[int]:
    """Height at which the upgrade plan ``name`` was applied (0: not applied)."""
    return Call(
        "rest",
        "GET",
        f"/cosmos/upgrade/v1beta1/applied_plan/{_segment(name, 'upgrade name')}",
        parse=lambda p: int(p.get("height") or 0),
    )


def node_version() -> Call[str]:
    """The node software's version string (``application_version.version``; may be empty)."""
    return Call(
        "rest",
        "GET",
        "/cosmos/base/tendermint/v1beta1/node_info",
        parse=lambda p: str((p.get("application_version") or {}).get("version") or ""),
    )


# --- CometBFT RPC ---


def node_status() -> Call[NodeStatus]:
    return Call("rpc", "GET", "/status", parse=NodeStatus.from_rpc)


def net_info() -> Call[NetInfo]:
    return Call("rpc", "GET", "/net_info", parse=NetInfo.from_rpc)


def block_time(height: int) -> Call[datetime]:
    """Time of block ``height`` (its header); :class:`HeightNotAvailable` when the node has pruned it."""
    h = _non_negative(height, "height")
    if h == 0:
        raise InvalidInput("block heights start at 1")
    return Call(
        "rpc",
        "GET",
        "/header",
        params={"height": str(h)},
        parse=lambda p: _timestamp(p["header"]["time"]),
    )


def genesis() -> Call[dict[str, Any]]:
    """The genesis document (CometBFT ``/genesis``; large ones need :func:`genesis_chunk`)."""
    return Call("rpc", "GET", "/genesis", parse=lambda p: dict(p["genesis"]))


def genesis_chunk(index: int) -> Call[tuple[bytes, int]]:
    """Chunk ``index`` of the genesis JSON and the number of chunks."""

    def parse(p: dict[str, Any]) -> tuple[bytes, int]:
        return base64.b64decode(p["data"], validate=True), int(p["total"])

    return Call("rpc", "GET", "/genesis_chunked", params={"chunk": str(index)}, parse=parse)


def store_value(store: str, key: bytes) -> Call[bytes | None]:
    """A raw value from a module store (``abci_query`` ``/store/<store>/key``); ``None`` if absent."""

    def parse(p: dict[str, Any]) -> bytes | None:
        response = p["response"]
        if int(response.get("code") or 0) != 0:
            raise chain_error(
                code=int(response["code"]),
                codespace=str(response.get("codespace") or ""),
                raw_log=str(response.get("log") or ""),
            )
        value = response.get("value")
        return base64.b64decode(value, validate=True) if value else None

    return Call(
        "rpc",
        "GET",
        "/abci_query",
        params={"path": f'"/store/{store}/key"', "data": "0x" + key.hex(), "prove": "false"},
        parse=parse,
    )


def _height(value: int, what: str = "height") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(f"{what} must be a positive integer, got {value!r}")
    return value


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise TypeError(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def commit(height: int) -> Call[dict[str, Any]]:
    """The signed header of ``height``: ``{"signed_header": {"header", "commit"}, "canonical"}``."""
    return Call("rpc", "GET", "/commit", params={"height": str(_height(height))}, parse=_object)


# CometBFT's largest page of /validators.
VALIDATORS_PER_PAGE = 100


def validators(height: int, page: int = 1) -> Call[dict[str, Any]]:
    """One page of the validator set of ``height``: ``{"block_height", "validators", "count", "total"}``."""
    return Call(
        "rpc",
        "GET",
        "/validators",
        params={
            "height": str(_height(height)),
            "page": str(_height(page, "page")),
            "per_page": str(VALIDATORS_PER_PAGE),
        },
        parse=_object,
    )


def tx_with_proof(txhash: str) -> Call[dict[str, Any]]:
    """A tx with its inclusion proof in its block's data (``/tx?hash=0x…&prove=true``)."""
    text = txhash.strip().removeprefix("0x").removeprefix("0X")
    if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise InvalidInput(f"a tx hash is 64 hex digits, got {txhash!r}")
    return Call("rpc", "GET", "/tx", params={"hash": "0x" + text.upper(), "prove": "true"}, parse=_object)


# --- txs ---


def _tx_bytes(raw: bytes) -> str:
    if not isinstance(raw, (bytes, bytearray)) or not raw:
        raise InvalidInput("tx must be non-empty TxRaw bytes")
    return base64.b64encode(bytes(raw)).decode()


def simulate(raw: bytes) -> Call[SimulateResult]:
    return Call(
        "rest",
        "POST",
        "/cosmos/tx/v1beta1/simulate",
        body={"tx_bytes": _tx_bytes(raw)},
        parse=lambda p: SimulateResult.model_validate(p["gas_info"]),
    )


def _checked_tx_response(payload: dict[str, Any]) -> TxResult:
    result = TxResult.model_validate(payload["tx_response"])
    if result.code != 0:
        raise chain_error(
            code=result.code, codespace=result.codespace, raw_log=result.raw_log, txhash=result.txhash
        )
    return result


def broadcast(raw: bytes) -> Call[TxResult]:
    """Broadcast in sync mode: the answer is CheckTx's; a non-zero code raises the matching
    :class:`ChainError`.
    """
    return Call(
        "rest",
        "POST",
        "/cosmos/tx/v1beta1/txs",
        body={"tx_bytes": _tx_bytes(raw), "mode": "BROADCAST_MODE_SYNC"},
        parse=_checked_tx_response,
        idempotent=False,
    )


def get_tx(txhash: str) -> Call[TxResult]:
    """An included tx; a failed one (non-zero code in its block) raises the matching :class:`ChainError`."""
    return Call(
        "rest",
        "GET",
        f"/cosmos/tx/v1beta1/txs/{_segment(txhash.upper(), 'tx hash')}",
        parse=_checked_tx_response,
    )
