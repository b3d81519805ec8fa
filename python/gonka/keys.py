"""Account and consensus keys (computed in Rust).

Account keys are secp256k1: a BIP 39 :class:`Mnemonic` gives a seed, BIP 32 derives a
:class:`PrivateKey` along ``m/44'/1200'/0'/0/0`` (coin type 1200), whose :class:`PublicKey` has a
``gonka1...`` address. Signatures are ECDSA over SHA-256 of the message, RFC 6979, low-S, 64 bytes
``r || s`` — what the chain and the inference API accept.

Consensus keys (:class:`ConsensusKey`, :class:`ConsensusPublicKey`) are ed25519, verified with the
ZIP 215 rules CometBFT applies; their address is ``gonkavalcons1...``.

Secrets never appear in ``repr``; read them explicitly (``Mnemonic.phrase``,
``PrivateKey.to_bytes()``, ``ConsensusKey.to_seed()``). Verification returns ``False`` for a
signature that does not verify and raises :class:`~gonka.errors.InvalidSignature` only when the
signature is not 64 bytes.
"""

from gonka._native import (
    DEFAULT_PATH,
    ConsensusKey,
    ConsensusPublicKey,
    Mnemonic,
    PrivateKey,
    PublicKey,
    hd_path,
)

__all__ = [
    "DEFAULT_PATH",
    "ConsensusKey",
    "ConsensusPublicKey",
    "Mnemonic",
    "PrivateKey",
    "PublicKey",
    "hd_path",
]
