"""Chain releases: which rules a model applies.

The chain's software upgrades are named ``v0.2.N`` (the mainnet genesis binary is v0.2.0). A model function
takes the :class:`Release` it should follow; rules that changed in a release apply from that release on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gonka.errors import InvalidInput

_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, order=True)
class Release:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Release:
        """``v0.2.8``, ``0.2.8`` or a longer build string that starts with one (``v0.2.8-rc1``)."""
        m = _VERSION.match(text.strip()) if isinstance(text, str) else None
        if m is None:
            raise InvalidInput(f"not a release version: {text!r} (expected e.g. v0.2.8)")
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)))

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


LAUNCH = Release(0, 2, 0)
V0_2_2 = Release(0, 2, 2)
V0_2_5 = Release(0, 2, 5)
V0_2_7 = Release(0, 2, 7)
V0_2_8 = Release(0, 2, 8)
V0_2_9 = Release(0, 2, 9)
V0_2_11 = Release(0, 2, 11)
V0_2_13 = Release(0, 2, 13)
V0_2_14 = Release(0, 2, 14)
V0_2_16 = Release(0, 2, 16)

# Every release whose rules the models know, oldest first; upgrade plans carry these names.
KNOWN_RELEASES: tuple[Release, ...] = (LAUNCH, *(Release(0, 2, n) for n in range(2, 17)))
NEWEST_KNOWN = KNOWN_RELEASES[-1]


def as_release(value: Release | str) -> Release:
    return value if isinstance(value, Release) else Release.parse(value)
