"""`gonka tx`: build, sign and broadcast the txs a host needs (vote, unjail, register, grants, claim).

Keys never come from the command line: ``--from NAME`` reads the Cosmos SDK file keyring that ``inferenced``
writes (passphrase from $KEYRING_PASSWORD or a hidden prompt), ``--mnemonic-file`` reads a mnemonic from a
file, and ``--mnemonic`` asks for it at a hidden prompt.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gonka.cli._chain import (
    DEFAULT_NODE,
    NodeOption,
    TimeoutOption,
    console,
    field_table,
    node_client,
    reported_errors,
    to_jsonable,
)
from gonka.client import GasSettings, TxResult
from gonka.errors import InvalidInput

app = typer.Typer(help="Build, sign and broadcast transactions.", no_args_is_help=True)

DEFAULT_HOME = "~/.inference"
HOME_ENV = "INFERENCED_HOME"
PASSWORD_ENV = "KEYRING_PASSWORD"


# --- keys ---


def load_key(from_name: str | None, home: str, mnemonic_file: Path | None, mnemonic_prompt: bool) -> Any:
    """The signing key from exactly one source: keyring, mnemonic file, or hidden prompt."""
    from gonka.keys import PrivateKey

    chosen = [
        s
        for s, on in (
            ("--from", from_name),
            ("--mnemonic-file", mnemonic_file),
            ("--mnemonic", mnemonic_prompt),
        )
        if on
    ]
    if len(chosen) != 1:
        raise typer.BadParameter(
            "choose exactly one key source: --from NAME (file keyring), --mnemonic-file PATH "
            "or --mnemonic (prompt)" + (f"; got {', '.join(chosen)}" if chosen else "")
        )
    if from_name:
        from gonka.keyring import FileKeyring

        password = os.environ.get(PASSWORD_ENV) or typer.prompt("Keyring passphrase", hide_input=True)
        return FileKeyring(home, password).private_key(from_name)
    if mnemonic_file is not None:
        words = mnemonic_file.read_text()
    else:
        words = typer.prompt("Mnemonic", hide_input=True)
    return PrivateKey.from_mnemonic(" ".join(words.split()))


# --- options shared by every tx command ---

_P = inspect.Parameter


def _opt(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return _P(name, _P.KEYWORD_ONLY, annotation=annotation, default=default)


COMMON = [
    _opt(
        "from_name",
        Annotated[
            str | None, typer.Option("--from", help="Key name (or its gonka1 address) in the file keyring.")
        ],
        None,
    ),
    _opt(
        "home",
        Annotated[
            str, typer.Option("--home", envvar=HOME_ENV, help="inferenced home holding keyring-file/.")
        ],
        DEFAULT_HOME,
    ),
    _opt(
        "mnemonic_file",
        Annotated[
            Path | None,
            typer.Option("--mnemonic-file", exists=True, dir_okay=False, help="File with the mnemonic."),
        ],
        None,
    ),
    _opt(
        "mnemonic", Annotated[bool, typer.Option("--mnemonic", help="Ask for the mnemonic (hidden).")], False
    ),
    _opt("node", NodeOption, DEFAULT_NODE),
    _opt(
        "chain_id",
        Annotated[str | None, typer.Option("--chain-id", help="Default: the node's chain id.")],
        None,
    ),
    _opt("gas", Annotated[str, typer.Option("--gas", help="Gas limit, or 'auto' to simulate.")], "auto"),
    _opt(
        "gas_adjustment",
        Annotated[float, typer.Option("--gas-adjustment", min=1.0, help="Multiplier on simulated gas.")],
        1.5,
    ),
    _opt(
        "fees",
        Annotated[
            int | None, typer.Option("--fees", min=0, help="Fee in ngonka (default: gas x min gas price).")
        ],
        None,
    ),
    _opt(
        "fee_granter",
        Annotated[str | None, typer.Option("--fee-granter", help="Account paying the fee.")],
        None,
    ),
    _opt("memo", Annotated[str, typer.Option("--memo", help="Tx memo.")], ""),
    _opt(
        "unordered",
        Annotated[
            bool,
            typer.Option("--unordered", help="Unordered tx (sequence 0, expires after --timeout-duration)."),
        ],
        False,
    ),
    _opt(
        "timeout_duration",
        Annotated[
            float,
            typer.Option("--timeout-duration", min=1, max=600, help="Seconds an unordered tx stays valid."),
        ],
        60.0,
    ),
    _opt(
        "dry_run",
        Annotated[bool, typer.Option("--dry-run", help="Print the signed, decoded tx; do not send.")],
        False,
    ),
    _opt(
        "wait",
        Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until the tx is in a block.")],
        True,
    ),
    _opt(
        "wait_timeout",
        Annotated[float, typer.Option("--wait-timeout", min=1, help="Seconds to wait for inclusion.")],
        60.0,
    ),
    _opt("timeout", TimeoutOption, 10.0),
    _opt("as_json", Annotated[bool, typer.Option("--json", help="Print the result as JSON.")], False),
]
COMMON_NAMES = [p.name for p in COMMON]


def _gas(text: str, adjustment: float, fees: int | None) -> GasSettings:
    if text == "auto":
        return GasSettings(gas=None, gas_adjustment=adjustment, fee=fees)
    if not text.isdigit() or int(text) <= 0:
        raise typer.BadParameter(f"--gas must be a positive integer or 'auto', got {text!r}")
    return GasSettings(gas=int(text), gas_adjustment=adjustment, fee=fees)


def _print_result(result: TxResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(to_jsonable(result), indent=2))
        return
    rows = [("txhash", result.txhash), ("code", result.code)]
    if result.included:
        rows += [("height", result.height), ("gas used / wanted", f"{result.gas_used} / {result.gas_wanted}")]
    else:
        rows.append(("status", "accepted into the mempool (not waited for)"))
    console.print(field_table("Transaction", rows))


def _print_dry_run(prepared: Any, as_json: bool) -> None:
    from gonka.tx import decode_tx

    decoded = decode_tx(prepared.raw)
    summary = {
        "txhash": decoded.hash,
        "account_number": prepared.account.account_number,
        "sequence": prepared.sequence,
        "gas_limit": prepared.gas_limit,
        "fee_ngonka": prepared.fee,
        "tx": decoded.json,
    }
    if not as_json:
        console.print("[bold]dry run[/bold]: signed, not sent", markup=True)
    typer.echo(json.dumps(to_jsonable(summary), indent=2))


BuildFn = Callable[..., list[Any]]


def tx_command(name: str) -> Callable[[BuildFn], BuildFn]:
    """Register ``build(signer_address, client, **own) -> messages`` as ``gonka tx NAME`` with the common
    options.
    """

    def register(build: BuildFn) -> BuildFn:
        own = [
            p
            for p in inspect.signature(build, eval_str=True).parameters.values()
            if p.name not in ("signer", "client")
        ]

        def command(**kwargs: Any) -> None:
            common = {n: kwargs.pop(n) for n in COMMON_NAMES}
            _run(build, kwargs, **common)

        command.__signature__ = inspect.Signature(own + COMMON)  # type: ignore[attr-defined]
        command.__doc__ = build.__doc__
        command.__name__ = build.__name__
        app.command(name)(command)
        return build

    return register


def _run(
    build: BuildFn,
    own: dict[str, Any],
    *,
    from_name: str | None,
    home: str,
    mnemonic_file: Path | None,
    mnemonic: bool,
    node: str,
    chain_id: str | None,
    gas: str,
    gas_adjustment: float,
    fees: int | None,
    fee_granter: str | None,
    memo: str,
    unordered: bool,
    timeout_duration: float,
    dry_run: bool,
    wait: bool,
    wait_timeout: float,
    timeout: float,
    as_json: bool,
) -> None:
    settings = _gas(gas, gas_adjustment, fees)
    with reported_errors():
        key = load_key(from_name, home, mnemonic_file, mnemonic)
    with node_client(node, timeout) as client:
        try:
            messages = build(signer=key.public_key.address(), client=client, **own)
        except InvalidInput as e:
            raise typer.BadParameter(str(e)) from None
        spec: dict[str, Any] = {
            "memo": memo,
            "fee_granter": fee_granter,
            "unordered": unordered,
            "timeout_duration": timeout_duration,
            "chain_id": chain_id,
        }
        if dry_run:
            prepared = client.prepare(messages, key, gas=settings, **spec)
            _print_dry_run(prepared, as_json)
            return
        result = client.send(messages, key, gas=settings, wait=wait, wait_timeout=wait_timeout, **spec)
    _print_result(result, as_json)


# --- commands ---


@tx_command("vote")
def vote(
    proposal_id: Annotated[int, typer.Argument(min=0, help="Governance proposal id.")],
    option: Annotated[str, typer.Argument(help="yes | no | no_with_veto | abstain")],
    *,
    signer: str,
    client: Any,
) -> list[Any]:
    """Vote on a governance proposal (gov v1 MsgVote; weight = the signer's PoC weight)."""
    from gonka.tx import MsgVote

    return [MsgVote(proposal_id=proposal_id, voter=signer, option=option.strip().lower().replace("-", "_"))]


@tx_command("unjail")
def unjail(*, signer: str, client: Any) -> list[Any]:
    """Unjail the signer's validator after its jail time (MsgUnjail, signed by the cold account key)."""
    from gonka.address import to_valoper
    from gonka.tx import MsgUnjail

    return [MsgUnjail(validator_addr=to_valoper(signer))]


@tx_command("register")
def register(
    url: Annotated[str, typer.Argument(help="Public API URL of the host, e.g. http://203.0.113.7:8000.")],
    validator_key: Annotated[
        str, typer.Option("--validator-key", help="base64 ed25519 consensus public key (tmkms).")
    ] = "",
    worker_key: Annotated[str, typer.Option("--worker-key", help="Worker public key (optional).")] = "",
    *,
    signer: str,
    client: Any,
) -> list[Any]:
    """Register the signer as a participant, or update its URL / validator key / worker key
    (MsgSubmitNewParticipant: only non-empty fields change an existing participant).
    """
    from gonka.tx import MsgSubmitNewParticipant

    return [
        MsgSubmitNewParticipant(creator=signer, url=url, validator_key=validator_key, worker_key=worker_key)
    ]


@tx_command("claim")
def claim(
    epoch_index: Annotated[int, typer.Option("--epoch", min=0, help="Epoch whose rewards to claim.")],
    seed: Annotated[int, typer.Option("--seed", help="The seed revealed for that epoch (int64).")],
    *,
    signer: str,
    client: Any,
) -> list[Any]:
    """Claim an epoch's rewards (MsgClaimRewards) by revealing the epoch's seed."""
    from gonka.tx import MsgClaimRewards

    return [MsgClaimRewards(creator=signer, seed=seed, epoch_index=epoch_index)]


@tx_command("grant-ml-ops")
def grant_ml_ops(
    warm_address: Annotated[str, typer.Argument(help="Address of the ML operational (warm) key, gonka1...")],
    permissions: Annotated[
        str, typer.Option("--permissions", help="Message list: 'v0.2.13' (current) or 'launch' (genesis).")
    ] = "v0.2.13",
    fee_allowance: Annotated[
        bool | None,
        typer.Option(
            "--fee-allowance/--no-fee-allowance",
            help="Add a 10 GNK feegrant allowance (default: with the current list only).",
        ),
    ] = None,
    *,
    signer: str,
    client: Any,
) -> list[Any]:
    """Let the warm key act for the cold account: one authz grant per ML-ops message type (1 year)."""
    from gonka.tx import grant_ml_ops_messages

    # an unknown set name is rejected by grant_ml_ops_messages (InvalidInput -> usage error)
    chosen: Any = permissions
    return grant_ml_ops_messages(signer, warm_address, permissions=chosen, fee_allowance=fee_allowance)
