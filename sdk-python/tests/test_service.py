"""Authentication errors, unreachable services, daemon life cycle and the GIL."""

from __future__ import annotations

import hashlib
import os
import socket
import threading

import pytest

import parsec_sdk
from parsec_sdk import AuthType, Client, KeyAttributes, Status


def test_not_authenticated(endpoint: str, key_name: str) -> None:
    with Client(endpoint, auth=AuthType.NO_AUTH) as c:
        assert c.ping() == (1, 0)  # needs no identity
        with pytest.raises(parsec_sdk.NotAuthenticated) as info:
            c.list_keys()
        assert info.value.status == Status.NOT_AUTHENTICATED and info.value.from_service
        with pytest.raises(parsec_sdk.NotAuthenticated):
            c.generate_key(key_name)
        with pytest.raises(parsec_sdk.AuthError):
            c.list_clients()


def test_direct_authentication_needs_a_name(endpoint: str) -> None:
    with Client(endpoint, auth="direct") as c:
        with pytest.raises(parsec_sdk.AuthenticationFailed) as info:
            c.list_keys()
        assert not info.value.from_service
        assert "application name" in str(info.value)


def test_service_unavailable_no_socket(tmp_path: str) -> None:
    with Client(os.path.join(str(tmp_path), "missing.sock"), timeout=5) as c:
        with pytest.raises(parsec_sdk.ServiceUnavailable) as info:
            c.ping()
    e = info.value
    assert e.status == Status.CONNECTION_ERROR and not e.from_service
    assert isinstance(e, ConnectionError)
    assert "cannot connect" in str(e) and "missing.sock" in str(e)


def test_service_unavailable_dead_socket(tmp_path: str) -> None:
    # A socket file nobody listens on: connect() is refused.
    path = os.path.join(str(tmp_path), "dead.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()
    with Client(path, timeout=5) as c:
        with pytest.raises(parsec_sdk.ServiceUnavailable, match="dead.sock"):
            c.generate_random(8)


def test_service_unavailable_after_the_daemon_stopped(daemon_factory) -> None:  # type: ignore[no-untyped-def]
    d = daemon_factory()
    d.start()
    with Client(d.endpoint, app_name="a", timeout=5) as c:
        key = c.generate_key("k")
        assert key.verify_hash(hashlib.sha256(b"x").digest(), key.sign_hash(hashlib.sha256(b"x").digest()))
        assert d.stop() == 0
        assert "parsecd stopped" in d.log()
        assert not os.path.exists(d.socket_path)
        with pytest.raises(parsec_sdk.ServiceUnavailable):
            c.ping()
        with pytest.raises(parsec_sdk.ServiceUnavailable):
            key.sign_hash(hashlib.sha256(b"x").digest())


def test_keys_survive_a_restart(daemon_factory) -> None:  # type: ignore[no-untyped-def]
    d = daemon_factory()
    d.start()
    digest = hashlib.sha256(b"persist").digest()
    with Client(d.endpoint, app_name="a", timeout=5) as c:
        key = c.generate_key("persistent", KeyAttributes.ecc_key_pair())
        public = key.export_public_key()
        sig = key.sign_hash(digest)
        assert d.stop() == 0
        d.start()
        again = c.key("persistent")
        assert again.attributes == key.attributes
        assert again.export_public_key() == public
        assert again.verify_hash(digest, sig)
        assert again.verify_hash(digest, again.sign_hash(digest))


def test_gil_is_released_during_a_request(tmp_path: str) -> None:
    """A Python thread must run while the client waits for the service.

    The "service" is a Python thread: it accepts the connection, reads the
    request header and closes the connection. If the request held the GIL
    the thread could not run until the client's timeout expired.
    """
    path = os.path.join(str(tmp_path), "fake.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    seen = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            header = conn.recv(36)
            assert len(header) > 0
            seen.set()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        with Client(path, timeout=20) as c:
            with pytest.raises(parsec_sdk.ServiceUnavailable) as info:
                c.ping()
        # The fake service ran (and closed the connection) during the call.
        assert seen.is_set()
        assert "timed out" not in str(info.value).lower()
    finally:
        t.join(5)
        server.close()
