"""Client and Key: the Pythonic API over the C++ client core."""

from __future__ import annotations

import contextlib
import os
from types import TracebackType
from typing import TYPE_CHECKING, Iterator, List, Optional, Tuple, Type, Union

from . import _checks, _native
from ._enums import AuthType, CheckType, Cipher, Hash, KeyType, Opcode, ProviderId, RawKeyAgreement
from ._errors import ParsecError
from ._types import (
    Algorithm,
    AuthenticatorInfo,
    KeyAttributes,
    KeyInfo,
    ProtocolVersion,
    ProviderInfo,
)

if TYPE_CHECKING:  # pragma: no cover
    from .crypto import ImportableKey, ParsecPrivateKey, PublicKey

__all__ = ["Client", "Key", "DEFAULT_TIMEOUT"]

#: Default timeout in seconds for each wait on connect, write and read.
DEFAULT_TIMEOUT: float = _native.DEFAULT_TIMEOUT_MS / 1000.0

BytesLike = Union[bytes, bytearray, memoryview]
KeyRef = Union[str, "Key"]

# Digest length -> hash, to pick a concrete hash for a Hash.ANY policy.
_HASH_BY_DIGEST_LENGTH = {20: Hash.SHA1, 28: Hash.SHA224, 32: Hash.SHA256, 48: Hash.SHA384, 64: Hash.SHA512}


def _key_name(key: KeyRef, operation: str) -> str:
    """The name of ``key`` (a name or a Key), checked against the service's key-name rules."""
    if isinstance(key, Key):
        return key.name
    return _checks.key_name(key, operation)


def _data(value: object, argument: str, operation: str) -> BytesLike:
    return _checks.bytes_like(value, argument, operation)


@contextlib.contextmanager
def _about_key(name: str) -> Iterator[None]:
    """Record the key name in a ParsecError raised inside."""
    try:
        yield
    except ParsecError as e:
        if e.key_name is None:
            e.key_name = name
        raise


def _auth_type(auth: Union[AuthType, int, str]) -> AuthType:
    if isinstance(auth, str):
        try:
            return AuthType[auth.strip().upper().replace("-", "_").replace(" ", "_")]
        except KeyError:
            raise ValueError(f"unknown authentication type {auth!r}; use one of "
                             f"{', '.join(a.name.lower() for a in AuthType)}") from None
    return AuthType(auth)


