"""Account keys: gonka vs coincurve (libsecp256k1) and bip-utils, side by side in one run.

Groups: ``sign`` (ECDSA over SHA-256 of a 200-byte message), ``verify``, ``pubkey-parse`` and
``mnemonic-to-address`` (BIP 39 seed, BIP 32 path m/44'/1200'/0'/0/0, bech32 ``gonka1...``). The ratios
(peer time / gonka time, above 1 means gonka is faster) are printed at the end of the module.

Run with ``make bench`` (or ``pytest benches/test_bench_keys.py --benchmark-enable``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import coincurve
import pytest
from bip_utils import AtomAddrEncoder, Bip32Slip10Secp256k1, Bip39SeedGenerator
from gonka.keys import PrivateKey, PublicKey

SECRET = hashlib.sha256(b"gonka-bench-key").digest()
MESSAGE = bytes(range(200))
PHRASE = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PATH = "m/44'/1200'/0'/0/0"

OURS = PrivateKey.from_bytes(SECRET)
OURS_PUBLIC = OURS.public_key
OURS_SIG = OURS.sign(MESSAGE)
THEIRS = coincurve.PrivateKey(SECRET)
THEIRS_PUBLIC = THEIRS.public_key
THEIRS_SIG = THEIRS.sign(MESSAGE)  # DER, SHA-256: coincurve's own form
COMPRESSED = OURS_PUBLIC.compressed

_medians: dict[tuple[str, str], float] = {}


@pytest.fixture(scope="module", autouse=True)
def report_ratios(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not _medians:
        return
    lines = ["", "keys: peer median / gonka median (above 1: gonka faster)"]
    for (group, side), peer_time in sorted(_medians.items()):
        ours = _medians.get((group, "gonka"))
        if side != "gonka" and ours:
            lines.append(f"  {group:22s} {side:10s} {peer_time / ours:6.2f}x   (gonka {ours * 1e6:9.1f} us)")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def run(benchmark, group: str, side: str, func: Callable[[], object]) -> object:
    benchmark.group = group
    result = benchmark(func)
    if benchmark.stats is not None:
        _medians[(group, side)] = benchmark.stats.stats.median
    return result


def test_sign_gonka(benchmark) -> None:
    sig = run(benchmark, "sign", "gonka", lambda: OURS.sign(MESSAGE))
    assert sig == OURS_SIG


def test_sign_coincurve(benchmark) -> None:
    sig = run(benchmark, "sign", "coincurve", lambda: THEIRS.sign(MESSAGE))
    assert sig == THEIRS_SIG


def test_verify_gonka(benchmark) -> None:
    assert run(benchmark, "verify", "gonka", lambda: OURS_PUBLIC.verify(MESSAGE, OURS_SIG))


def test_verify_coincurve(benchmark) -> None:
    assert run(benchmark, "verify", "coincurve", lambda: THEIRS_PUBLIC.verify(THEIRS_SIG, MESSAGE))


def test_sign_verify_gonka(benchmark) -> None:
    assert run(benchmark, "sign+verify", "gonka", lambda: OURS_PUBLIC.verify(MESSAGE, OURS.sign(MESSAGE)))


def test_sign_verify_coincurve(benchmark) -> None:
    assert run(
        benchmark, "sign+verify", "coincurve", lambda: THEIRS_PUBLIC.verify(THEIRS.sign(MESSAGE), MESSAGE)
    )


def test_pubkey_parse_gonka(benchmark) -> None:
    assert run(benchmark, "pubkey-parse", "gonka", lambda: PublicKey.from_bytes(COMPRESSED)) == OURS_PUBLIC


def test_pubkey_parse_coincurve(benchmark) -> None:
    key = run(benchmark, "pubkey-parse", "coincurve", lambda: coincurve.PublicKey(COMPRESSED))
    assert key.format() == COMPRESSED


def gonka_mnemonic_to_address() -> str:
    return PrivateKey.from_mnemonic(PHRASE, path=PATH).public_key.address()


def bip_utils_mnemonic_to_address() -> str:
    seed = Bip39SeedGenerator(PHRASE).Generate("")
    public = Bip32Slip10Secp256k1.FromSeedAndPath(seed, PATH).PublicKey().RawCompressed().ToBytes()
    return AtomAddrEncoder.EncodeKey(public, hrp="gonka")


def test_mnemonic_to_address_gonka(benchmark) -> None:
    address = run(benchmark, "mnemonic-to-address", "gonka", gonka_mnemonic_to_address)
    assert address == bip_utils_mnemonic_to_address()


def test_mnemonic_to_address_bip_utils(benchmark) -> None:
    address = run(benchmark, "mnemonic-to-address", "bip-utils", bip_utils_mnemonic_to_address)
    assert address == gonka_mnemonic_to_address()
