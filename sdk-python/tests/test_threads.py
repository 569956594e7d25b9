"""One Client shared by several threads."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

import parsec_sdk
from parsec_sdk import Client
from parsec_sdk.crypto import ecdsa_to_der


def test_threads_share_one_client(client: Client, key_name: str) -> None:
    def work(i: int) -> int:
        key = client.generate_key(f"{key_name}-{i}")
        pub = key.public_key()
        for j in range(5):
            msg = f"thread {i} message {j}".encode()
            sig = key.sign_hash(hashlib.sha256(msg).digest())
            pub.verify(ecdsa_to_der(sig), msg, ec.ECDSA(hashes.SHA256()))
            assert len(client.generate_random(16)) == 16
        key.destroy()
        return i

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(work, range(16))) == list(range(16))
    assert client.list_keys() == []


def test_threads_sign_with_the_same_key(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)
    pub = key.public_key()
    priv = key.private_key()

    def work(i: int) -> None:
        for j in range(5):
            msg = f"{i}/{j}".encode()
            pub.verify(priv.sign(msg, ec.ECDSA(hashes.SHA256())), msg, ec.ECDSA(hashes.SHA256()))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(12)))


def test_concurrent_creation_of_one_name(client: Client, key_name: str) -> None:
    barrier = threading.Barrier(8)
    outcomes: List[str] = []
    lock = threading.Lock()

    def work() -> None:
        barrier.wait()
        try:
            client.generate_key(key_name)
            result = "created"
        except parsec_sdk.KeyAlreadyExists:
            result = "exists"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["created"] + ["exists"] * 7
    assert [k.name for k in client.list_keys()] == [key_name]
