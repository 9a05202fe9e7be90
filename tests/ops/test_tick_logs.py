"""The scheduler's delivery tick does not write an INFO line every few seconds: APScheduler's
per-run lines are DEBUG records."""

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from hygiene.logs import configure_logging
from hygiene.settings import Settings


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    yield buffer
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "hygiene"]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.WARNING)


def _run_ticks(seconds: float) -> None:
    async def main() -> None:
        scheduler = AsyncIOScheduler()
        scheduler.add_job(lambda: None, "interval", seconds=0.2, id="deliver", name="deliver")
        scheduler.start()
        await asyncio.sleep(seconds)
        scheduler.shutdown(wait=False)

    asyncio.run(main())


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="a-real-secret-for-tests-0123456789")


def test_ticks_write_no_info_line(tmp_path: Path, stream: io.StringIO) -> None:
    configure_logging(_settings(tmp_path), stream=stream)
    _run_ticks(0.7)
    logging.getLogger("hygiene.test").info("still at INFO")
    assert "Running job" not in stream.getvalue()
    assert "still at INFO" in stream.getvalue()


def test_ticks_show_as_debug_when_asked(tmp_path: Path, stream: io.StringIO) -> None:
    configure_logging(_settings(tmp_path), stream=stream, level=logging.DEBUG)
    _run_ticks(0.7)
    lines = [line for line in stream.getvalue().splitlines() if "Running job" in line]
    assert lines
    assert all("DEBUG" in line for line in lines)
