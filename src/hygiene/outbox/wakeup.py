"""Wakeup: "deliver now", callable from any thread (a web request's worker thread, the loop).

The delivery loop of `hygiene serve` listens (jobs.listen_for_wakeups): a call schedules its
delivery job at once on the event loop instead of at the next tick. Where no loop listens (a CLI
command, a test without a scheduler), a call does nothing: the message waits in the outbox for
the next `hygiene run deliver` or tick, like any other. Other instances are not woken; they
take urgent rows first on their own next tick.
"""

import asyncio
import threading
from collections.abc import Callable


class Wakeup:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: tuple[asyncio.AbstractEventLoop, Callable[[], None]] | None = None

    def listen(self, loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
        """Run `callback` on `loop` at every call from now on (one listener per process)."""
        with self._lock:
            self._target = (loop, callback)

    def stop(self) -> None:
        with self._lock:
            self._target = None

    def __call__(self) -> None:
        with self._lock:
            target = self._target
        if target is None:
            return
        loop, callback = target
        try:
            loop.call_soon_threadsafe(callback)
        except RuntimeError:  # the loop closed while the process stops: nothing to wake
            return
