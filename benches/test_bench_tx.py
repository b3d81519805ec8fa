"""Transactions: gonka vs cosmpy, side by side in one run.

Groups: ``msgsend-build-sign`` (build a MsgSend tx with fee, gas and memo, sign it SIGN_MODE_DIRECT
and serialize the TxRaw: the whole path a wallet runs per transaction), ``sign-only`` (the ECDSA
signature of the same sign doc: the floor of build+sign, so build+sign can be at most cosmpy's total
over this much faster), ``decode`` (TxRaw bytes to typed objects; gonka also checks every field and
builds the JSON form). Both sides sign with the same key, account number and sequence, and produce the same
bytes (checked below). The ratios (cosmpy time / gonka time, above 1 means gonka is faster; the goal
for build+sign is 20x) are printed at the end of the module.

Run with ``make bench`` (or ``pytest benches/test_bench_tx.py --benchmark-enable``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import pytest
from cosmpy.aerial.tx import SigningCfg, Transaction, TxFee
from cosmpy.crypto.keypairs import PrivateKey as CosmpyKey
from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend as CosmpyMsgSend
from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin as CosmpyCoin
from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import TxRaw as CosmpyTxRaw
from gonka.keys import PrivateKey
from gonka.tx import Coin, MsgSend, Tx, decode_tx

SECRET = hashlib.sha256(b"gonka-bench-key").digest()
OURS = PrivateKey.from_bytes(SECRET)
THEIRS = CosmpyKey(SECRET)
SENDER = OURS.public_key.address()
RECIPIENT = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
CHAIN, ACCOUNT, SEQUENCE = "gonka-mainnet", 7, 3

# (group, side) -> (min, median) seconds; the min is the steadiest on a shared machine.
_stats: dict[tuple[str, str], tuple[float, float]] = {}


def ours_build_sign() -> bytes:
    tx = Tx(
        [MsgSend(from_address=SENDER, to_address=RECIPIENT, amount=[Coin("ngonka", 1000)])],
        memo="bench",
        gas_limit=200000,
        fee=[Coin("ngonka", 2000)],
    )
    return tx.sign(OURS, chain_id=CHAIN, account_number=ACCOUNT, sequence=SEQUENCE)


def cosmpy_build_sign() -> bytes:
    tx = Transaction()
    tx.add_message(
        CosmpyMsgSend(
            from_address=SENDER, to_address=RECIPIENT, amount=[CosmpyCoin(denom="ngonka", amount="1000")]
        )
    )
    tx.seal(
        SigningCfg.direct(THEIRS.public_key, SEQUENCE),
        fee=TxFee(amount="2000ngonka", gas_limit=200000),
        memo="bench",
    )
    tx.sign(THEIRS, CHAIN, ACCOUNT, deterministic=True)
    tx.complete()
    return bytes(tx.tx.SerializeToString())


RAW = ours_build_sign()
SIGN_DOC = Tx(
    [MsgSend(from_address=SENDER, to_address=RECIPIENT, amount=[Coin("ngonka", 1000)])],
    memo="bench",
    gas_limit=200000,
    fee=[Coin("ngonka", 2000)],
).sign_doc_bytes(OURS.public_key, CHAIN, ACCOUNT, SEQUENCE)


def cosmpy_decode() -> object:
    raw = CosmpyTxRaw.FromString(RAW)
    from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import AuthInfo, TxBody

    body = TxBody.FromString(raw.body_bytes)
    msgs = [CosmpyMsgSend.FromString(m.value) for m in body.messages]
    return body, AuthInfo.FromString(raw.auth_info_bytes), msgs


def test_both_sides_produce_the_same_bytes() -> None:
    assert ours_build_sign() == cosmpy_build_sign()
    assert OURS.sign(SIGN_DOC) == THEIRS.sign(SIGN_DOC, deterministic=True)


@pytest.fixture(scope="module", autouse=True)
def report_ratios(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not _stats:
        return
    lines = [
        "",
        "tx: cosmpy time / gonka time, by min and by median (above 1: gonka faster; goal 20x for build+sign)",
    ]
    for (group, side), (peer_min, peer_median) in sorted(_stats.items()):
        ours = _stats.get((group, "gonka"))
        if side != "gonka" and ours:
            by_min, by_median = peer_min / ours[0], peer_median / ours[1]
            lines.append(
                f"  {group:20s} {side:8s} min {by_min:6.1f}x  median {by_median:6.1f}x"
                f"   (gonka min {ours[0] * 1e6:8.1f} us, median {ours[1] * 1e6:8.1f} us)"
            )
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def run(benchmark, group: str, side: str, func: Callable[[], object]) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = group
    benchmark(func)
    if benchmark.stats is not None:
        _stats[(group, side)] = (benchmark.stats.stats.min, benchmark.stats.stats.median)


def test_build_sign_gonka(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "msgsend-build-sign", "gonka", ours_build_sign)


def test_build_sign_cosmpy(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "msgsend-build-sign", "cosmpy", cosmpy_build_sign)


def test_sign_only_gonka(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "sign-only", "gonka", lambda: OURS.sign(SIGN_DOC))


def test_sign_only_cosmpy(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "sign-only", "cosmpy", lambda: THEIRS.sign(SIGN_DOC, deterministic=True))


def test_decode_gonka(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "decode", "gonka", lambda: decode_tx(RAW))


def test_decode_cosmpy(benchmark) -> None:  # type: ignore[no-untyped-def]
    run(benchmark, "decode", "cosmpy", cosmpy_decode)
