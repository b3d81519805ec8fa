"""Errors of the ML node. Each derives from :class:`gonka.errors.GonkaError`; the HTTP layer maps them to
status codes by type."""

from __future__ import annotations

from gonka.errors import GonkaError, InvalidInput

__all__ = [
    "POW_NOT_RUNNING",
    "BatchRejected",
    "InferenceNotConfigured",
    "InferenceStartError",
    "InvalidSettings",
    "NodeError",
    "NotEnoughDeviceMemory",
    "PowNotRunning",
    "SimulationError",
    "SpoolInUse",
    "StartupError",
    "StorageError",
]


class NodeError(GonkaError):
    """Base class of the ML node's errors."""


class InvalidSettings(NodeError, InvalidInput, ValueError):
    """A node setting (argument or ``GONKA_NODE_*`` variable) has a value the node cannot use."""


#: The reference ML node's answer when a PoC command finds no running PoC.
POW_NOT_RUNNING = "PoW is not running"


class PowNotRunning(NodeError):
    """A PoC command needs a running PoC session and there is none."""

    def __init__(self, message: str = POW_NOT_RUNNING) -> None:
        super().__init__(message)


class NotEnoughDeviceMemory(NodeError):
    """No GPU group (or not the host) can hold the PoC model these params describe."""


class BatchRejected(NodeError):
    """A submitted batch cannot be validated by this session (the message says why)."""


class StorageError(NodeError):
    """Something that must be on disk before the node acknowledges it could not be written."""


class SpoolInUse(NodeError):
    """Another node delivers from the same spool directory."""


class InferenceNotConfigured(NodeError):
    """No inference command is configured on this node."""


class InferenceStartError(NodeError):
    """The inference server could not be started, exited or never became healthy."""


class StartupError(NodeError):
    """The node's server did not start."""


class SimulationError(NodeError):
    """A simulated PoC round did not complete (an HTTP error, a wrong node state, a timeout)."""
