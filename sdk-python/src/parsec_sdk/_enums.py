"""Typed enumerations of the Parsec wire protocol and the PSA Crypto API.

Every enumeration is an :class:`enum.IntEnum` whose values are the values used
on the wire and by the C++ client core, so ``int(Hash.SHA256) == 7``.
"""

from __future__ import annotations

import enum

from . import _native

__all__ = [
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
]


class Status(enum.IntEnum):
    """Response status of the Parsec wire protocol (docs/protocol.md, status codes).

    ``spec_name`` gives the specification's name (``"PsaErrorDoesNotExist"``)
    and ``description`` a one-line explanation.
    """

    SUCCESS = 0
    WRONG_PROVIDER_ID = 1
    CONTENT_TYPE_NOT_SUPPORTED = 2
    ACCEPT_TYPE_NOT_SUPPORTED = 3
    WIRE_PROTOCOL_VERSION_NOT_SUPPORTED = 4
    PROVIDER_NOT_REGISTERED = 5
    PROVIDER_DOES_NOT_EXIST = 6
    DESERIALIZING_BODY_FAILED = 7
    SERIALIZING_BODY_FAILED = 8
    OPCODE_DOES_NOT_EXIST = 9
    RESPONSE_TOO_LARGE = 10
    AUTHENTICATION_ERROR = 11
    AUTHENTICATOR_DOES_NOT_EXIST = 12
    AUTHENTICATOR_NOT_REGISTERED = 13
    KEY_INFO_MANAGER_ERROR = 14
    CONNECTION_ERROR = 15
    INVALID_ENCODING = 16
    INVALID_HEADER = 17
    WRONG_PROVIDER_UUID = 18
    NOT_AUTHENTICATED = 19
    BODY_SIZE_EXCEEDS_LIMIT = 20
    ADMIN_OPERATION = 21
    DEPRECATED_PRIMITIVE = 22
    PSA_ERROR_GENERIC_ERROR = 1132
    PSA_ERROR_NOT_PERMITTED = 1133
    PSA_ERROR_NOT_SUPPORTED = 1134
    PSA_ERROR_INVALID_ARGUMENT = 1135
    PSA_ERROR_INVALID_HANDLE = 1136
    PSA_ERROR_BAD_STATE = 1137
    PSA_ERROR_BUFFER_TOO_SMALL = 1138
    PSA_ERROR_ALREADY_EXISTS = 1139
    PSA_ERROR_DOES_NOT_EXIST = 1140
    PSA_ERROR_INSUFFICIENT_MEMORY = 1141
    PSA_ERROR_INSUFFICIENT_STORAGE = 1142
    PSA_ERROR_INSUFFICIENT_DATA = 1143
    PSA_ERROR_COMMUNICATION_FAILURE = 1145
    PSA_ERROR_STORAGE_FAILURE = 1146
    PSA_ERROR_HARDWARE_FAILURE = 1147
    PSA_ERROR_INSUFFICIENT_ENTROPY = 1148
    PSA_ERROR_INVALID_SIGNATURE = 1149
    PSA_ERROR_INVALID_PADDING = 1150
    PSA_ERROR_CORRUPTION_DETECTED = 1151
    PSA_ERROR_DATA_CORRUPT = 1152
    PSA_ERROR_DATA_INVALID = 1153

    @property
    def spec_name(self) -> str:
        """The specification's name of the status, e.g. ``"PsaErrorNotPermitted"``."""
        return _native.status_name(int(self))

    @property
    def description(self) -> str:
        """A one-line human explanation of the status."""
        return _native.status_description(int(self))


class Opcode(enum.IntEnum):
    """Operation codes of the 31 Parsec operations."""

    PING = 0x01
    PSA_GENERATE_KEY = 0x02
    PSA_DESTROY_KEY = 0x03
    PSA_SIGN_HASH = 0x04
    PSA_VERIFY_HASH = 0x05
    PSA_IMPORT_KEY = 0x06
    PSA_EXPORT_PUBLIC_KEY = 0x07
    LIST_PROVIDERS = 0x08
    LIST_OPCODES = 0x09
    PSA_ASYMMETRIC_ENCRYPT = 0x0A
    PSA_ASYMMETRIC_DECRYPT = 0x0B
    PSA_EXPORT_KEY = 0x0C
    PSA_GENERATE_RANDOM = 0x0D
    LIST_AUTHENTICATORS = 0x0E
    PSA_HASH_COMPUTE = 0x0F
    PSA_HASH_COMPARE = 0x10
    PSA_AEAD_ENCRYPT = 0x11
    PSA_AEAD_DECRYPT = 0x12
    PSA_RAW_KEY_AGREEMENT = 0x13
    PSA_CIPHER_ENCRYPT = 0x14
    PSA_CIPHER_DECRYPT = 0x15
    PSA_MAC_COMPUTE = 0x16
    PSA_MAC_VERIFY = 0x17
    PSA_SIGN_MESSAGE = 0x18
    PSA_VERIFY_MESSAGE = 0x19
    LIST_KEYS = 0x1A
    LIST_CLIENTS = 0x1B
    DELETE_CLIENT = 0x1C
    ATTEST_KEY = 0x1E
    PREPARE_KEY_ATTESTATION = 0x1F
    CAN_DO_CRYPTO = 0x20

    @property
    def spec_name(self) -> str:
        """The operation's name, e.g. ``"PsaSignHash"``."""
        return _native.opcode_name(int(self))


