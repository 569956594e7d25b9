"""Issue 16: the rough edges a first-time user hit, one test (or more) per item.

Each of these failed before the change: P-384 keys got ECDSA/SHA-256, ``str``
arguments raised pybind11's raw TypeError, client-visible mistakes came back as
the daemon's bare ``PsaErrorInvalidArgument``, a bare socket path in
``PARSEC_SERVICE_ENDPOINT`` was refused, values printed in Rust's debug syntax,
public signatures said ``Any`` and the example failed ``mypy --strict``, and the
package was built from the checkout only (linking the system libprotobuf).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import subprocess
import sys
import typing
from typing import Any, Callable, List

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

import parsec_sdk
from parsec_sdk import (
    AeadAlgorithm,
    Algorithm,
    Cipher,
    Client,
    DhFamily,
    EccFamily,
    Hash,
    KeyAttributes,
    KeyType,
    RawKeyAgreement,
    UsageFlags,
    crypto,
)
from parsec_sdk.crypto import ecdsa_to_der

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python", "device_identity.py")

# ---- curve-appropriate default hashes --------------------------------------------------------


@pytest.mark.parametrize("bits,h", [(256, Hash.SHA256), (384, Hash.SHA384), (521, Hash.SHA512)])
def test_ecc_defaults_take_the_curve_hash(bits: int, h: Hash) -> None:
    assert KeyAttributes.ecc_key_pair(bits).policy == Algorithm.ecdsa(h)
    assert KeyAttributes.ecc_public_key(bits).policy == Algorithm.ecdsa(h)
    assert parsec_sdk.ecdsa_hash_for_bits(bits) == h
    # An explicit policy still wins.
    assert KeyAttributes.ecc_key_pair(bits, Algorithm.ecdsa(Hash.SHA256)).policy == Algorithm.ecdsa(Hash.SHA256)


@pytest.mark.parametrize("curve,h", [(ec.SECP256R1(), Hash.SHA256), (ec.SECP384R1(), Hash.SHA384),
                                     (ec.SECP521R1(), Hash.SHA512)])
def test_imported_cryptography_keys_take_the_curve_hash(curve: ec.EllipticCurve, h: Hash) -> None:
    private = ec.generate_private_key(curve)
    attrs, _ = crypto.key_to_psa(private)
    assert attrs.policy == Algorithm.ecdsa(h)
    attrs, _ = crypto.key_to_psa(private.public_key())
    assert attrs.policy == Algorithm.ecdsa(h)


def test_p384_key_serves_ecdsa_secp384r1_sha384(client: Client, key_name: str) -> None:
    """TLS 1.3's ecdsa_secp384r1_sha384: a default P-384 key signs SHA-384 digests, verified by cryptography."""
    key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(384))
    assert key.policy == Algorithm.ecdsa(Hash.SHA384)
    message = b"TLS 1.3, server CertificateVerify"
    signature = key.sign_hash(hashlib.sha384(message).digest())
    pub = key.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    pub.verify(ecdsa_to_der(signature), message, ec.ECDSA(hashes.SHA384()))
    # Through the cryptography integration too (what a TLS library calls).
    der = key.private_key().sign(message, ec.ECDSA(hashes.SHA384()))
    pub.verify(der, message, ec.ECDSA(hashes.SHA384()))
    # And the imported P-384 key the same way.
    local = ec.generate_private_key(ec.SECP384R1())
    imported = client.import_key(key_name + "-imported", local)
    assert imported.policy == Algorithm.ecdsa(Hash.SHA384)
    local.public_key().verify(ecdsa_to_der(imported.sign_hash(hashlib.sha384(message).digest())), message,
                              ec.ECDSA(hashes.SHA384()))


# ---- bytes-like arguments ------------------------------------------------------------------


