"""Named random streams derived from one run seed.

Why: every stochastic mechanism (and every responder) draws from its own
stream, so switching one mechanism on or off does not reshuffle the draws of
the others ("common random numbers"). Comparisons between settings are then
sharp with few replications, and a counterfactual replay can change one thing
from minute T on while every other draw stays the same.

A stream is ``numpy.random.Generator(PCG64(SeedSequence(seed, spawn_key=key)))``
where ``key`` is derived from the stream's name with CRC-32, which is stable
across processes and Python versions (unlike ``hash``).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams"]


class Streams:
    """Factory and cache of named generators for one run seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator for ``name``; the same object on every call within a run."""
        gen = self._cache.get(name)
        if gen is None:
            key = (zlib.crc32(name.encode("utf-8")),)
            gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key)))
            self._cache[name] = gen
        return gen

    def int_seed(self, name: str) -> int:
        """A 32-bit integer seed for libraries that want one (networkx)."""
        return int(self.get(name).integers(0, 2**31 - 1))
