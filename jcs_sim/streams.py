"""Named random streams derived from one run seed.

Why: every stochastic mechanism (and every responder) draws from its own
stream, so switching one mechanism on or off does not reshuffle the draws of
the others ("common random numbers"). Comparisons between settings are then
sharp with few replications, and a counterfactual replay can change one thing
from minute T on while every other draw stays the same.

A stream is ``numpy.random.Generator(PCG64(SeedSequence(seed, spawn_key=key)))``
where ``key`` is derived from the stream's name with CRC-32, which is stable
across processes and Python versions (unlike ``hash``). Such a stream is
sequential: its n-th number depends on how many were drawn before it.

A responder's draws are instead keyed by the minute (:class:`MinuteStream`,
made with :meth:`Streams.minute_stream`): a counter-based generator
(``Philox``) whose key comes from the seed and the name
(``responder.<name>.<purpose>``: ``SeedSequence(seed, spawn_key=key)`` as
above, ``generate_state(2, uint64)``) and whose
counter, at a minute's first draw, is set to ``(0, minute, 0, 0)``. The k-th
number drawn at minute M is then a pure function of (seed, name, purpose, M,
k): a person who draws once more or once less at one minute (after a replay's
change, say) draws the same numbers as before at every later minute.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["MinuteStream", "Streams"]


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

    def minute_stream(self, name: str) -> MinuteStream:
        """A new :class:`MinuteStream` keyed by the seed and ``name`` (not cached: its owner keeps it)."""
        return MinuteStream(np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode("utf-8")),)))

    def int_seed(self, name: str) -> int:
        """A 32-bit integer seed for libraries that want one (networkx)."""
        return int(self.get(name).integers(0, 2**31 - 1))


class MinuteStream:
    """Draws keyed by minute: ``at(minute)`` is a generator whose numbers depend only on the key, the minute
    and how many were drawn at that minute before.

    Why: a counterfactual replay (``jcs_sim.replay``) changes one thing at minute T; a person it reaches
    may then draw once more or once less at some minute, and with a sequential stream every later draw of
    theirs would shift. Here the first draw at each minute starts from counter ``(0, minute, 0, 0)`` of a
    ``Philox`` generator with this stream's key, so draws at other minutes are untouched. Moving there
    costs one state assignment (under 1 us), made only at the first draw of a minute.
    """

    __slots__ = ("gen", "minute", "_bits", "_state", "_counter")

    def __init__(self, seed_seq: np.random.SeedSequence) -> None:
        # Philox seeded by a SeedSequence takes its key from it (``generate_state(2, uint64)``), counter 0.
        self._bits = np.random.Philox(seed_seq)
        self.gen = np.random.Generator(self._bits)
        key = [int(k) for k in self._bits.state["state"]["key"]]
        # Python lists, not arrays: the state setter reads them item by item, faster from a list.
        self._counter = [0, 0, 0, 0]
        self._state = {
            "bit_generator": "Philox",
            "state": {"counter": self._counter, "key": key},
            "buffer": [0, 0, 0, 0],
            "buffer_pos": 4,  # an empty buffer: the next number is made from the counter
            "has_uint32": 0,
            "uinteger": 0,
        }
        self.minute = -1

    def at(self, minute: int) -> np.random.Generator:
        """The generator, moved to the start of ``minute`` unless it was last read at ``minute`` (a run's minutes only go forward)."""
        if minute != self.minute:
            self.minute = minute
            self._counter[1] = minute
            self._bits.state = self._state
        return self.gen
