"""Fixtures: a live system per transport, shared by the tests of a module and stopped after them."""
import pytest

from system import System


@pytest.fixture(scope="module")
def pubsub_system():
    system = System("pubsub")
    yield system
    assert system.stop() == 0, "switchboard did not exit 0 on SIGTERM"
