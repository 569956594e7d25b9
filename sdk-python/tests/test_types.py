"""Enums, value types and the exception mapping, checked against the C++ core (no daemon)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

import parsec_sdk
from parsec_sdk import (
    AeadAlgorithm,
    Algorithm,
    AlgorithmKind,
    AuthType,
    Cipher,
    Client,
    EccFamily,
    Hash,
    KeyAttributes,
    KeyType,
    Opcode,
    ParsecError,
    RawKeyAgreement,
    Status,
    UsageFlags,
)
from parsec_sdk import _native

# ---- enums ------------------------------------------------------------------------------------


def test_status_enum_is_exactly_the_wire_statuses() -> None:
    assert sorted(int(s) for s in Status) == sorted(_native.defined_statuses())
    assert len(Status) == 44
    assert Status.PSA_ERROR_DOES_NOT_EXIST.spec_name == "PsaErrorDoesNotExist"
    assert Status.ADMIN_OPERATION.spec_name == "AdminOperation"
    for s in Status:
        # The Python name is the spec name in upper snake case.
        spec = s.spec_name
        snake = "".join("_" + c if c.isupper() and i else c for i, c in enumerate(spec)).upper()
        assert s.name == snake, (s, spec)
        assert s.description


def test_opcode_enum_is_exactly_the_wire_opcodes() -> None:
    assert sorted(int(o) for o in Opcode) == sorted(_native.defined_opcodes())
    assert len(Opcode) == 31
    for o in Opcode:
        assert o.spec_name != "Unknown"
    assert Opcode.PSA_SIGN_HASH.spec_name == "PsaSignHash"
    assert Opcode.LIST_CLIENTS.spec_name == "ListClients"


def test_hash_lengths_and_names() -> None:
    assert Hash.SHA256.digest_size == 32
    assert Hash.SHA384.digest_size == 48
    assert Hash.SHA512.digest_size == 64
    assert Hash.ANY.digest_size == 0
    assert _native.hash_name(int(Hash.SHA256)) == "Sha256"


def test_display_names() -> None:
    assert parsec_sdk.ProviderId.MBED_CRYPTO.display_name == "Mbed Crypto provider"
    assert AuthType.DIRECT.display_name == "Direct authentication"


# ---- algorithms ------------------------------------------------------------------------------

ALGORITHMS = [
    Algorithm.none(),
    Algorithm.hash(Hash.SHA256),
    Algorithm.hmac(),
    Algorithm.hmac(Hash.SHA512),
    Algorithm.cbc_mac(),
    Algorithm.cmac(),
    Algorithm.truncated_mac(Algorithm.hmac(Hash.SHA256), 16),
    Algorithm.truncated_mac(Algorithm.cmac(), 8),
    Algorithm.cipher(Cipher.CBC_PKCS7),
    Algorithm.cipher(Cipher.CTR),
    Algorithm.aead_gcm(),
    Algorithm.aead_gcm(12),
    Algorithm.aead_ccm(),
    Algorithm.aead_chacha20_poly1305(),
    Algorithm.aead_shortened_tag(AeadAlgorithm.CCM, 8),
    Algorithm.rsa_pkcs1v15_sign(),
    Algorithm.rsa_pkcs1v15_sign(Hash.ANY),
    Algorithm.rsa_pkcs1v15_sign_raw(),
    Algorithm.rsa_pss(),
    Algorithm.rsa_pss(Hash.ANY),
    Algorithm.ecdsa(),
    Algorithm.ecdsa(Hash.SHA384),
    Algorithm.ecdsa_any(),
    Algorithm.deterministic_ecdsa(),
    Algorithm.rsa_pkcs1v15_crypt(),
    Algorithm.rsa_oaep(),
    Algorithm.ecdh(),
    Algorithm.ffdh(),
    Algorithm.key_agreement_with_derivation(RawKeyAgreement.ECDH, Algorithm.hkdf(Hash.SHA256)),
    Algorithm.hkdf(),
    Algorithm.tls12_prf(Hash.SHA384),
    Algorithm.tls12_psk_to_ms(),
]


@pytest.mark.parametrize("alg", ALGORITHMS, ids=lambda a: str(a))
def test_algorithm_round_trips_through_the_cpp_factories(alg: Algorithm) -> None:
    native = alg._to_native()
    assert _native.normalize_algorithm(native) == native
    assert Algorithm._from_native(_native.normalize_algorithm(native)) == alg
    assert str(alg) == repr(alg)  # Python terms (test_first_use checks the text)
    assert alg.reference_string()  # the C++ rendering


def test_algorithm_defaults_are_safe() -> None:
    assert Algorithm.ecdsa() == Algorithm.ecdsa(Hash.SHA256)
    assert Algorithm.rsa_pss() == Algorithm.rsa_pss(Hash.SHA256)
    assert str(Algorithm.ecdsa()) == "Algorithm.ecdsa(Hash.SHA256)"
    assert Algorithm.ecdsa().is_ecc_signature() and Algorithm.ecdsa().has_sign_hash()
    assert Algorithm.rsa_oaep().is_asymmetric_encryption()
    assert Algorithm.aead_gcm().is_aead() and Algorithm.hmac().is_mac()
    assert Algorithm.ecdh().is_key_agreement() and Algorithm.hkdf().is_key_derivation()


def test_algorithm_is_an_immutable_hashable_value() -> None:
    a = Algorithm.ecdsa()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.hash_alg = Hash.SHA384  # type: ignore[misc]
    assert {a: 1}[Algorithm.ecdsa(Hash.SHA256)] == 1
    assert Algorithm(kind=10, hash_alg=7) == a  # ints are turned into the enums
    assert isinstance(Algorithm(kind=10, hash_alg=7).kind, AlgorithmKind)
    with pytest.raises(ValueError):
        Algorithm(kind=99)
    with pytest.raises(ValueError):
        Algorithm.truncated_mac(Algorithm.ecdsa(), 8)


# ---- key attributes ------------------------------------------------------------------------------


def test_key_attribute_builders() -> None:
    ecc = KeyAttributes.ecc_key_pair()
    assert (ecc.type, ecc.family, ecc.bits, ecc.policy) == (KeyType.ECC_KEY_PAIR, EccFamily.SECP_R1, 256,
                                                            Algorithm.ecdsa(Hash.SHA256))
    assert ecc.flags == UsageFlags(sign_hash=True, verify_hash=True, sign_message=True, verify_message=True)
    assert ecc.type_string() == "EccKeyPair { curve_family: SecpR1 }"

    pub = KeyAttributes.ecc_public_key()
    assert pub.flags == UsageFlags(verify_hash=True, verify_message=True)
    assert pub.is_public_key and pub.is_ecc

    rsa = KeyAttributes.rsa_key_pair()
    assert (rsa.bits, rsa.policy) == (2048, Algorithm.rsa_pss(Hash.SHA256))
    enc = KeyAttributes.rsa_key_pair(3072, Algorithm.rsa_oaep())
    assert enc.flags == UsageFlags(encrypt=True, decrypt=True)

    assert KeyAttributes.aes().policy == Algorithm.aead_gcm()
    assert KeyAttributes.hmac().flags == UsageFlags(sign_message=True, verify_message=True)
    assert KeyAttributes.ecc_key_pair(policy=Algorithm.ecdh()).flags == UsageFlags(derive=True)

    exportable = ecc.with_usage(export=True)
    assert exportable.flags.export and not ecc.flags.export
    assert exportable.policy == ecc.policy
    assert UsageFlags.for_policy(Algorithm.rsa_pss()) == rsa.flags


def test_key_attributes_round_trip() -> None:
    for a in (KeyAttributes.ecc_key_pair(384, Algorithm.ecdsa(Hash.SHA384)), KeyAttributes.rsa_public_key(4096),
              KeyAttributes.dh_key_pair(), KeyAttributes.of_type(KeyType.RAW_DATA, 128, Algorithm.none())):
        assert KeyAttributes._from_native(a._to_native()) == a


# ---- exceptions --------------------------------------------------------------------------------------

EXPECTED_NAMES = {
    Status.PSA_ERROR_DOES_NOT_EXIST: "KeyNotFound",
    Status.PSA_ERROR_ALREADY_EXISTS: "KeyAlreadyExists",
    Status.PSA_ERROR_NOT_PERMITTED: "NotPermitted",
    Status.PSA_ERROR_INVALID_SIGNATURE: "InvalidSignature",
    Status.PSA_ERROR_NOT_SUPPORTED: "NotSupported",
    Status.PSA_ERROR_INVALID_ARGUMENT: "InvalidArgument",
    Status.CONNECTION_ERROR: "ServiceUnavailable",
    Status.NOT_AUTHENTICATED: "NotAuthenticated",
    Status.ADMIN_OPERATION: "AdminOperationRequired",
    Status.AUTHENTICATION_ERROR: "AuthenticationFailed",
}


@pytest.mark.parametrize("status", [s for s in Status if s != Status.SUCCESS], ids=lambda s: s.spec_name)
def test_every_status_raises_its_own_class(status: Status) -> None:
    cls = parsec_sdk.exception_for_status(status)
    assert cls.default_status == status
    assert getattr(parsec_sdk, cls.__name__) is cls  # exported
    assert cls.__name__ in parsec_sdk.__all__
    if status in EXPECTED_NAMES:
        assert cls.__name__ == EXPECTED_NAMES[status]
    with pytest.raises(cls) as info:
        _native.raise_error(int(status), "PsaSignHash", "what happened", True)
    e = info.value
    assert type(e) is cls
    assert isinstance(e, ParsecError)
    assert e.status == status and e.status.spec_name == status.spec_name
    assert e.operation == "PsaSignHash" and e.detail == "what happened" and e.from_service
    assert str(e) == f"PsaSignHash failed: {status.spec_name} (what happened)"
    # Exceptions survive pickling (e.g. across multiprocessing).
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls and again.status == status and str(again) == str(e)


def test_classes_are_distinct_and_grouped() -> None:
    classes = {parsec_sdk.exception_for_status(s) for s in Status if s != Status.SUCCESS}
    assert len(classes) == 43
    assert issubclass(parsec_sdk.KeyNotFound, parsec_sdk.PsaError)
    assert issubclass(parsec_sdk.KeyNotFound, LookupError)
    assert issubclass(parsec_sdk.InvalidArgument, ValueError)
    assert issubclass(parsec_sdk.ServiceUnavailable, ConnectionError)
    assert issubclass(parsec_sdk.NotAuthenticated, parsec_sdk.AuthError)
    assert issubclass(parsec_sdk.AdminOperationRequired, parsec_sdk.AuthError)
    assert issubclass(parsec_sdk.InvalidHeader, parsec_sdk.ProtocolError)
    with pytest.raises(ValueError):
        parsec_sdk.exception_for_status(Status.SUCCESS)


def test_key_name_is_added_to_the_message() -> None:
    e = parsec_sdk.KeyNotFound("PsaSignHash failed: PsaErrorDoesNotExist (x)", key_name="k")
    assert str(e) == "PsaSignHash failed: PsaErrorDoesNotExist (x) (key 'k')"
    assert e.status == Status.PSA_ERROR_DOES_NOT_EXIST


# ---- client settings (no daemon contact) ----------------------------------------------------------------


def test_endpoint_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Client("/tmp/x.sock").endpoint == "unix:/tmp/x.sock"
    assert Client("unix:/tmp/x.sock").endpoint == "unix:/tmp/x.sock"
    assert Client("unix:///tmp/x.sock").endpoint == "unix:/tmp/x.sock"
    monkeypatch.setenv("PARSEC_SERVICE_ENDPOINT", "unix:/tmp/from-env.sock")
    assert Client().endpoint == "unix:/tmp/from-env.sock"
    monkeypatch.delenv("PARSEC_SERVICE_ENDPOINT")
    assert Client().endpoint == "unix:/run/parsec/parsec.sock"
    with pytest.raises(parsec_sdk.ServiceUnavailable, match="tcp"):
        Client("tcp://127.0.0.1:1234")
    monkeypatch.setenv("PARSEC_SERVICE_ENDPOINT", "http://nope")
    with pytest.raises(parsec_sdk.ServiceUnavailable):
        Client()


def test_settings() -> None:
    c = Client("/tmp/x.sock", app_name="me", timeout=2.5)
    assert c.app_name == "me" and c.timeout == 2.5
    c.timeout = None
    assert c.timeout is None
    with pytest.raises(ValueError):
        c.timeout = 0
    assert Client("/tmp/x.sock").timeout == parsec_sdk.DEFAULT_TIMEOUT == 60.0
    assert c.max_response_size == 16 << 20
    with pytest.raises(ValueError):
        Client("/tmp/x.sock", auth="kerberos")


def test_closed_client_refuses_use() -> None:
    with Client("/tmp/x.sock") as c:
        assert not c.closed
    assert c.closed
    with pytest.raises(RuntimeError, match="closed"):
        c.ping()
