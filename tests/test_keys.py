"""Account keys through the public API: mnemonics, derivation, signing, verification, secrecy."""

import base64
import hashlib

import pytest
from gonka.errors import GonkaError, InvalidInput, InvalidKey, InvalidMnemonic, InvalidSignature
from gonka.keys import DEFAULT_PATH, Mnemonic, PrivateKey, PublicKey, hd_path
from hypothesis import given, settings
from hypothesis import strategies as st

ABOUT = "abandon " * 11 + "about"
# protocol spec §8.2: priv = SHA256("gonka-spec-test-key")
SPEC_PRIV = hashlib.sha256(b"gonka-spec-test-key").digest()
SPEC_PUB = "025819a361c86a64a01976b6ececdaaa3291264fe218595f04a76332a25a76d512"
SPEC_ADDR = "gonka1ranggd0eh4n2mr5jaa5nk2y9707gxqvlrle92l"
# protocol spec §1: a real network public key and its addresses
NETWORK_PUB_B64 = "A/EHY6CWbAH8evT5gRDSJdsTMmtQQLQspeRT32La8cX8"
NETWORK_ACCOUNT = "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le"
NETWORK_VALOPER = "gonkavaloper1y2a9p56kv044327uycmqdexl7zs82fs5lyang5"


def test_default_path_is_coin_type_1200() -> None:
    assert DEFAULT_PATH == "m/44'/1200'/0'/0/0"
    assert hd_path() == DEFAULT_PATH
    assert hd_path(5, account=2) == "m/44'/1200'/2'/0/5"
    with pytest.raises(InvalidInput):
        hd_path(2**31)


@pytest.mark.parametrize("words", [12, 15, 18, 21, 24])
def test_generated_mnemonics_are_valid_and_fresh(words: int) -> None:
    first, second = Mnemonic.generate(words=words), Mnemonic.generate(words=words)
    assert first.word_count == words == len(first.phrase.split())
    assert Mnemonic(first.phrase) == first
    assert first != second
    assert len(first.entropy) == words * 4 // 3


def test_mnemonic_generate_defaults_to_24_words() -> None:
    assert Mnemonic.generate().word_count == 24
    with pytest.raises(InvalidMnemonic, match="12, 15, 18, 21 or 24"):
        Mnemonic.generate(words=13)


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        (ABOUT.replace("about", "abuot"), 'word 12 "abuot"'),
        ("abandonn " + "abandon " * 10 + "about", 'did you mean "abandon"'),
        ("abandon " * 12, "checksum"),
        ("abandon about", "got 2"),
        ("", "got 0"),
    ],
)
def test_invalid_mnemonic_names_the_problem(phrase: str, message: str) -> None:
    with pytest.raises(InvalidMnemonic, match=message):
        Mnemonic(phrase)


def test_mnemonic_forgives_case_and_whitespace() -> None:
    messy = "  " + ABOUT.upper().replace(" ", " \t\n ") + "\n"
    assert Mnemonic(messy) == Mnemonic(ABOUT)
    assert Mnemonic(messy).phrase == ABOUT


def test_mnemonic_repr_hides_the_words() -> None:
    mnemonic = Mnemonic.generate(12)
    assert repr(mnemonic) == "Mnemonic(<12 words>)"
    assert all(word not in repr(mnemonic) for word in mnemonic.phrase.split())


def test_seed_depends_on_passphrase() -> None:
    mnemonic = Mnemonic(ABOUT)
    assert len(mnemonic.to_seed()) == 64
    assert mnemonic.to_seed() != mnemonic.to_seed("x")
    assert mnemonic.to_seed("x") == Mnemonic(ABOUT).to_seed(passphrase="x")


def test_from_mnemonic_accepts_phrase_or_mnemonic_and_honours_path() -> None:
    by_phrase = PrivateKey.from_mnemonic(ABOUT)
    assert by_phrase == PrivateKey.from_mnemonic(Mnemonic(ABOUT))
    assert by_phrase == Mnemonic(ABOUT).to_private_key()
    assert by_phrase == PrivateKey.from_seed(Mnemonic(ABOUT).to_seed(), DEFAULT_PATH)
    assert by_phrase != PrivateKey.from_mnemonic(ABOUT, path=hd_path(1))
    assert by_phrase != PrivateKey.from_mnemonic(ABOUT, passphrase="p")
    assert by_phrase != PrivateKey.from_mnemonic(ABOUT, path="m/44'/118'/0'/0/0")


@pytest.mark.parametrize("path", ["44'/1200'", "m/x", "m/2147483648", "m//0"])
def test_bad_paths_are_rejected(path: str) -> None:
    with pytest.raises(InvalidInput, match="invalid derivation path"):
        PrivateKey.from_mnemonic(ABOUT, path=path)


