"""Seeded fault injection: a reproducible share of calls fails.

One ``random.Random(seed)`` draw per eligible call decides: below ``error`` → 500
``InternalError``; then below ``error + throttle`` → 429 ``Throttling.User``; then below
``error + throttle + timeout`` → the answer is held past the client's timeout (nothing done);
then below ``… + late`` → the call is acted on and its answer held past the client's timeout.
The same seed and the same sequence of calls give the same faults.
"""

from __future__ import annotations

import random
import threading
from typing import Literal

from pushflow.emulator.config import FaultSpec

Fault = Literal["error", "throttle", "timeout", "late"]


class FaultInjector:
    """Decides, call by call, whether a fault replaces the answer."""

    def __init__(self, spec: FaultSpec, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.spec = spec
        self.seed = seed
        self._rng = random.Random(seed)

    def configure(self, spec: FaultSpec, seed: int | None = None) -> None:
        """Replace the spec and restart the random sequence (from ``seed`` or the old seed)."""
        with self._lock:
            self.spec = spec
            if seed is not None:
                self.seed = seed
            self._rng = random.Random(self.seed)

    def draw(self, action: str) -> Fault | None:
        with self._lock:
            spec = self.spec
            if not spec.active or (spec.actions is not None and action not in spec.actions):
                return None
            roll = self._rng.random()
        if roll < spec.error:
            return "error"
        if roll < spec.error + spec.throttle:
            return "throttle"
        if roll < spec.error + spec.throttle + spec.timeout:
            return "timeout"
        if roll < spec.error + spec.throttle + spec.timeout + spec.late:
            return "late"
        return None
