"""A spy on the range workers of audit verify, shared by the library, CLI and API tests."""

import subprocess

import pytest

from hygiene.audit import ranges


def spy_on_workers(patch: pytest.MonkeyPatch) -> list[ranges.Part | None]:
    """Every worker's Part (None: that worker failed), so a test knows the workers did scan."""
    seen: list[ranges.Part | None] = []
    original = ranges.result

    def result(
        worker: "subprocess.Popen[bytes]", timeout: float | None = None
    ) -> ranges.Part | None:
        seen.append(original(worker, timeout))
        return seen[-1]

    patch.setattr(ranges, "result", result)
    return seen
