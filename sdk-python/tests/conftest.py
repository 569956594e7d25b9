"""Fixtures: a real parsecd (binary from $PARSECD) and clients of it.

One daemon serves the whole session (``daemon``); every test gets its own
application name (``client``), so its keys are its own. Tests that stop or
restart a daemon use ``daemon_factory`` for private ones. Every daemon is
stopped with SIGTERM and must exit 0.
"""

from __future__ import annotations

import os
import sys
import uuid
from typing import Callable, Iterator, List

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from parsecd import ADMIN_APP, Daemon  # noqa: E402

import parsec_sdk  # noqa: E402
from parsec_sdk import Client, Opcode  # noqa: E402


@pytest.fixture(scope="session")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    d = Daemon(str(tmp_path_factory.mktemp("parsecd")))
    d.start()
    yield d
    assert d.running, f"parsecd died during the tests; log:\n{d.log()}"
    code = d.stop()
    assert code == 0, f"parsecd exited with {code} after SIGTERM; log:\n{d.log()}"


@pytest.fixture
def daemon_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Daemon]]:
    """Make private daemons (not started). Those still running at the end are stopped (exit 0)."""
    made: List[Daemon] = []

    def make() -> Daemon:
        d = Daemon(str(tmp_path_factory.mktemp("parsecd-private")))
        made.append(d)
        return d

    yield make
    for d in made:
        if d.proc is not None:
            code = d.stop()
            assert code == 0, f"parsecd exited with {code}; log:\n{d.log()}"


@pytest.fixture
def endpoint(daemon: Daemon) -> str:
    return daemon.endpoint


@pytest.fixture
def app_name() -> str:
    return "app-" + uuid.uuid4().hex[:12]


@pytest.fixture
def client(endpoint: str, app_name: str) -> Iterator[Client]:
    """A client with its own application name (Direct authentication)."""
    with Client(endpoint, app_name=app_name, timeout=30) as c:
        yield c


@pytest.fixture
def admin(endpoint: str) -> Iterator[Client]:
    """A client authenticated as the configured admin application."""
    with Client(endpoint, app_name=ADMIN_APP, timeout=30) as c:
        yield c


@pytest.fixture
def key_name() -> str:
    return "key-" + uuid.uuid4().hex[:12]


def require_opcode(client: Client, opcode: Opcode) -> None:
    """Fail unless the provider advertises ``opcode``: the software provider serves every operation."""
    if opcode not in client.list_opcodes():
        pytest.fail(f"{client.provider.display_name} does not serve {opcode.spec_name}")


def fail_if_not_supported(exc: parsec_sdk.ParsecError, what: str) -> None:
    """For operations that are never listed by ListOpcodes (MAC): NotSupported is a failure."""
    if isinstance(exc, parsec_sdk.NotSupported):
        pytest.fail(f"the provider does not support {what}")
