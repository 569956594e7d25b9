"""examples/python/device_identity.py runs against the real daemon."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from cryptography import x509

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python", "device_identity.py")


def run_example(endpoint: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PARSEC_SERVICE_ENDPOINT=endpoint)
    return subprocess.run([sys.executable, EXAMPLE, *args], env=env, capture_output=True, text=True, timeout=120)



def test_device_identity_example(endpoint: str, tmp_path: str) -> None:
    out = str(tmp_path)
    done = run_example(endpoint, "--key-name", "example-identity", "--out", out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "device identity proven" in done.stdout
    assert "destroyed 'example-identity'" in done.stdout
    with open(os.path.join(out, "device.csr.pem"), "rb") as f:
        assert x509.load_pem_x509_csr(f.read()).is_signature_valid
    if shutil.which("openssl"):
        req = subprocess.run(["openssl", "req", "-in", os.path.join(out, "device.csr.pem"), "-noout", "-verify"],
                             capture_output=True, text=True)
        assert req.returncode == 0 and "verify OK" in req.stdout + req.stderr, req.stderr
        chain = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(out, "ca.crt.pem"),
                                os.path.join(out, "device.crt.pem")], capture_output=True, text=True)
        assert chain.returncode == 0, chain.stdout + chain.stderr
    # Run twice: the key was destroyed, so the name is free again.
    again = run_example(endpoint, "--key-name", "example-identity")
    assert again.returncode == 0, again.stdout + again.stderr


def test_example_reports_an_unreachable_service(tmp_path: str) -> None:
    done = run_example("unix:" + os.path.join(str(tmp_path), "none.sock"))
    assert done.returncode == 2
    assert "cannot reach parsecd" in done.stderr
