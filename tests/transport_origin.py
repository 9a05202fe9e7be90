"""A pytest plugin (tests/conftest.py loads it): an asyncio socket transport left open names the
test that opened it.

An unclosed transport is only noticed when the garbage collector takes it, which can be during
any later test; its ResourceWarning then fails that test (filterwarnings = error) with nothing
but a file descriptor to go on. This was seen a few times on a loaded machine, and never
reproduced in two instrumented full runs. Each socket transport now records the test it was
made in and where (15 frames, a few microseconds: transports are rare), and a transport
collected unclosed warns with both, so the failing test's report names the one to fix.
"""

import traceback
import warnings
from asyncio import selector_events
from collections.abc import Iterator
from typing import Any

import pytest

_current = ["(outside a test)"]
_Transport: Any = getattr(selector_events, "_SelectorTransport", None)  # private: may go away


def _install() -> None:
    if _Transport is None or getattr(_Transport, "_origin_recorded", False):
        return
    init, delete = _Transport.__init__, _Transport.__del__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._origin = (_current[0], traceback.extract_stack(limit=16)[:-1])

    def __del__(self: Any, *args: Any, **kwargs: Any) -> None:
        sock = getattr(self, "_sock", None)
        origin = getattr(self, "_origin", None)
        if sock is not None and origin is not None:
            test, stack = origin
            where = "".join(traceback.format_list(stack))
            warnings.warn(
                f"unclosed transport {self!r}, opened in {test} at:\n{where}",
                ResourceWarning,
                stacklevel=1,
            )
            sock.close()
            self._sock = None
            return
        delete(self, *args, **kwargs)

    _Transport.__init__, _Transport.__del__ = __init__, __del__
    _Transport._origin_recorded = True


_install()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _current[0] = item.nodeid
    try:
        return (yield)
    finally:
        _current[0] = "(between tests)"