class ProviderId(enum.IntEnum):
    """Provider identifiers (provider 0 is the core provider)."""

    CORE = 0
    MBED_CRYPTO = 1
    PKCS11 = 2
    TPM = 3
    TRUSTED_SERVICE = 4
    CRYPTOAUTHLIB = 5

    @property
    def display_name(self) -> str:
        """The name the reference tool prints, e.g. ``"Mbed Crypto provider"``."""
        return _native.provider_display_name(int(self))


class AuthType(enum.IntEnum):
    """Authentication types of the wire protocol."""

    NO_AUTH = 0
    DIRECT = 1
    JWT = 2
    UNIX_PEER_CREDENTIALS = 3
    JWT_SVID = 4

    @property
    def display_name(self) -> str:
        """The name the reference tool prints, e.g. ``"Direct authentication"``."""
        return _native.auth_type_display_name(int(self))


class Hash(enum.IntEnum):
    """Hash algorithms. ``ANY`` is the policy wildcard of hash-and-sign signatures."""

    NONE = 0
    MD2 = 1
    MD4 = 2
    MD5 = 3
    RIPEMD160 = 4
    SHA1 = 5
    SHA224 = 6
    SHA256 = 7
    SHA384 = 8
    SHA512 = 9
    SHA512_224 = 10
    SHA512_256 = 11
    SHA3_224 = 12
    SHA3_256 = 13
    SHA3_384 = 14
    SHA3_512 = 15
    ANY = 0xFF

    @property
    def digest_size(self) -> int:
        """Digest length in bytes (0 for ``NONE`` and ``ANY``)."""
        return _native.hash_length(int(self))


class Cipher(enum.IntEnum):
    """Unauthenticated cipher modes."""

    NONE = 0
    STREAM_CIPHER = 1
    CTR = 2
    CFB = 3
    OFB = 4
    XTS = 5
    ECB_NO_PADDING = 6
    CBC_NO_PADDING = 7
    CBC_PKCS7 = 8


class AeadAlgorithm(enum.IntEnum):
    """AEAD base algorithms."""

    NONE = 0
    CCM = 1
    GCM = 2
    CHACHA20_POLY1305 = 3


class RawKeyAgreement(enum.IntEnum):
    """Raw key agreement algorithms."""

    NONE = 0
    FFDH = 1
    ECDH = 2


class AlgorithmKind(enum.IntEnum):
    """The variant of an :class:`~parsec_sdk.Algorithm`."""

    NONE = 0
    HASH = 1
    HMAC = 2
    CBC_MAC = 3
    CMAC = 4
    CIPHER = 5
    AEAD = 6
    RSA_PKCS1V15_SIGN = 7
    RSA_PKCS1V15_SIGN_RAW = 8
    RSA_PSS = 9
    ECDSA = 10
    ECDSA_ANY = 11
    DETERMINISTIC_ECDSA = 12
    RSA_PKCS1V15_CRYPT = 13
    RSA_OAEP = 14
    RAW_KEY_AGREEMENT = 15
    KEY_AGREEMENT_WITH_DERIVATION = 16
    HKDF = 17
    TLS12_PRF = 18
    TLS12_PSK_TO_MS = 19


class KeyType(enum.IntEnum):
    """Key types. ``NONE`` means "not set"."""

    NONE = 0
    RAW_DATA = 1
    HMAC = 2
    DERIVE = 3
    AES = 4
    DES = 5
    CAMELLIA = 6
    ARC4 = 7
    CHACHA20 = 8
    RSA_PUBLIC_KEY = 9
    RSA_KEY_PAIR = 10
    ECC_KEY_PAIR = 11
    ECC_PUBLIC_KEY = 12
    DH_KEY_PAIR = 13
    DH_PUBLIC_KEY = 14


class EccFamily(enum.IntEnum):
    """Elliptic curve families (``SECP_R1`` holds P-256, P-384, P-521)."""

    NONE = 0
    SECP_K1 = 1
    SECP_R1 = 2
    SECP_R2 = 3
    SECT_K1 = 4
    SECT_R1 = 5
    SECT_R2 = 6
    BRAINPOOL_P_R1 = 7
    FRP = 8
    MONTGOMERY = 9


class DhFamily(enum.IntEnum):
    """Finite-field Diffie-Hellman group families."""

    RFC7919 = 0


class CheckType(enum.IntEnum):
    """What :meth:`parsec_sdk.Client.can_do_crypto` checks."""

    NONE = 0
    USE = 1
    GENERATE = 2
    IMPORT = 3
    DERIVE = 4
