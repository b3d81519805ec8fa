"""Typed transaction messages with their real type URLs.

Every message is a frozen dataclass declared from its ``.proto`` file (``gonka.tx._generated``), checked,
normalized and encoded (in Rust, by the message's schema) when it is created, so a bad address, amount or
option raises a :mod:`gonka.errors` exception at the line that made it. ``to_json``/``Msg.from_json``
convert to and from the chain's JSON form (``"@type"`` inline, 64-bit integers as strings, bytes as base64,
timestamps as RFC 3339).
"""

from __future__ import annotations

import sys
import types

from gonka import _native
from gonka.tx import _base, _generated
from gonka.tx._base import AnyPayload, Msg, RawMsg
from gonka.tx._generated import *  # noqa: F403
from gonka.tx._mixins import module_address

__all__ = ["AnyPayload", "Msg", "RawMsg", "module_address", "register_messages"]
__all__ += _generated.__all__


def register_messages(descriptor_set: bytes) -> dict[str, type]:
    """Teaches gonka the messages of an encoded ``FileDescriptorSet`` (``protoc --include_imports
    --descriptor_set_out``, or protox), their ``.proto`` files annotated with gonka's options as gonka-tx's
    own are (``rust/gonka-tx/proto/gonka/options.proto``). Returns the classes of its messages and enums by
    class name; they are checked, encoded, decoded and converted to and from JSON like the built-in ones.
    Registering a set again returns the same classes."""
    from gonka import _codegen

    names = _native.tx_register_descriptors(descriptor_set)
    schema = _native.tx_schema(names)
    known = _base.classes()
    if any(m["full_name"] not in known for m in schema["messages"]) or any(
        e["full_name"] not in known for e in schema["enums"]
    ):
        module_name = f"gonka.tx._registered_{len(_REGISTERED)}"
        module = types.ModuleType(module_name)
        # Registered before it runs: dataclasses read the module of each class.
        sys.modules[module_name] = module
        _REGISTERED.append(module)
        source = _codegen.render(schema, f"Classes of registered messages: {', '.join(names)}.", known)
        exec(compile(source, module_name, "exec"), module.__dict__)
    known = _base.classes()
    full_names = [m["full_name"] for m in schema["messages"]] + [e["full_name"] for e in schema["enums"]]
    return {known[n].__name__: known[n] for n in full_names}


# The modules of the classes made by register_messages.
_REGISTERED: list[types.ModuleType] = []