class Client:
    """A connection to the Parsec service (``parsecd``).

    Args:
        endpoint: where the service listens: ``"unix:/run/parsec/parsec.sock"`` or
            an absolute socket path. Default: the ``PARSEC_SERVICE_ENDPOINT``
            environment variable, else ``unix:/run/parsec/parsec.sock``.
        app_name: the application name for Direct authentication.
        provider: the provider for cryptographic operations (:class:`ProviderId`);
            default: the first one the service lists.
        auth: force an authentication type (``AuthType.DIRECT``,
            ``AuthType.UNIX_PEER_CREDENTIALS``, ``AuthType.NO_AUTH``, or their
            lower-case names); default: the first authenticator the service lists
            that the client can use (Direct only with an ``app_name``).
        timeout: seconds for each wait on connect, write and read (default 60);
            ``None`` waits forever.

    Nothing is sent until the first operation; every operation opens its own
    connection. A Client can be shared by several threads: the GIL is released
    while a request is in flight. Use it as a context manager, or call
    :meth:`close`, to make later use an error.

    Errors raise subclasses of :class:`parsec_sdk.ParsecError` (see
    :mod:`parsec_sdk` for the hierarchy). ``verify_*``, ``mac_verify`` and
    ``hash_compare`` return ``False`` for a mismatch instead of raising
    :class:`~parsec_sdk.InvalidSignature`.

    The methods of Client take a key name (or a :class:`Key`) and the algorithm
    explicitly, like the C++ core; :class:`Key` objects default the algorithm to
    the key's policy.
    """

    def __init__(
        self,
        endpoint: Union[str, "os.PathLike[str]", None] = None,
        app_name: Optional[str] = None,
        provider: Union[ProviderId, int, None] = None,
        auth: Union[AuthType, int, str, None] = None,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
    ) -> None:
        where = os.fspath(endpoint) if endpoint is not None else None
        self._native = _native.Client(where, app_name or "")
        self._closed = False
        self.timeout = timeout
        if provider is not None:
            self.provider = ProviderId(provider)
        if auth is not None:
            self.auth = _auth_type(auth)

    # ---- life cycle ---------------------------------------------------------------------
    def close(self) -> None:
        """Mark the client closed: later operations raise ``RuntimeError``. Idempotent.

        (No connection is held between operations, so there is nothing else to free.)
        """
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Client":
        self._check()
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<parsec_sdk.Client {self.endpoint}{state}>"

    def _check(self) -> _native.Client:
        if self._closed:
            raise RuntimeError("this parsec_sdk.Client is closed")
        return self._native

    # ---- settings ----------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The service endpoint as ``"unix:/path"``."""
        return self._native.endpoint()

    @endpoint.setter
    def endpoint(self, where: Union[str, "os.PathLike[str]"]) -> None:
        self._native.set_endpoint(os.fspath(where))

    @property
    def app_name(self) -> str:
        """The application name for Direct authentication (``""`` if none)."""
        return self._native.app_name()

    @app_name.setter
    def app_name(self, name: Optional[str]) -> None:
        self._native.set_app_name(name or "")

    @property
    def timeout(self) -> Optional[float]:
        """Seconds for each wait on connect, write and read; ``None`` = no limit."""
        ms = self._native.timeout_ms()
        return None if ms == 0 else ms / 1000.0

    @timeout.setter
    def timeout(self, seconds: Optional[float]) -> None:
        if seconds is None:
            self._native.set_timeout_ms(0)
            return
        if seconds <= 0:
            raise ValueError("timeout must be positive (or None for no limit)")
        self._native.set_timeout_ms(max(1, min(int(round(seconds * 1000)), 0xFFFFFFFF)))

    @property
    def max_response_size(self) -> int:
        """Largest response body accepted, in bytes (default 16 MiB)."""
        return self._native.max_response_body_len()

    @max_response_size.setter
    def max_response_size(self, size: int) -> None:
        self._native.set_max_response_body_len(int(size))

    @property
    def provider(self) -> ProviderId:
        """The provider for cryptographic operations (asks the service on first use).

        Set it to a :class:`ProviderId`, or to ``None`` to go back to the default.
        """
        return ProviderId(self._check().provider())

    @provider.setter
    def provider(self, provider: Union[ProviderId, int, None]) -> None:
        if provider is None:
            self._native.use_default_provider()
        else:
            self._native.set_provider(int(ProviderId(provider)))

    @property
    def auth(self) -> AuthType:
        """The authentication type used (asks the service on first use).

        Set it to force one, or to ``None`` to go back to the automatic choice.
        """
        return AuthType(self._check().auth_type())

    @auth.setter
    def auth(self, auth: Union[AuthType, int, str, None]) -> None:
        if auth is None:
            self._native.use_default_auth()
        else:
            self._native.set_auth_type(int(_auth_type(auth)))

    # ---- discovery (core provider) ------------------------------------------------------
    def ping(self) -> ProtocolVersion:
        """Check that the service answers; returns its wire protocol version."""
        return ProtocolVersion(*self._check().ping())

    def list_providers(self) -> List[ProviderInfo]:
        """The providers of the service, in its order of preference."""
        return [ProviderInfo(ProviderId(p[0]), p[1], p[2], p[3], (p[4], p[5], p[6]))
                for p in self._check().list_providers()]

    def list_opcodes(self, provider: Union[ProviderId, int, None] = None) -> List[Opcode]:
        """The operations ``provider`` (default: the client's provider) advertises.

        Opcodes the client does not know are left out.
        """
        n = self._check()
        pid = int(ProviderId(provider)) if provider is not None else n.provider()
        out = []
        for o in n.list_opcodes(pid):
            try:
                out.append(Opcode(o))
            except ValueError:  # pragma: no cover - the core rejects unknown opcodes
                continue
        return out

    def list_authenticators(self) -> List[AuthenticatorInfo]:
        """The authenticators the service accepts, in its order of preference."""
        return [AuthenticatorInfo(AuthType(a[0]), a[1], (a[2], a[3], a[4]))
                for a in self._check().list_authenticators()]

    def list_keys(self) -> List[KeyInfo]:
        """The caller's keys in every provider."""
        return [KeyInfo(name, ProviderId(pid), KeyAttributes._from_native(attrs))
                for pid, name, attrs in self._check().list_keys()]

    def list_clients(self) -> List[str]:
        """The applications that own keys (admin only: else :class:`AdminOperationRequired`)."""
        return list(self._check().list_clients())

    def delete_client(self, client: str) -> None:
        """Delete every key of the application ``client`` (admin only)."""
        self._check().delete_client(client)

    # ---- keys ------------------------------------------------------------------------------
    def keys(self) -> List["Key"]:
        """:class:`Key` objects for the caller's keys in the client's provider."""
        provider = self.provider
        return [Key(self, k.name, k.attributes) for k in self.list_keys() if k.provider == provider]

    def key(self, name: str) -> "Key":
        """Look a key up by name. Raises :class:`KeyNotFound` if there is none."""
        _checks.key_name(name, "PsaGetKeyAttributes")
        with _about_key(name):
            attrs = KeyAttributes._from_native(self._check().key_attributes(name))
        return Key(self, name, attrs)

    def key_attributes(self, name: str) -> KeyAttributes:
        """The attributes of the key ``name`` (:class:`KeyNotFound` if there is none)."""
        return self.key(name).attributes

    def has_key(self, name: str) -> bool:
        """Whether the caller has a key called ``name`` in the client's provider."""
        provider = self.provider
        return any(k.name == name and k.provider == provider for k in self.list_keys())

    def generate_key(self, name: str, attributes: Optional[KeyAttributes] = None) -> "Key":
        """Create a key in the service and return it.

        ``attributes`` default to :meth:`KeyAttributes.ecc_key_pair` (P-256,
        ECDSA with SHA-256). Raises :class:`KeyAlreadyExists` if the name is taken.
        """
        _checks.key_name(name, "PsaGenerateKey")
        if attributes is None:
            attributes = KeyAttributes.ecc_key_pair()
        elif not isinstance(attributes, KeyAttributes):
            raise TypeError(f"PsaGenerateKey: attributes must be a parsec_sdk.KeyAttributes, "
                            f"not {type(attributes).__name__}")
        _checks.attributes(attributes, "PsaGenerateKey", name)
        with _about_key(name):
            self._check().generate_key(name, attributes._to_native())
        return Key(self, name, attributes)

    def import_key(self, name: str, data: "ImportableKey", attributes: Optional[KeyAttributes] = None) -> "Key":
        """Import a key and return it.

        ``data`` is either the key in PSA format (bytes: ECC private key = the
        big-endian scalar, ECC public key = ``04 || X || Y``, RSA = PKCS#1 DER),
        then ``attributes`` are required; or a ``cryptography`` private or public
        key object, then ``attributes`` default to the type of that key with the
        default policy (ECDSA with the curve's hash: P-256 SHA-256, P-384
        SHA-384, P-521 SHA-512; RSA-PSS/SHA-256).
        """
        _checks.key_name(name, "PsaImportKey")
        if isinstance(data, (bytes, bytearray, memoryview)):
            if attributes is None:
                raise TypeError("import_key with raw bytes needs the key attributes")
            raw = bytes(data)
        elif isinstance(data, str):
            raise TypeError("PsaImportKey: data must be the key in PSA format (bytes-like) or a cryptography key "
                            "object, not str; load a PEM file with cryptography's load_pem_private_key first")
        else:
            from . import crypto

            default_attrs, raw = crypto.key_to_psa(data)
            if attributes is None:
                attributes = default_attrs
        _checks.attributes(attributes, "PsaImportKey", name)
        with _about_key(name):
            self._check().import_key(name, attributes._to_native(), raw)
            if attributes.bits == 0:
                # The service takes the size from the data; learn it.
                return self.key(name)
        return Key(self, name, attributes)

    def export_public_key(self, key: KeyRef) -> bytes:
        """The public key in PSA format (ECC: ``04 || X || Y``; RSA: PKCS#1 DER)."""
        name = _key_name(key, "PsaExportPublicKey")
        with _about_key(name):
            return self._check().export_public_key(name)

    def export_key(self, key: KeyRef) -> bytes:
        """The key material in PSA format (needs the ``export`` usage flag)."""
        name = _key_name(key, "PsaExportKey")
        with _about_key(name):
            return self._check().export_key(name)

    def destroy_key(self, key: KeyRef) -> None:
        """Destroy the key (:class:`KeyNotFound` if there is none)."""
        name = _key_name(key, "PsaDestroyKey")
        with _about_key(name):
            self._check().destroy_key(name)

    # ---- signatures ------------------------------------------------------------------------
    def sign_hash(self, key: KeyRef, alg: Algorithm, digest: BytesLike) -> bytes:
        """Sign a digest. ECDSA signatures are ``r || s`` (see :func:`parsec_sdk.crypto.ecdsa_to_der`)."""
        name = _key_name(key, "PsaSignHash")
        with _about_key(name):
            digest = _data(digest, "digest", "PsaSignHash")
            _checks.digest_length(alg, digest, "PsaSignHash", name)
            return self._check().sign_hash(name, alg._to_native(), digest)

    def verify_hash(self, key: KeyRef, alg: Algorithm, digest: BytesLike, signature: BytesLike) -> bool:
        """Check a signature of a digest: ``True`` if valid, ``False`` if not.

        Other failures (unknown key, policy, ...) raise.
        """
        name = _key_name(key, "PsaVerifyHash")
        with _about_key(name):
            digest = _data(digest, "digest", "PsaVerifyHash")
            _checks.digest_length(alg, digest, "PsaVerifyHash", name)
            return self._check().verify_hash(name, alg._to_native(), digest, _data(signature, "signature", "PsaVerifyHash"))

    def sign_message(self, key: KeyRef, alg: Algorithm, message: BytesLike) -> bytes:
        """Sign a message (the service hashes it)."""
        name = _key_name(key, "PsaSignMessage")
        with _about_key(name):
            return self._check().sign_message(name, alg._to_native(), _data(message, "message", "PsaSignMessage"))

    def verify_message(self, key: KeyRef, alg: Algorithm, message: BytesLike, signature: BytesLike) -> bool:
        """Check a signature of a message: ``True`` if valid, ``False`` if not."""
        name = _key_name(key, "PsaVerifyMessage")
        with _about_key(name):
            return self._check().verify_message(name, alg._to_native(), _data(message, "message", "PsaVerifyMessage"),
                                                _data(signature, "signature", "PsaVerifyMessage"))

    # ---- encryption ------------------------------------------------------------------------
    def asymmetric_encrypt(self, key: KeyRef, alg: Algorithm, plaintext: BytesLike,
                           salt: Optional[BytesLike] = None) -> bytes:
        """Encrypt with an RSA key (``rsa_pkcs1v15_crypt`` or ``rsa_oaep``; ``salt`` is the OAEP label)."""
        name = _key_name(key, "PsaAsymmetricEncrypt")
        with _about_key(name):
            op = "PsaAsymmetricEncrypt"
            return self._check().asymmetric_encrypt(name, alg._to_native(), _data(plaintext, "plaintext", op),
                                                    b"" if salt is None else _data(salt, "salt", op))

    def asymmetric_decrypt(self, key: KeyRef, alg: Algorithm, ciphertext: BytesLike,
                           salt: Optional[BytesLike] = None) -> bytes:
        """Decrypt with an RSA key pair."""
        name = _key_name(key, "PsaAsymmetricDecrypt")
        with _about_key(name):
            op = "PsaAsymmetricDecrypt"
            return self._check().asymmetric_decrypt(name, alg._to_native(), _data(ciphertext, "ciphertext", op),
                                                    b"" if salt is None else _data(salt, "salt", op))

    def aead_encrypt(self, key: KeyRef, alg: Algorithm, nonce: BytesLike, plaintext: BytesLike,
                     additional_data: BytesLike = b"") -> bytes:
        """AEAD encryption; the result is the ciphertext with the tag at its end."""
        name = _key_name(key, "PsaAeadEncrypt")
        with _about_key(name):
            op = "PsaAeadEncrypt"
            return self._check().aead_encrypt(name, alg._to_native(), _data(nonce, "nonce", op),
                                              _data(additional_data, "additional_data", op),
                                              _data(plaintext, "plaintext", op))

    def aead_decrypt(self, key: KeyRef, alg: Algorithm, nonce: BytesLike, ciphertext: BytesLike,
                     additional_data: BytesLike = b"") -> bytes:
        """AEAD decryption of ciphertext || tag (:class:`InvalidSignature` if the tag does not match)."""
        name = _key_name(key, "PsaAeadDecrypt")
        with _about_key(name):
            op = "PsaAeadDecrypt"
            return self._check().aead_decrypt(name, alg._to_native(), _data(nonce, "nonce", op),
                                              _data(additional_data, "additional_data", op),
                                              _data(ciphertext, "ciphertext", op))

    def cipher_encrypt(self, key: KeyRef, mode: Cipher, plaintext: BytesLike) -> bytes:
        """Unauthenticated encryption; the result is IV || ciphertext."""
        name = _key_name(key, "PsaCipherEncrypt")
        with _about_key(name):
            return self._check().cipher_encrypt(name, int(Cipher(mode)), _data(plaintext, "plaintext", "PsaCipherEncrypt"))

    def cipher_decrypt(self, key: KeyRef, mode: Cipher, ciphertext: BytesLike) -> bytes:
        """Decrypt IV || ciphertext."""
        name = _key_name(key, "PsaCipherDecrypt")
        with _about_key(name):
            return self._check().cipher_decrypt(name, int(Cipher(mode)),
                                                _data(ciphertext, "ciphertext", "PsaCipherDecrypt"))

    # ---- MAC, hash, key agreement, random ------------------------------------------------
    def mac_compute(self, key: KeyRef, alg: Algorithm, data: BytesLike) -> bytes:
        """Compute a MAC (hmac, cbc_mac, cmac, or truncated)."""
        name = _key_name(key, "PsaMacCompute")
        with _about_key(name):
            return self._check().mac_compute(name, alg._to_native(), _data(data, "data", "PsaMacCompute"))

    def mac_verify(self, key: KeyRef, alg: Algorithm, data: BytesLike, mac: BytesLike) -> bool:
        """Check a MAC: ``True`` if it matches, ``False`` if not."""
        name = _key_name(key, "PsaMacVerify")
        with _about_key(name):
            return self._check().mac_verify(name, alg._to_native(), _data(data, "data", "PsaMacVerify"),
                                            _data(mac, "mac", "PsaMacVerify"))

    def hash_compute(self, alg: Hash, data: BytesLike) -> bytes:
        """Hash ``data`` in the service."""
        return self._check().hash_compute(int(Hash(alg)), _data(data, "data", "PsaHashCompute"))

    def hash_compare(self, alg: Hash, data: BytesLike, digest: BytesLike) -> bool:
        """``True`` if ``digest`` is the hash of ``data``, ``False`` if not."""
        return self._check().hash_compare(int(Hash(alg)), _data(data, "data", "PsaHashCompare"),
                                          _data(digest, "digest", "PsaHashCompare"))

    def raw_key_agreement(self, key: KeyRef, peer_public_key: Union[BytesLike, "PublicKey"],
                          alg: RawKeyAgreement = RawKeyAgreement.ECDH) -> bytes:
        """The raw shared secret of ``key`` and the peer's public key.

        ``peer_public_key``: bytes in PSA format (ECC: ``04 || X || Y``;
        Montgomery: the 32/56-byte u-coordinate) or a ``cryptography`` public key.
        """
        name = _key_name(key, "PsaRawKeyAgreement")
        if isinstance(peer_public_key, (bytes, bytearray, memoryview)):
            peer = peer_public_key
        elif isinstance(peer_public_key, str):
            peer = _data(peer_public_key, "peer_public_key", "PsaRawKeyAgreement")  # raises TypeError
        else:
            from . import crypto

            peer = crypto.public_key_to_psa(peer_public_key)
        with _about_key(name):
            return self._check().raw_key_agreement(int(RawKeyAgreement(alg)), name, peer)

    def generate_random(self, size: int) -> bytes:
        """``size`` random bytes from the service."""
        if size < 0:
            raise ValueError("size must not be negative")
        return self._check().generate_random(size)

    def can_do_crypto(self, attributes: KeyAttributes, check: CheckType = CheckType.USE) -> bool:
        """Whether the provider supports ``attributes`` for ``check`` (False = PsaErrorNotSupported)."""
        return self._check().can_do_crypto(int(CheckType(check)), attributes._to_native())

    def prepare_key_attestation(self, key: KeyRef, attesting_key: str = "") -> Tuple[bytes, bytes, bytes]:
        """What a third party needs to run TPM2_MakeCredential for ``key`` (TPM provider only).

        Returns ``(name, public_area, attesting_key_public)``: the TPM name and
        public area of ``key`` and the attesting key's public part in PSA
        format. An empty ``attesting_key`` selects the default attesting key
        (the endorsement key); the service supports no other.
        """
        name = _key_name(key, "PrepareKeyAttestation")
        with _about_key(name):
            return self._check().prepare_key_attestation(name, attesting_key)

    def attest_key_activate_credential(self, key: KeyRef, credential_blob: BytesLike, secret: BytesLike,
                                       attesting_key: str = "") -> bytes:
        """TPM2_ActivateCredential for ``key``: the credential recovered from ``credential_blob`` and ``secret``.

        ``credential_blob`` and ``secret`` are the contents of the TPM2B_ID_OBJECT
        and TPM2B_ENCRYPTED_SECRET that MakeCredential produced from
        :meth:`prepare_key_attestation`'s output. An empty ``attesting_key``
        selects the default attesting key.
        """
        name = _key_name(key, "AttestKey")
        with _about_key(name):
            op = "AttestKey"
            return self._check().attest_key_activate_credential(
                name, _data(credential_blob, "credential_blob", op), _data(secret, "secret", op), attesting_key)


