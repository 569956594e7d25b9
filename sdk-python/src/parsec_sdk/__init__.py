"""parsec_sdk: a Python client of the Parsec platform security service (parsecd).

Quick start::

    import parsec_sdk
    from parsec_sdk import KeyAttributes, Hash

    with parsec_sdk.Client(app_name="my-app") as client:   # PARSEC_SERVICE_ENDPOINT
        key = client.generate_key("device-id", KeyAttributes.ecc_key_pair())
        signature = key.sign_hash(hashlib.sha256(b"hello").digest())   # r || s
        assert key.verify_hash(hashlib.sha256(b"hello").digest(), signature)
        public = key.public_key()          # a cryptography EllipticCurvePublicKey
        private = key.private_key()        # a cryptography EllipticCurvePrivateKey (in the service)

The client core is the project's C++ library (``sdk-cpp``), bound with pybind11
in :mod:`parsec_sdk._native`. Errors raise subclasses of :class:`ParsecError`,
one class per wire status (:func:`exception_for_status`).
"""

from ._enums import (
    AeadAlgorithm,
    AlgorithmKind,
    AuthType,
    CheckType,
    Cipher,
    DhFamily,
    EccFamily,
    Hash,
    KeyType,
    Opcode,
    ProviderId,
    RawKeyAgreement,
    Status,
)
from ._errors import *  # noqa: F401,F403 - the exception classes
from ._errors import __all__ as _errors_all
from ._types import (
    Algorithm,
    AuthenticatorInfo,
    KeyAttributes,
    KeyInfo,
    ProtocolVersion,
    ProviderInfo,
    UsageFlags,
    ecdsa_hash_for_bits,
)
from ._client import DEFAULT_TIMEOUT, Client, Key

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Key",
    "DEFAULT_TIMEOUT",
    "Algorithm",
    "UsageFlags",
    "KeyAttributes",
    "KeyInfo",
    "ProviderInfo",
    "AuthenticatorInfo",
    "ProtocolVersion",
    "ecdsa_hash_for_bits",
    "AeadAlgorithm",
    "AlgorithmKind",
    "AuthType",
    "CheckType",
    "Cipher",
    "DhFamily",
    "EccFamily",
    "Hash",
    "KeyType",
    "Opcode",
    "ProviderId",
    "RawKeyAgreement",
    "Status",
    *_errors_all,
]
