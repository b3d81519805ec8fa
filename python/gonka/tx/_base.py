"""The bases of the message classes that gonka.tx._generated declares from the ``.proto`` files.

Every instance is checked, normalized and (for a payload) encoded by the native schema of its message when
it is created, so a bad address, amount or option raises a :mod:`gonka.errors` exception at the line that
made it. ``to_json``/``Msg.from_json`` convert to and from the chain's JSON form (``"@type"`` inline, 64-bit
integers as strings, bytes as base64, timestamps as RFC 3339).
"""

from __future__ import annotations

import base64
import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gonka import _native
from gonka.errors import InvalidInput

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AnyPayload", "Msg", "ProtoEnum", "ProtoMessage", "RawMsg", "classes", "register_enum"]

# The class of each message and enum that has one, by proto full name.
_CLASSES: dict[str, type] = {}


def classes() -> dict[str, type]:
    """The class of each message and enum declared so far, by proto full name."""
    return dict(_CLASSES)


class ProtoMessage:
    """A message declared in a ``.proto`` file. Its generated class names the message with the class
    keyword ``proto``; the fields are the message's, as the native schema orders them."""

    def __init_subclass__(cls, proto: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if proto:
            annotations = inspect.get_annotations(cls)
            fields = [name for name, kind in annotations.items() if not str(kind).startswith("ClassVar")]
            _native.tx_register_class(cls, proto, fields)
            _CLASSES[proto] = cls
            if "__init__" not in cls.__dict__:
                # @dataclass keeps an __init__ the class already has (it still adds eq, repr, hash, ...).
                cls.__init__ = _constructor(cls, fields)  # type: ignore[method-assign]

    def __post_init__(self) -> None:
        # Only for a dataclass subclass that declares fields of its own: the generated classes' constructor
        # checks, normalizes and stores their fields in one native call.
        _native.tx_bind(self)

    def to_json(self) -> dict[str, Any]:
        """The chain's JSON form."""
        return _native.tx_to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        """An instance from the chain's JSON form."""
        return _native.tx_message_from_json(cls, data)


def _constructor(cls: type, fields: list[str]) -> Callable[..., None]:
    """The ``__init__`` of a generated class: the signature @dataclass would give it (its fields in order,
    with their defaults), handing the values to the native schema in one call instead of setting each
    attribute and reading it back in ``__post_init__``."""
    self_name = "__gonka_self__" if "self" in fields else "self"
    namespace: dict[str, Any] = {"_init": _native.tx_init}
    parameters = [self_name]
    for name in fields:
        if name in cls.__dict__:
            namespace[f"_default_{name}"] = cls.__dict__[name]
            parameters.append(f"{name}=_default_{name}")
        else:
            parameters.append(name)
    values = "".join(f"{name}, " for name in fields)
    exec(f"def __init__({', '.join(parameters)}):\n    _init({self_name}, ({values}))\n", namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{name: cls.__annotations__[name] for name in fields}, "return": None}
    return init


class AnyPayload(ProtoMessage):
    """A payload carried in an ``Any``: a message, an authorization, an allowance, a public key."""

    TYPE_URL: ClassVar[str] = ""
    # (type URL, encoded payload), set when the payload is created.
    _any: tuple[str, bytes]

    @property
    def type_url(self) -> str:
        return self.TYPE_URL

    def encode(self) -> bytes:
        """The encoded protobuf payload (the ``value`` of its Any)."""
        return self._any[1]

    @staticmethod
    def from_json(data: dict[str, Any]) -> Any:
        """A typed payload from its JSON form; unknown types become :class:`RawMsg`."""
        return _native.tx_from_json(data)


class Msg(AnyPayload):
    """Base class of transaction messages; validated and encoded when created."""

    @staticmethod
    def from_json(data: dict[str, Any]) -> Msg:
        """A typed message from its JSON form; unknown types become :class:`RawMsg`."""
        msg = _native.tx_from_json(data)
        if not isinstance(msg, Msg):
            raise InvalidInput(f"{data.get('@type')} is not a transaction message")
        return msg

    @staticmethod
    def decode(type_url: str, value: bytes) -> Msg:
        """A typed message from its Any (type URL and encoded payload)."""
        msg: Msg = _native.tx_decode_msg(type_url, value)
        return msg


@dataclass(frozen=True)
class RawMsg(Msg):
    """An already encoded payload of any type URL, passed through byte for byte."""

    raw_type_url: str
    value: bytes

    def __post_init__(self) -> None:
        _native.tx_bind_raw(self)

    @property
    def type_url(self) -> str:
        return self.raw_type_url

    def to_json(self) -> dict[str, Any]:
        return {"@type": self.raw_type_url, "value": base64.b64encode(self.value).decode()}


class ProtoEnum(enum.IntEnum):
    """An enum declared in a ``.proto`` file (its zero ``..._UNSPECIFIED`` value left out)."""

    @classmethod
    def parse(cls, value: Self | int | str) -> Self:
        """``"yes"``, ``"no_with_veto"``, ``"VOTE_OPTION_NO"``, ``3`` or a member."""
        return cls(_native.tx_parse_enum(cls, value))

    @property
    def json_name(self) -> str:
        """The name the chain writes, e.g. ``VOTE_OPTION_YES``."""
        return _native.tx_enum_name(type(self), int(self))


def register_enum(cls: type[ProtoEnum], full_name: str) -> None:
    """Binds a generated enum class to its proto enum."""
    _native.tx_register_enum(cls, full_name)
    _CLASSES[full_name] = cls


_native.tx_register_type("AnyPayload", AnyPayload)
_native.tx_register_type("Msg", Msg)
_native.tx_register_type("RawMsg", RawMsg)