class Key:
    """A key held by the Parsec service, identified by its name.

    A Key is a handle: the key material stays in the service, every method is
    one request. Get one from :meth:`Client.generate_key`,
    :meth:`Client.import_key`, :meth:`Client.key` or :meth:`Client.keys`.
    Algorithms default to the key's policy; for a ``Hash.ANY`` policy the hash is
    taken from the digest length (20/28/32/48/64 bytes -> SHA-1/224/256/384/512)
    or must be given.

    Signatures are in the service's format: ECDSA is ``r || s``
    (:func:`parsec_sdk.crypto.ecdsa_to_der` converts), RSA is the usual string.
    For X.509 and other ``cryptography`` APIs use :meth:`private_key`.
    """

    __slots__ = ("_client", "_name", "_attributes", "__weakref__")

    def __init__(self, client: Client, name: str, attributes: KeyAttributes) -> None:
        self._client = client
        self._name = name
        self._attributes = attributes

    @property
    def name(self) -> str:
        return self._name

    @property
    def attributes(self) -> KeyAttributes:
        """The attributes the key was created with (or looked up with)."""
        return self._attributes

    @property
    def client(self) -> Client:
        return self._client

    @property
    def policy(self) -> Algorithm:
        return self._attributes.policy

    @property
    def key_type(self) -> KeyType:
        return self._attributes.type

    @property
    def bits(self) -> int:
        return self._attributes.bits

    def __repr__(self) -> str:
        return f"<parsec_sdk.Key {self._name!r} {self._attributes.type.name} {self._attributes.bits} bits>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and other._client is self._client and other._name == self._name

    def __hash__(self) -> int:
        return hash((id(self._client), self._name))

    # ---- algorithm defaults ---------------------------------------------------------------
    def signature_algorithm(self, hash_alg: Optional[Hash] = None, digest_length: Optional[int] = None
                            ) -> Algorithm:
        """The signature algorithm for this key: the policy, with ``hash_alg`` (or the hash
        matching ``digest_length``) filled in when the policy allows any hash."""
        policy = self.policy
        if not policy.is_asymmetric_signature():
            raise ValueError(f"key {self._name!r} is not a signature key (policy: {policy})")
        if policy.has_sign_hash() and policy.hash_alg == Hash.ANY:
            h = hash_alg
            if h is None and digest_length is not None:
                h = _HASH_BY_DIGEST_LENGTH.get(digest_length)
            if h is None:
                raise ValueError(f"key {self._name!r} allows any hash: pass alg= (or a digest of a known length)")
            return policy.with_hash(h)
        if hash_alg is not None and policy.has_sign_hash() and hash_alg != policy.hash_alg:
            return policy.with_hash(hash_alg)  # the service refuses it with NotPermitted
        return policy

    def _policy_of(self, predicate: str, what: str) -> Algorithm:
        policy = self.policy
        if not getattr(policy, predicate)():
            raise ValueError(f"key {self._name!r} is not {what} key (policy: {policy}); pass alg=")
        return policy

    # ---- signatures ----------------------------------------------------------------------------
    def sign_hash(self, digest: BytesLike, alg: Optional[Algorithm] = None) -> bytes:
        """Sign a digest (ECDSA: ``r || s``)."""
        digest = _data(digest, "digest", "PsaSignHash")
        alg = alg or self.signature_algorithm(digest_length=memoryview(digest).nbytes)
        return self._client.sign_hash(self._name, alg, digest)

    def verify_hash(self, digest: BytesLike, signature: BytesLike, alg: Optional[Algorithm] = None) -> bool:
        """``True`` if ``signature`` is valid for ``digest``, ``False`` if not."""
        digest = _data(digest, "digest", "PsaVerifyHash")
        alg = alg or self.signature_algorithm(digest_length=memoryview(digest).nbytes)
        return self._client.verify_hash(self._name, alg, digest, signature)

    def sign_message(self, message: BytesLike, alg: Optional[Algorithm] = None) -> bytes:
        """Sign a message; the service hashes it (needs PsaSignMessage in the provider)."""
        alg = alg or self.signature_algorithm()
        return self._client.sign_message(self._name, alg, message)

    def verify_message(self, message: BytesLike, signature: BytesLike, alg: Optional[Algorithm] = None) -> bool:
        """``True`` if ``signature`` is valid for ``message``, ``False`` if not."""
        alg = alg or self.signature_algorithm()
        return self._client.verify_message(self._name, alg, message, signature)

    # ---- encryption --------------------------------------------------------------------------------
    def encrypt(self, plaintext: BytesLike, alg: Optional[Algorithm] = None,
                salt: Optional[BytesLike] = None) -> bytes:
        """Asymmetric (RSA) encryption; ``salt`` is the OAEP label."""
        alg = alg or self._policy_of("is_asymmetric_encryption", "an asymmetric encryption")
        return self._client.asymmetric_encrypt(self._name, alg, plaintext, salt)

    def decrypt(self, ciphertext: BytesLike, alg: Optional[Algorithm] = None,
                salt: Optional[BytesLike] = None) -> bytes:
        """Asymmetric (RSA) decryption."""
        alg = alg or self._policy_of("is_asymmetric_encryption", "an asymmetric encryption")
        return self._client.asymmetric_decrypt(self._name, alg, ciphertext, salt)

    def aead_encrypt(self, nonce: BytesLike, plaintext: BytesLike, additional_data: BytesLike = b"",
                     alg: Optional[Algorithm] = None) -> bytes:
        """AEAD encryption: ciphertext || tag."""
        alg = alg or self._policy_of("is_aead", "an AEAD")
        return self._client.aead_encrypt(self._name, alg, nonce, plaintext, additional_data)

    def aead_decrypt(self, nonce: BytesLike, ciphertext: BytesLike, additional_data: BytesLike = b"",
                     alg: Optional[Algorithm] = None) -> bytes:
        """AEAD decryption of ciphertext || tag."""
        alg = alg or self._policy_of("is_aead", "an AEAD")
        return self._client.aead_decrypt(self._name, alg, nonce, ciphertext, additional_data)

    def _cipher_mode(self, mode: Optional[Cipher]) -> Cipher:
        if mode is not None:
            return Cipher(mode)
        if self.policy.cipher_mode == Cipher.NONE:
            raise ValueError(f"key {self._name!r} is not a cipher key (policy: {self.policy}); pass mode=")
        return self.policy.cipher_mode

    def cipher_encrypt(self, plaintext: BytesLike, mode: Optional[Cipher] = None) -> bytes:
        """Unauthenticated encryption: IV || ciphertext."""
        return self._client.cipher_encrypt(self._name, self._cipher_mode(mode), plaintext)

    def cipher_decrypt(self, ciphertext: BytesLike, mode: Optional[Cipher] = None) -> bytes:
        """Decrypt IV || ciphertext."""
        return self._client.cipher_decrypt(self._name, self._cipher_mode(mode), ciphertext)

    # ---- MAC, key agreement ------------------------------------------------------------------------
    def mac_compute(self, data: BytesLike, alg: Optional[Algorithm] = None) -> bytes:
        """Compute a MAC of ``data``."""
        alg = alg or self._policy_of("is_mac", "a MAC")
        return self._client.mac_compute(self._name, alg, data)

    def mac_verify(self, data: BytesLike, mac: BytesLike, alg: Optional[Algorithm] = None) -> bool:
        """``True`` if ``mac`` matches ``data``, ``False`` if not."""
        alg = alg or self._policy_of("is_mac", "a MAC")
        return self._client.mac_verify(self._name, alg, data, mac)

    def agree(self, peer_public_key: Union[BytesLike, "PublicKey"], alg: Optional[RawKeyAgreement] = None) -> bytes:
        """Raw key agreement with a peer's public key (bytes or a ``cryptography`` key)."""
        if alg is None:
            alg = self.policy.key_agreement_alg
            if alg == RawKeyAgreement.NONE:
                raise ValueError(f"key {self._name!r} is not a key agreement key (policy: {self.policy})")
        return self._client.raw_key_agreement(self._name, peer_public_key, alg)

    # ---- export and life cycle ----------------------------------------------------------------------
    def export_public_key(self) -> bytes:
        """The public key in PSA format (ECC: ``04 || X || Y``; RSA: PKCS#1 DER)."""
        return self._client.export_public_key(self._name)

    def export(self) -> bytes:
        """The key material in PSA format (needs the ``export`` usage flag)."""
        return self._client.export_key(self._name)

    def destroy(self) -> None:
        """Destroy the key in the service."""
        self._client.destroy_key(self._name)

    # ---- cryptography integration -------------------------------------------------------------------
    def public_key(self) -> "PublicKey":
        """The public key as a ``cryptography`` public key object."""
        from . import crypto

        return crypto.public_key_from_psa(self._attributes, self.export_public_key())

    def private_key(self) -> "ParsecPrivateKey":
        """A ``cryptography`` private key object (``EllipticCurvePrivateKey`` or
        ``RSAPrivateKey``) whose operations run in the service.

        Use it wherever ``cryptography`` takes a private key, e.g.
        ``x509.CertificateSigningRequestBuilder().sign(key.private_key(), hashes.SHA256())``.
        The private key never leaves the service: ``private_bytes`` and
        ``private_numbers`` raise.
        """
        from . import crypto

        return crypto.private_key(self)
