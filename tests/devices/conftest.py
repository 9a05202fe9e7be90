from tests.browser.conftest import live_server

__all__ = ["live_server"]
from tests.web.conftest import client, runtime

__all__ += ["client", "runtime"]