def test_bad_mnemonic_in_from_mnemonic_raises() -> None:
    with pytest.raises(InvalidMnemonic):
        PrivateKey.from_mnemonic(ABOUT.replace("about", "zzz"))


def test_spec_test_key_public_key_and_address() -> None:
    key = PrivateKey.from_bytes(SPEC_PRIV)
    assert key.to_bytes() == SPEC_PRIV
    assert PrivateKey.from_hex(SPEC_PRIV.hex()) == key
    assert PrivateKey.from_hex("0x" + SPEC_PRIV.hex().upper()) == key
    assert key.to_hex() == SPEC_PRIV.hex()
    public = key.public_key
    assert public.compressed.hex() == SPEC_PUB
    assert len(public.compressed) == 33
    assert public.address() == key.address() == SPEC_ADDR


def test_spec_inference_signatures_are_rfc6979() -> None:
    """protocol spec §8.3: signatures of the same key, reproduced byte for byte."""
    key = PrivateKey.from_bytes(SPEC_PRIV)
    body = (
        b'{"model":"Qwen/Qwen3-235B-A22B-Instruct-2507-FP8",'
        b'"messages":[{"role":"user","content":"Hello"}],"max_tokens":64}'
    )
    body_hash = hashlib.sha256(body).hexdigest()
    assert body_hash == "379a2a74f372d233c4e00be89aef87998003cc9afc2e99c251564a1e7b37df6a"
    phase3 = (body_hash + "1760000000123456789" + NETWORK_ACCOUNT).encode()
    assert base64.b64encode(key.sign(phase3)).decode() == (
        "am696kcTRhl4Z7hoG+w1K5RVbB2eB49DuCAlc7uDsO8P2L1FsTr4YFX8dHhNYvFoXdLVT2GUSsUW9rcaOpW1MA=="
    )
    legacy = body + b"1760000000123456789" + NETWORK_ACCOUNT.encode()
    assert hashlib.sha256(legacy).hexdigest() == (
        "838d3b474eb9313201531a07c29cb8d6a7039109e12a4b9c2967730189b0175e"
    )
    assert base64.b64encode(key.sign(legacy)).decode() == (
        "U4GZ6yU/eTCIjpOxedu1YxFIg64YJnoLsF8klJq4iOVx9cCd77gBw0opDo14I+CB3lkrnjl2IdJKL+phM4BEkw=="
    )
    # §4.5 seed of epoch 42: the signature of BE_u64(42) and of BE_u64(seed).
    epoch_sig = key.sign((42).to_bytes(8, "big"))
    assert epoch_sig[:8].hex() == "ee5b54021ae79956" and epoch_sig.hex().endswith("f65c6234")
    seed = int.from_bytes(epoch_sig[:8], "big") & (2**63 - 1)
    assert seed == 7952041935070796118
    assert key.sign(seed.to_bytes(8, "big")).hex() == (
        "11125c37d2d36a51cc38e7f45897041a5ee31122c6915117d482a2a452f795a5"
        "1aed07b19ddfdb8503245369fb36c5279338e93e15f3d42deeb0c5ca4e5c69c9"
    )


def test_network_public_key_addresses() -> None:
    public = PublicKey.from_base64(NETWORK_PUB_B64)
    assert public.address_bytes.hex() == "22ba50d35663eb58abdc263606e4dff0a0752614"
    assert public.address() == NETWORK_ACCOUNT
    assert public.address("gonkavaloper") == NETWORK_VALOPER
    assert public.base64 == NETWORK_PUB_B64
    assert PublicKey.from_bytes(base64.b64decode(NETWORK_PUB_B64)) == public


def test_public_key_encodings() -> None:
    public = PrivateKey.generate().public_key
    assert PublicKey.from_bytes(public.uncompressed) == public
    assert PublicKey.from_bytes(bytes(public)) == public
    assert len(public.uncompressed) == 65
    assert hash(PublicKey.from_bytes(public.compressed)) == hash(public)
    assert repr(public) == f"PublicKey('{public.compressed.hex()}')"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x02" + b"\x00" * 31, "33 bytes"),
        (b"\x05" + b"\x11" * 32, "prefix byte 0x05"),
        (b"\x04" + b"\x01" * 64, "not a valid secp256k1 point"),
        (b"\x02" + b"\xff" * 32, "not a valid secp256k1 point"),
    ],
)
def test_bad_public_keys_are_rejected(data: bytes, message: str) -> None:
    with pytest.raises(InvalidKey, match=message):
        PublicKey.from_bytes(data)


ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00" * 32, "out of range"),
        (ORDER.to_bytes(32, "big"), "out of range"),
        (b"\x01" * 31, "32 bytes"),
    ],
)
def test_bad_private_keys_are_rejected(data: bytes, message: str) -> None:
    with pytest.raises(InvalidKey, match=message):
        PrivateKey.from_bytes(data)
    with pytest.raises(InvalidKey):
        PrivateKey.from_hex("not hex")


