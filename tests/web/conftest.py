from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.web.app import create_app


@pytest.fixture
def runtime(deps: Deps) -> Runtime:
    return Runtime(started_at=deps.clock.now())


@pytest.fixture
def client(deps: Deps, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(deps, runtime=runtime)) as test_client:
        yield test_client