def test_str_for_bytes_raises_a_readable_type_error(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)
    calls: List[Callable[[], Any]] = [
        lambda: key.sign_hash("00" * 16),  # type: ignore[arg-type]
        lambda: client.sign_hash(key_name, Algorithm.ecdsa(), "digest"),  # type: ignore[arg-type]
        lambda: key.verify_hash(b"\0" * 32, "sig"),  # type: ignore[arg-type]
        lambda: key.sign_message("hello"),  # type: ignore[arg-type]
        lambda: client.hash_compute(Hash.SHA256, "hello"),  # type: ignore[arg-type]
        lambda: client.import_key("k", "-----BEGIN PRIVATE KEY-----"),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(TypeError) as info:
            call()
        text = str(info.value)
        assert "bytes-like" in text or "PSA format" in text, text
        assert "not str" in text, text
        assert "incompatible function arguments" not in text and "Invoked with" not in text, text
    with pytest.raises(TypeError, match=r"PsaSignHash: digest must be bytes-like .* not int"):
        client.sign_hash(key_name, Algorithm.ecdsa(), 42)  # type: ignore[arg-type]
    # Every bytes-like type is accepted.
    digest = hashlib.sha256(b"x").digest()
    for value in (digest, bytearray(digest), memoryview(digest)):
        assert key.verify_hash(value, key.sign_hash(value))


# ---- client-side checks with precise messages --------------------------------------------


def unreachable_client(tmp_path: Any) -> Client:
    """Checks made before sending raise InvalidArgument even with no service at all."""
    return Client(os.path.join(str(tmp_path), "no-such.sock"), app_name="nobody", timeout=5)


def test_digest_length_is_checked_before_sending(client: Client, key_name: str, tmp_path: Any) -> None:
    key = client.generate_key(key_name)  # ECDSA with SHA-256
    with pytest.raises(parsec_sdk.InvalidArgument) as info:
        key.sign_hash(b"12345")
    e = info.value
    assert e.from_service is False and e.operation == "PsaSignHash" and e.key_name == key_name
    assert "the digest is 5 bytes but SHA256 digests are 32 bytes" in str(e), str(e)
    assert isinstance(e, ValueError)
    with pytest.raises(parsec_sdk.InvalidArgument, match="48 bytes but SHA256 digests are 32"):
        key.verify_hash(b"\0" * 48, b"\0" * 64)
    with unreachable_client(tmp_path) as c, pytest.raises(parsec_sdk.InvalidArgument, match="5 bytes"):
        c.sign_hash("k", Algorithm.ecdsa(Hash.SHA256), b"12345")


@pytest.mark.parametrize("bits", [1000, 512, 1028, 16384])
def test_rsa_size_is_checked_before_sending(tmp_path: Any, bits: int) -> None:
    with unreachable_client(tmp_path) as c, pytest.raises(parsec_sdk.InvalidArgument) as info:
        c.generate_key("rsa", KeyAttributes.rsa_key_pair(bits))
    assert f"RSA size {bits} bits is not supported" in str(info.value), str(info.value)
    assert info.value.from_service is False and info.value.operation == "PsaGenerateKey"


def test_rsa_size_the_service_refuses_still_comes_from_it(client: Client, key_name: str) -> None:
    """The service stays the authority: 1536 passes the client check and the software provider refuses it."""
    with pytest.raises(parsec_sdk.InvalidArgument) as info:
        client.generate_key(key_name, KeyAttributes.rsa_key_pair(1536))
    assert info.value.from_service is True


@pytest.mark.parametrize("name,why", [("", "the key name is empty"), ("a\nb", "control character U+000A"),
                                      ("x" * 1025, "1025 bytes of UTF-8; the limit is 1024"),
                                      ("é" * 513, "1026 bytes of UTF-8")])
def test_key_names_are_checked_before_sending(tmp_path: Any, name: str, why: str) -> None:
    with unreachable_client(tmp_path) as c:
        for call in (lambda: c.generate_key(name), lambda: c.key(name), lambda: c.destroy_key(name),
                     lambda: c.sign_hash(name, Algorithm.ecdsa(), b"\0" * 32)):
            with pytest.raises(parsec_sdk.InvalidArgument) as info:
                call()
            assert why in str(info.value), str(info.value)
            assert info.value.from_service is False


def test_valid_names_and_sizes_reach_the_service(client: Client, key_name: str) -> None:
    name = key_name + "-ünïcødé-" + "x" * 900
    key = client.generate_key(name, KeyAttributes.rsa_key_pair(1024, Algorithm.rsa_pkcs1v15_sign()))
    assert client.key(name).bits == 1024
    key.destroy()


# ---- one endpoint syntax ---------------------------------------------------------------------


def test_bare_socket_path_in_the_environment(daemon: Any, app_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARSEC_SERVICE_ENDPOINT", daemon.socket_path)
    with Client(app_name=app_name) as c:
        assert c.endpoint == "unix:" + daemon.socket_path
        assert tuple(c.ping()) == (1, 0)
    # The same string as an argument, and the unix: form, are the same endpoint.
    assert Client(daemon.socket_path).endpoint == Client("unix:" + daemon.socket_path).endpoint
    monkeypatch.setenv("PARSEC_SERVICE_ENDPOINT", "relative/parsec.sock")
    with pytest.raises(parsec_sdk.ServiceUnavailable, match="PARSEC_SERVICE_ENDPOINT"):
        Client(app_name=app_name).ping()


# ---- reprs in Python terms -------------------------------------------------------------------

ALGORITHMS = [
    Algorithm.none(), Algorithm.hash(Hash.SHA384), Algorithm.hmac(), Algorithm.cmac(), Algorithm.cbc_mac(),
    Algorithm.truncated_mac(Algorithm.hmac(Hash.SHA512), 16), Algorithm.cipher(Cipher.CBC_NO_PADDING),
    Algorithm.aead_gcm(), Algorithm.aead_ccm(8), Algorithm.aead_chacha20_poly1305(),
    Algorithm.rsa_pkcs1v15_sign(Hash.SHA384), Algorithm.rsa_pkcs1v15_sign_raw(), Algorithm.rsa_pss(Hash.ANY),
    Algorithm.ecdsa(Hash.SHA256), Algorithm.ecdsa_any(), Algorithm.deterministic_ecdsa(Hash.SHA512),
    Algorithm.rsa_pkcs1v15_crypt(), Algorithm.rsa_oaep(Hash.SHA1), Algorithm.ecdh(), Algorithm.ffdh(),
    Algorithm.key_agreement_with_derivation(RawKeyAgreement.ECDH, Algorithm.hkdf(Hash.SHA256)),
    Algorithm.hkdf(), Algorithm.tls12_prf(Hash.SHA384), Algorithm.tls12_psk_to_ms(),
]
NAMES = {"Algorithm": Algorithm, "Hash": Hash, "Cipher": Cipher, "RawKeyAgreement": RawKeyAgreement,
         "AeadAlgorithm": AeadAlgorithm, "KeyAttributes": KeyAttributes, "KeyType": KeyType,
         "EccFamily": EccFamily, "DhFamily": DhFamily, "UsageFlags": UsageFlags}


def test_policies_print_as_python() -> None:
    assert repr(Algorithm.ecdsa(Hash.SHA256)) == "Algorithm.ecdsa(Hash.SHA256)"
    assert str(Algorithm.ecdsa(Hash.SHA256)) == "Algorithm.ecdsa(Hash.SHA256)"
    assert repr(Algorithm.truncated_mac(Algorithm.hmac(Hash.SHA512), 16)) == \
        "Algorithm.truncated_mac(Algorithm.hmac(Hash.SHA512), 16)"
    assert f"{Algorithm.aead_ccm(8)}" == "Algorithm.aead_ccm(8)"
    for alg in ALGORITHMS:
        text = repr(alg)
        assert "{" not in text and "Specific(" not in text, text
        assert eval(text, NAMES) == alg, text  # noqa: S307 - our own repr
    # The reference tool's rendering is still there, by its name.
    assert Algorithm.ecdsa().reference_string() == "AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) })"


def test_key_attributes_repr_lists_only_what_applies() -> None:
    rsa = KeyAttributes.rsa_key_pair(2048)
    assert repr(rsa) == ("KeyAttributes(type=KeyType.RSA_KEY_PAIR, bits=2048, policy=Algorithm.rsa_pss(Hash.SHA256), "
                         "flags=UsageFlags(sign_message=True, verify_message=True, sign_hash=True, verify_hash=True))")
    ecc = KeyAttributes.ecc_key_pair(384).with_usage(export=True)
    assert "family=EccFamily.SECP_R1" in repr(ecc) and "dh_family" not in repr(ecc)
    dh = KeyAttributes.dh_key_pair()
    assert "dh_family=DhFamily.RFC7919" in repr(dh) and "family=EccFamily" not in repr(dh)
    for attrs in (rsa, ecc, dh, KeyAttributes.aes(), KeyAttributes.hmac()):
        assert eval(repr(attrs), NAMES) == attrs, repr(attrs)  # noqa: S307 - our own repr
    assert repr(UsageFlags()) == "UsageFlags()"


def test_errors_name_the_policy_in_python_terms(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)
    with pytest.raises(ValueError, match=r"policy: Algorithm\.ecdsa\(Hash\.SHA256\)"):
        key.encrypt(b"x")


# ---- typing ------------------------------------------------------------------------------------


def test_public_signatures_have_no_any() -> None:
    """Every parameter and return type of the public API is spelled out (no typing.Any)."""
    offenders = []
    for owner in (parsec_sdk.Client, parsec_sdk.Key):
        for name, fn in inspect.getmembers(owner, inspect.isfunction):
            if name.startswith("_") and name not in ("__init__", "__exit__", "__enter__"):
                continue
            hints = typing.get_type_hints(fn, vars(sys.modules[fn.__module__]) | vars(crypto))
            for arg, hint in hints.items():
                if hint is Any or "typing.Any" in repr(hint):
                    offenders.append(f"{owner.__name__}.{name}({arg})")
    for name in ("key_to_psa", "public_key_to_psa"):
        hints = typing.get_type_hints(getattr(crypto, name))
        offenders += [f"crypto.{name}({a})" for a, h in hints.items() if h is Any or "typing.Any" in repr(h)]
    assert offenders == []


def test_examples_and_package_pass_mypy_strict(tmp_path: Any) -> None:
    user = os.path.join(str(tmp_path), "user.py")
    with open(user, "w") as f:
        f.write("import hashlib\nimport parsec_sdk\nfrom cryptography.hazmat.primitives.asymmetric import ec\n"
                "def f(c: parsec_sdk.Client) -> bytes:\n"
                "    k = c.import_key('k', ec.generate_private_key(ec.SECP384R1()))\n"
                "    return k.sign_hash(hashlib.sha384(b'x').digest())\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           "--cache-dir", os.path.join(str(tmp_path), "mypy-cache"), EXAMPLE, user],
                          capture_output=True, text=True, cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           "--cache-dir", os.path.join(str(tmp_path), "mypy-cache"), "-p", "parsec_sdk"],
                          capture_output=True, text=True, cwd=str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


# ---- the distribution --------------------------------------------------------------------------


def test_installed_package_is_not_the_checkout() -> None:
    """The package under test is an installed one (site-packages), never sdk-python/src."""
    path = os.path.realpath(parsec_sdk.__file__)
    assert "site-packages" in path and os.path.join("sdk-python", "src") not in path, path


def test_wheel_bundles_its_libraries() -> None:
    """Installed from the manylinux wheel (run-tests.sh says so): libprotobuf is the wheel's own copy."""
    kind = os.environ.get("PARSEC_SDK_INSTALLED_FROM", "")
    with open("/proc/self/maps") as f:
        protobuf = sorted({line.split()[-1] for line in f if "libprotobuf" in line})
    assert protobuf, "libprotobuf is not loaded"
    if kind == "wheel":
        assert all("parsec_sdk.libs" in p for p in protobuf), protobuf
        dist = os.path.dirname(os.path.dirname(os.path.realpath(parsec_sdk.__file__)))
        wheel_files = [os.path.join(dist, d, "WHEEL") for d in os.listdir(dist)
                       if d.startswith("parsec_sdk-") and d.endswith(".dist-info")]
        assert len(wheel_files) == 1
        with open(wheel_files[0]) as f:
            assert "-manylinux_" in f.read()
    elif kind == "sdist":  # built here from the sdist: the system library
        assert not any("parsec_sdk.libs" in p for p in protobuf), protobuf