def test_private_key_repr_never_shows_the_secret() -> None:
    key = PrivateKey.from_bytes(SPEC_PRIV)
    assert repr(key) == f"PrivateKey(address='{SPEC_ADDR}')"
    assert SPEC_PRIV.hex() not in repr(key) and SPEC_PRIV.hex() not in str(key)


def test_sign_is_deterministic_low_s_and_verifies() -> None:
    key = PrivateKey.generate()
    sig = key.sign(b"msg")
    assert len(sig) == 64 and sig == key.sign(b"msg")
    assert int.from_bytes(sig[32:], "big") <= ORDER // 2
    assert key.public_key.verify(b"msg", sig)
    assert not key.public_key.verify(b"msh", sig)
    assert not PrivateKey.generate().public_key.verify(b"msg", sig)


def test_sign_digest_matches_sign_of_the_message() -> None:
    key = PrivateKey.generate()
    digest = hashlib.sha256(b"payload").digest()
    assert key.sign_digest(digest) == key.sign(b"payload")
    assert key.public_key.verify_digest(digest, key.sign(b"payload"))
    with pytest.raises(InvalidInput, match="32 bytes"):
        key.sign_digest(digest[:31])
    with pytest.raises(InvalidInput, match="32 bytes"):
        key.public_key.verify_digest(digest + b"\x00", key.sign(b"payload"))


def test_high_s_is_rejected() -> None:
    key = PrivateKey.generate()
    sig = key.sign(b"msg")
    s = int.from_bytes(sig[32:], "big")
    high = sig[:32] + (ORDER - s).to_bytes(32, "big")
    assert not key.public_key.verify(b"msg", high)


@pytest.mark.parametrize("length", [0, 63, 65, 72])
def test_malformed_signature_lengths_raise(length: int) -> None:
    public = PrivateKey.generate().public_key
    with pytest.raises(InvalidSignature, match="64 bytes"):
        public.verify(b"msg", b"\x01" * length)


@pytest.mark.parametrize("sig", [b"\x00" * 64, b"\xff" * 64, ORDER.to_bytes(32, "big") * 2])
def test_out_of_range_signatures_are_false(sig: bytes) -> None:
    assert PrivateKey.generate().public_key.verify(b"msg", sig) is False


def test_errors_share_the_base_class() -> None:
    with pytest.raises(GonkaError):
        Mnemonic("nope")


FIXED_KEY = PrivateKey.from_bytes(SPEC_PRIV)


@settings(max_examples=50, deadline=None)
@given(msg=st.binary(max_size=256), other=st.binary(max_size=256))
def test_property_signatures_bind_the_message(msg: bytes, other: bytes) -> None:
    sig = FIXED_KEY.sign(msg)
    assert FIXED_KEY.public_key.verify(msg, sig)
    assert FIXED_KEY.public_key.verify(other, sig) == (other == msg)


@settings(max_examples=50, deadline=None)
@given(msg=st.binary(max_size=64), index=st.integers(0, 63), flip=st.integers(1, 255))
def test_property_tampered_signature_fails(msg: bytes, index: int, flip: int) -> None:
    sig = bytearray(FIXED_KEY.sign(msg))
    sig[index] ^= flip
    assert not FIXED_KEY.public_key.verify(msg, bytes(sig))


@settings(max_examples=30, deadline=None)
@given(secret=st.integers(1, ORDER - 1))
def test_property_key_round_trips(secret: int) -> None:
    key = PrivateKey.from_bytes(secret.to_bytes(32, "big"))
    assert PrivateKey.from_hex(key.to_hex()) == key
    public = key.public_key
    assert PublicKey.from_bytes(public.compressed) == public
    assert PublicKey.from_bytes(public.uncompressed) == public
    assert PublicKey.from_base64(public.base64) == public


@settings(max_examples=20, deadline=None)
@given(entropy=st.sampled_from([16, 20, 24, 28, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_property_mnemonic_entropy_round_trips(entropy: bytes) -> None:
    mnemonic = Mnemonic.from_entropy(entropy)
    assert mnemonic.entropy == entropy
    assert Mnemonic(mnemonic.phrase) == mnemonic
