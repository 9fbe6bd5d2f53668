"""Timed state transitions: how objects pass through `pending`, `associating`, `deleting`, ….

Nothing runs in the background. Each transition is scheduled for a due time, and every AWS
call (and inventory read) first applies all transitions that are due, under the world lock.
A poll after the delay therefore sees the new state, exactly as on AWS, and tests stay
deterministic. A chain of states is scheduled from the previous state's due time, so a zero
delay makes a state invisible to every later read, while the mutating call's own answer still
reports the first transitional state (as AWS's answers do).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable, Sequence

Transition = Callable[[], None]


class Scheduler:
    """A queue of transitions ordered by due time (monotonic clock)."""

    def __init__(self) -> None:
        self._queue: list[tuple[float, int, Transition]] = []
        self._order = itertools.count()

    def at(self, due: float, transition: Transition) -> None:
        heapq.heappush(self._queue, (due, next(self._order), transition))

    def run_due(self, now: float | None = None) -> None:
        """Applies every transition whose time has come, oldest first. Caller holds the world lock."""
        now = time.monotonic() if now is None else now
        while self._queue and self._queue[0][0] <= now:
            _, _, transition = heapq.heappop(self._queue)
            transition()

    def clear(self) -> None:
        self._queue.clear()

    def phases(
        self,
        owner: object,
        apply_state: Callable[[str], None],
        steps: Sequence[tuple[str, float]],
        finish: Transition,
    ) -> None:
        """Puts `owner` into `steps[0]` now, each later step after the previous one's delay,
        and calls `finish` (final state, or removal) after the last delay.

        `steps` is a list of (state, seconds spent in it). Starting a new chain for the same
        owner cancels the rest of its previous chain (e.g. a delete during `modifying`).
        """
        token = object()
        setattr(owner, "_emulator_lifecycle", token)

        def guarded(action: Transition) -> Transition:
            def run() -> None:
                if getattr(owner, "_emulator_lifecycle", None) is token:
                    action()

            return run

        if not steps:
            finish()
            return
        apply_state(steps[0][0])
        due = time.monotonic()
        for index, (_, seconds) in enumerate(steps):
            due += seconds
            if index + 1 < len(steps):
                next_state = steps[index + 1][0]
                self.at(due, guarded(lambda s=next_state: apply_state(s)))
            else:
                self.at(due, guarded(finish))


def monotonic() -> float:
    return time.monotonic()
