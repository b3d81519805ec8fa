"""Helpers of generated message classes, named by the ``python_mixin`` option of their ``.proto``
declaration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["UnjailHelpers", "UpdateParamsHelpers", "module_address"]


def module_address(name: str) -> str:
    """The account address of a chain module (e.g. ``"gov"``, the authority of parameter updates):
    the first 20 bytes of SHA-256 of its name."""
    from gonka.address import encode
    from gonka.hashing import sha256

    return encode("gonka", sha256(name.encode())[:20])


class UnjailHelpers:
    """MsgUnjail from the account that operates the validator."""

    @classmethod
    def for_account(cls, address: str) -> Self:
        """The unjail message of the validator operated by account ``address`` (``gonka1...``)."""
        from gonka.address import to_valoper

        return cast("Self", cast(Any, cls)(to_valoper(address)))


class UpdateParamsHelpers:
    """A module's parameter update with the gov module as authority."""

    @classmethod
    def by_governance(cls, params: bytes) -> Self:
        """The update with the gov module as authority, ready to go into a MsgSubmitProposal."""
        return cast("Self", cast(Any, cls)(module_address("gov"), params))
