"""Value types: algorithms, usage flags, key attributes and discovery records.

All of them are frozen dataclasses (immutable, hashable, safe to share between
threads); derive a changed copy with :func:`dataclasses.replace` or the
``with_*`` helpers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Tuple

from . import _native
from ._enums import (
    AeadAlgorithm,
    AlgorithmKind,
    AuthType,
    Cipher,
    DhFamily,
    EccFamily,
    Hash,
    KeyType,
    ProviderId,
    RawKeyAgreement,
)

__all__ = [
    "ecdsa_hash_for_bits",
    "Algorithm",
    "UsageFlags",
    "KeyAttributes",
    "ProtocolVersion",
    "ProviderInfo",
    "AuthenticatorInfo",
    "KeyInfo",
]

_AlgTuple = Tuple[int, int, bool, int, int, int, int, int]
_FlagsTuple = Tuple[bool, bool, bool, bool, bool, bool, bool, bool, bool, bool]
_AttrTuple = Tuple[int, int, int, int, _FlagsTuple, _AlgTuple]

_SIGNATURE_KINDS = frozenset({
    AlgorithmKind.RSA_PKCS1V15_SIGN, AlgorithmKind.RSA_PKCS1V15_SIGN_RAW, AlgorithmKind.RSA_PSS,
    AlgorithmKind.ECDSA, AlgorithmKind.ECDSA_ANY, AlgorithmKind.DETERMINISTIC_ECDSA,
})
_HASH_AND_SIGN_KINDS = frozenset({
    AlgorithmKind.RSA_PKCS1V15_SIGN, AlgorithmKind.RSA_PSS, AlgorithmKind.ECDSA,
    AlgorithmKind.DETERMINISTIC_ECDSA,
})
_ECC_SIGNATURE_KINDS = frozenset({AlgorithmKind.ECDSA, AlgorithmKind.ECDSA_ANY, AlgorithmKind.DETERMINISTIC_ECDSA})
_MAC_KINDS = frozenset({AlgorithmKind.HMAC, AlgorithmKind.CBC_MAC, AlgorithmKind.CMAC})
_KDF_KINDS = frozenset({AlgorithmKind.HKDF, AlgorithmKind.TLS12_PRF, AlgorithmKind.TLS12_PSK_TO_MS})


@dataclass(frozen=True)
class Algorithm:
    """A PSA Crypto algorithm (an operation's algorithm or a key's policy).

    The wire's nested algorithm tree is flattened into a ``kind`` plus the few
    parameters a kind can carry, exactly like the C++ core's ``Algorithm``.
    Build values with the class methods rather than the constructor::

        Algorithm.ecdsa()                    # ECDSA with SHA-256 (the default hash)
        Algorithm.rsa_pss(Hash.SHA384)
        Algorithm.rsa_pss(Hash.ANY)          # policy wildcard: any hash
        Algorithm.aead_gcm()                 # default 16-byte tag
        Algorithm.truncated_mac(Algorithm.hmac(Hash.SHA256), 16)

    Attributes:
        kind: the variant.
        hash_alg: the hash parameter (``Hash.NONE`` when the kind has none).
        truncated: a truncated MAC or an AEAD with a shortened tag.
        length: the MAC or tag length in bytes when ``truncated`` (else 0).
        cipher_mode: for ``AlgorithmKind.CIPHER``.
        aead_alg: for ``AlgorithmKind.AEAD``.
        key_agreement_alg: for the key agreement kinds.
        kdf_kind: for ``KEY_AGREEMENT_WITH_DERIVATION``: HKDF, TLS12_PRF or TLS12_PSK_TO_MS.
    """

    kind: AlgorithmKind = AlgorithmKind.NONE
    hash_alg: Hash = Hash.NONE
    truncated: bool = False
    length: int = 0
    cipher_mode: Cipher = Cipher.NONE
    aead_alg: AeadAlgorithm = AeadAlgorithm.NONE
    key_agreement_alg: RawKeyAgreement = RawKeyAgreement.NONE
    kdf_kind: AlgorithmKind = AlgorithmKind.NONE

    def __post_init__(self) -> None:
        # Accept plain ints (and check them) by turning them into the enums.
        object.__setattr__(self, "kind", AlgorithmKind(self.kind))
        object.__setattr__(self, "hash_alg", Hash(self.hash_alg))
        object.__setattr__(self, "truncated", bool(self.truncated))
        object.__setattr__(self, "length", int(self.length))
        object.__setattr__(self, "cipher_mode", Cipher(self.cipher_mode))
        object.__setattr__(self, "aead_alg", AeadAlgorithm(self.aead_alg))
        object.__setattr__(self, "key_agreement_alg", RawKeyAgreement(self.key_agreement_alg))
        object.__setattr__(self, "kdf_kind", AlgorithmKind(self.kdf_kind))
        if self.length < 0:
            raise ValueError("length must not be negative")

    # ---- factories --------------------------------------------------------------------
    @classmethod
    def none(cls) -> "Algorithm":
        """No algorithm (a policy that allows no cryptographic use)."""
        return cls()

    @classmethod
    def hash(cls, h: Hash) -> "Algorithm":
        """A hash algorithm."""
        return cls(AlgorithmKind.HASH, hash_alg=h)

    @classmethod
    def hmac(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """HMAC with the full-length MAC."""
        return cls(AlgorithmKind.HMAC, hash_alg=h)

    @classmethod
    def cbc_mac(cls) -> "Algorithm":
        """CBC-MAC."""
        return cls(AlgorithmKind.CBC_MAC)

    @classmethod
    def cmac(cls) -> "Algorithm":
        """CMAC."""
        return cls(AlgorithmKind.CMAC)

    @classmethod
    def truncated_mac(cls, full_length_mac: "Algorithm", mac_length: int) -> "Algorithm":
        """``full_length_mac`` (hmac, cbc_mac or cmac) truncated to ``mac_length`` bytes."""
        if full_length_mac.kind not in _MAC_KINDS:
            raise ValueError("truncated_mac needs an hmac, cbc_mac or cmac algorithm")
        return dataclasses.replace(full_length_mac, truncated=True, length=mac_length)

    @classmethod
    def cipher(cls, mode: Cipher) -> "Algorithm":
        """An unauthenticated cipher mode."""
        return cls(AlgorithmKind.CIPHER, cipher_mode=mode)

    @classmethod
    def aead(cls, base: AeadAlgorithm) -> "Algorithm":
        """An AEAD algorithm with its default tag length."""
        return cls(AlgorithmKind.AEAD, aead_alg=base)

    @classmethod
    def aead_shortened_tag(cls, base: AeadAlgorithm, tag_length: int) -> "Algorithm":
        """An AEAD algorithm with its tag shortened to ``tag_length`` bytes."""
        return cls(AlgorithmKind.AEAD, aead_alg=base, truncated=True, length=tag_length)

    @classmethod
    def aead_ccm(cls, tag_length: int = 0) -> "Algorithm":
        """AES-CCM; ``tag_length`` 0 means the default tag."""
        return cls.aead(AeadAlgorithm.CCM) if tag_length == 0 else cls.aead_shortened_tag(AeadAlgorithm.CCM,
                                                                                           tag_length)

    @classmethod
    def aead_gcm(cls, tag_length: int = 0) -> "Algorithm":
        """AES-GCM; ``tag_length`` 0 means the default (16-byte) tag."""
        return cls.aead(AeadAlgorithm.GCM) if tag_length == 0 else cls.aead_shortened_tag(AeadAlgorithm.GCM,
                                                                                           tag_length)

    @classmethod
    def aead_chacha20_poly1305(cls, tag_length: int = 0) -> "Algorithm":
        """ChaCha20-Poly1305; ``tag_length`` 0 means the default tag."""
        if tag_length == 0:
            return cls.aead(AeadAlgorithm.CHACHA20_POLY1305)
        return cls.aead_shortened_tag(AeadAlgorithm.CHACHA20_POLY1305, tag_length)

    @classmethod
    def rsa_pkcs1v15_sign(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """RSA PKCS#1 v1.5 signature with hash ``h`` (``Hash.ANY`` in a policy: any hash)."""
        return cls(AlgorithmKind.RSA_PKCS1V15_SIGN, hash_alg=h)

    @classmethod
    def rsa_pkcs1v15_sign_raw(cls) -> "Algorithm":
        """RSA PKCS#1 v1.5 signature of an already encoded digest (no DigestInfo)."""
        return cls(AlgorithmKind.RSA_PKCS1V15_SIGN_RAW)

    @classmethod
    def rsa_pss(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """RSA-PSS with hash ``h``, MGF1 with the same hash and a salt as long as the hash."""
        return cls(AlgorithmKind.RSA_PSS, hash_alg=h)

    @classmethod
    def ecdsa(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """Randomized ECDSA with hash ``h`` (default SHA-256)."""
        return cls(AlgorithmKind.ECDSA, hash_alg=h)

    @classmethod
    def ecdsa_any(cls) -> "Algorithm":
        """ECDSA over a digest of any length, without a hash identifier."""
        return cls(AlgorithmKind.ECDSA_ANY)

    @classmethod
    def deterministic_ecdsa(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """Deterministic ECDSA (RFC 6979) with hash ``h``."""
        return cls(AlgorithmKind.DETERMINISTIC_ECDSA, hash_alg=h)

    @classmethod
    def rsa_pkcs1v15_crypt(cls) -> "Algorithm":
        """RSA PKCS#1 v1.5 encryption."""
        return cls(AlgorithmKind.RSA_PKCS1V15_CRYPT)

    @classmethod
    def rsa_oaep(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """RSA-OAEP with hash ``h`` (also the MGF1 hash)."""
        return cls(AlgorithmKind.RSA_OAEP, hash_alg=h)

    @classmethod
    def raw_key_agreement(cls, r: RawKeyAgreement) -> "Algorithm":
        """A raw key agreement (the shared secret is returned as is)."""
        return cls(AlgorithmKind.RAW_KEY_AGREEMENT, key_agreement_alg=r)

    @classmethod
    def ecdh(cls) -> "Algorithm":
        """Raw ECDH."""
        return cls.raw_key_agreement(RawKeyAgreement.ECDH)

    @classmethod
    def ffdh(cls) -> "Algorithm":
        """Raw finite-field Diffie-Hellman."""
        return cls.raw_key_agreement(RawKeyAgreement.FFDH)

    @classmethod
    def key_agreement_with_derivation(cls, r: RawKeyAgreement, kdf: "Algorithm") -> "Algorithm":
        """A key agreement whose output feeds ``kdf`` (hkdf, tls12_prf or tls12_psk_to_ms)."""
        if kdf.kind not in _KDF_KINDS:
            raise ValueError("the key derivation must be hkdf, tls12_prf or tls12_psk_to_ms")
        return cls(AlgorithmKind.KEY_AGREEMENT_WITH_DERIVATION, hash_alg=kdf.hash_alg, key_agreement_alg=r,
                   kdf_kind=kdf.kind)

    @classmethod
    def hkdf(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """HKDF with hash ``h``."""
        return cls(AlgorithmKind.HKDF, hash_alg=h)

    @classmethod
    def tls12_prf(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """The TLS 1.2 PRF with hash ``h``."""
        return cls(AlgorithmKind.TLS12_PRF, hash_alg=h)

    @classmethod
    def tls12_psk_to_ms(cls, h: Hash = Hash.SHA256) -> "Algorithm":
        """The TLS 1.2 PSK-to-master-secret derivation with hash ``h``."""
        return cls(AlgorithmKind.TLS12_PSK_TO_MS, hash_alg=h)

    # ---- predicates -------------------------------------------------------------------
    def is_mac(self) -> bool:
        """hmac, cbc_mac or cmac, truncated or not."""
        return self.kind in _MAC_KINDS

    def is_aead(self) -> bool:
        return self.kind == AlgorithmKind.AEAD

    def is_asymmetric_signature(self) -> bool:
        return self.kind in _SIGNATURE_KINDS

    def is_asymmetric_encryption(self) -> bool:
        return self.kind in (AlgorithmKind.RSA_PKCS1V15_CRYPT, AlgorithmKind.RSA_OAEP)

    def is_key_agreement(self) -> bool:
        return self.kind in (AlgorithmKind.RAW_KEY_AGREEMENT, AlgorithmKind.KEY_AGREEMENT_WITH_DERIVATION)

    def is_key_derivation(self) -> bool:
        return self.kind in _KDF_KINDS

    def has_sign_hash(self) -> bool:
        """A hash-and-sign signature (rsa_pkcs1v15_sign, rsa_pss, ecdsa, deterministic_ecdsa)."""
        return self.kind in _HASH_AND_SIGN_KINDS

    def is_ecc_signature(self) -> bool:
        """ecdsa, ecdsa_any or deterministic_ecdsa (the daemon returns ``r || s``)."""
        return self.kind in _ECC_SIGNATURE_KINDS

    def with_hash(self, h: Hash) -> "Algorithm":
        """A copy with another hash (e.g. a concrete hash for a ``Hash.ANY`` policy)."""
        return dataclasses.replace(self, hash_alg=h)

    # ---- conversion --------------------------------------------------------------------
    def _to_native(self) -> _AlgTuple:
        return (int(self.kind), int(self.hash_alg), self.truncated, self.length, int(self.cipher_mode),
                int(self.aead_alg), int(self.key_agreement_alg), int(self.kdf_kind))

    @classmethod
    def _from_native(cls, t: _AlgTuple) -> "Algorithm":
        kind, h, truncated, length, cipher, aead, agreement, kdf = t
        return cls(AlgorithmKind(kind), Hash(h), truncated, length, Cipher(cipher), AeadAlgorithm(aead),
                   RawKeyAgreement(agreement), AlgorithmKind(kdf))

    def __repr__(self) -> str:
        """The factory call that builds this value, e.g. ``Algorithm.ecdsa(Hash.SHA384)``."""
        k = self.kind
        h = f"Hash.{self.hash_alg.name}"
        if k == AlgorithmKind.NONE:
            return "Algorithm.none()"
        if k in _MAC_KINDS:
            full = f"Algorithm.hmac({h})" if k == AlgorithmKind.HMAC else f"Algorithm.{k.name.lower()}()"
            return f"Algorithm.truncated_mac({full}, {self.length})" if self.truncated else full
        if k == AlgorithmKind.CIPHER:
            return f"Algorithm.cipher(Cipher.{self.cipher_mode.name})"
        if k == AlgorithmKind.AEAD:
            if self.aead_alg == AeadAlgorithm.NONE:
                return f"Algorithm(AlgorithmKind.AEAD, truncated={self.truncated}, length={self.length})"
            tag = str(self.length) if self.truncated else ""
            return f"Algorithm.aead_{self.aead_alg.name.lower()}({tag})"
        if k == AlgorithmKind.RAW_KEY_AGREEMENT:
            if self.key_agreement_alg in (RawKeyAgreement.ECDH, RawKeyAgreement.FFDH):
                return f"Algorithm.{self.key_agreement_alg.name.lower()}()"
            return f"Algorithm.raw_key_agreement(RawKeyAgreement.{self.key_agreement_alg.name})"
        if k == AlgorithmKind.KEY_AGREEMENT_WITH_DERIVATION:
            return (f"Algorithm.key_agreement_with_derivation(RawKeyAgreement.{self.key_agreement_alg.name}, "
                    f"Algorithm.{self.kdf_kind.name.lower()}({h}))")
        if k in (AlgorithmKind.RSA_PKCS1V15_SIGN_RAW, AlgorithmKind.ECDSA_ANY, AlgorithmKind.RSA_PKCS1V15_CRYPT):
            return f"Algorithm.{k.name.lower()}()"
        # The kinds with a hash parameter: hash, signatures, OAEP, KDFs.
        return f"Algorithm.{k.name.lower()}({h})"

    def __str__(self) -> str:
        """The same as :func:`repr`: the factory call, e.g. ``Algorithm.ecdsa(Hash.SHA256)``."""
        return repr(self)

    def reference_string(self) -> str:
        """The rendering of parsec-cli and the reference tool (parsec-tool), e.g.
        ``AsymmetricSignature(Ecdsa { hash_alg: Specific(Sha256) })``, to compare with their output."""
        return _native.algorithm_to_string(self._to_native())


def ecdsa_hash_for_bits(bits: int) -> Hash:
    """The hash that matches an elliptic curve of ``bits`` bits: SHA-256 up to 256
    bits (P-256), SHA-384 up to 384 (P-384), SHA-512 above (P-521)."""
    if bits <= 256:
        return Hash.SHA256
    if bits <= 384:
        return Hash.SHA384
    return Hash.SHA512


def _default_ecc_policy(bits: int, family: EccFamily) -> Algorithm:
    if EccFamily(family) == EccFamily.MONTGOMERY:
        return Algorithm.ecdh()
    return Algorithm.ecdsa(ecdsa_hash_for_bits(bits))


@dataclass(frozen=True)
class UsageFlags:
    """What a key may be used for (PSA usage flags)."""

    export: bool = False
    copy: bool = False
    cache: bool = False
    encrypt: bool = False
    decrypt: bool = False
    sign_message: bool = False
    verify_message: bool = False
    sign_hash: bool = False
    verify_hash: bool = False
    derive: bool = False

    def __repr__(self) -> str:
        """The flags that are set, e.g. ``UsageFlags(sign_hash=True, verify_hash=True)``."""
        set_flags = [f"{f.name}=True" for f in dataclasses.fields(self) if getattr(self, f.name)]
        return f"UsageFlags({', '.join(set_flags)})"

    @classmethod
    def for_policy(cls, policy: Algorithm) -> "UsageFlags":
        """The flags a key needs to be used with ``policy`` (signatures: sign/verify hash and
        message; encryption, cipher, AEAD: encrypt/decrypt; MACs: sign/verify message; key
        agreement and derivation: derive)."""
        return cls._from_native(_native.usage_flags_for_policy(policy._to_native()))

    def _to_native(self) -> _FlagsTuple:
        return (self.export, self.copy, self.cache, self.encrypt, self.decrypt, self.sign_message,
                self.verify_message, self.sign_hash, self.verify_hash, self.derive)

    @classmethod
    def _from_native(cls, t: _FlagsTuple) -> "UsageFlags":
        return cls(*(bool(x) for x in t))


@dataclass(frozen=True)
class KeyAttributes:
    """Type, size and policy of a key.

    Use the builders, which set the usage flags the policy needs; every policy
    argument has a safe default::

        KeyAttributes.ecc_key_pair()                 # P-256, ECDSA with SHA-256
        KeyAttributes.rsa_key_pair(3072)             # RSA-PSS with SHA-256, salt = hash length
        KeyAttributes.rsa_key_pair(2048, Algorithm.rsa_oaep(Hash.SHA256))
        KeyAttributes.ecc_key_pair().with_usage(export=True)   # also exportable

    Attributes:
        type: the key type.
        bits: the size in bits (0 = take it from the data, for an import).
        policy: the one algorithm the key may be used with.
        flags: the usage flags.
        family: the curve family of ECC keys.
        dh_family: the group family of DH keys.
    """

    type: KeyType
    bits: int = 0
    policy: Algorithm = field(default_factory=Algorithm)
    flags: UsageFlags = field(default_factory=UsageFlags)
    family: EccFamily = EccFamily.NONE
    dh_family: DhFamily = DhFamily.RFC7919

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", KeyType(self.type))
        object.__setattr__(self, "family", EccFamily(self.family))
        object.__setattr__(self, "dh_family", DhFamily(self.dh_family))
        object.__setattr__(self, "bits", int(self.bits))
        if self.bits < 0:
            raise ValueError("bits must not be negative")

    def __repr__(self) -> str:
        """Only the fields that apply to the key type (no curve for RSA, no DH group for ECC)."""
        parts = [f"type=KeyType.{self.type.name}"]
        if self.is_ecc or self.family != EccFamily.NONE:
            parts.append(f"family=EccFamily.{self.family.name}")
        if self.is_dh:
            parts.append(f"dh_family=DhFamily.{self.dh_family.name}")
        parts += [f"bits={self.bits}", f"policy={self.policy!r}", f"flags={self.flags!r}"]
        return f"KeyAttributes({', '.join(parts)})"

    # ---- builders -------------------------------------------------------------------------
    @classmethod
    def _build(cls, key_type: KeyType, bits: int, policy: Algorithm, family: EccFamily = EccFamily.NONE
               ) -> "KeyAttributes":
        return cls._from_native(_native.build_attributes(int(key_type), bits, policy._to_native(), int(family)))

    @classmethod
    def ecc_key_pair(cls, bits: int = 256, policy: Optional[Algorithm] = None,
                     family: EccFamily = EccFamily.SECP_R1) -> "KeyAttributes":
        """An ECC key pair; default P-256 (SECP_R1, 256 bits).

        The default policy is ECDSA with the hash that matches the curve size
        (:func:`ecdsa_hash_for_bits`: P-256 SHA-256, P-384 SHA-384, P-521
        SHA-512, as TLS 1.3's ``ecdsa_secp384r1_sha384`` etc. need); ECDH for
        Montgomery curves (X25519, X448).
        """
        return cls._build(KeyType.ECC_KEY_PAIR, bits, policy or _default_ecc_policy(bits, family), family)

    @classmethod
    def ecc_public_key(cls, bits: int = 256, policy: Optional[Algorithm] = None,
                       family: EccFamily = EccFamily.SECP_R1) -> "KeyAttributes":
        """An ECC public key (verify only); default P-256, ECDSA with the curve's hash (see :meth:`ecc_key_pair`)."""
        return cls._build(KeyType.ECC_PUBLIC_KEY, bits, policy or _default_ecc_policy(bits, family), family)

    @classmethod
    def rsa_key_pair(cls, bits: int = 2048, policy: Optional[Algorithm] = None) -> "KeyAttributes":
        """An RSA key pair; default 2048 bits, RSA-PSS with SHA-256 (salt = hash length)."""
        return cls._build(KeyType.RSA_KEY_PAIR, bits, policy or Algorithm.rsa_pss(Hash.SHA256))

    @classmethod
    def rsa_public_key(cls, bits: int = 2048, policy: Optional[Algorithm] = None) -> "KeyAttributes":
        """An RSA public key (verify / encrypt only); default RSA-PSS with SHA-256."""
        return cls._build(KeyType.RSA_PUBLIC_KEY, bits, policy or Algorithm.rsa_pss(Hash.SHA256))

    @classmethod
    def dh_key_pair(cls, bits: int = 2048, policy: Optional[Algorithm] = None) -> "KeyAttributes":
        """A finite-field DH key pair (RFC 7919 groups); default raw FFDH."""
        return cls._build(KeyType.DH_KEY_PAIR, bits, policy or Algorithm.ffdh())

    @classmethod
    def dh_public_key(cls, bits: int = 2048, policy: Optional[Algorithm] = None) -> "KeyAttributes":
        """A finite-field DH public key."""
        return cls._build(KeyType.DH_PUBLIC_KEY, bits, policy or Algorithm.ffdh())

    @classmethod
    def aes(cls, bits: int = 256, policy: Optional[Algorithm] = None) -> "KeyAttributes":
        """An AES key; default 256 bits for AES-GCM with a 16-byte tag."""
        return cls._build(KeyType.AES, bits, policy or Algorithm.aead_gcm())

    @classmethod
    def hmac(cls, bits: int = 256, policy: Optional[Algorithm] = None) -> "KeyAttributes":
        """An HMAC key; default 256 bits for HMAC-SHA-256."""
        return cls._build(KeyType.HMAC, bits, policy or Algorithm.hmac(Hash.SHA256))

    @classmethod
    def of_type(cls, key_type: KeyType, bits: int, policy: Algorithm) -> "KeyAttributes":
        """Any other key type (RAW_DATA, DERIVE, CHACHA20, ...) with flags for ``policy``."""
        return cls._build(KeyType(key_type), bits, policy)

    def with_usage(self, **flags: bool) -> "KeyAttributes":
        """A copy with some usage flags changed, e.g. ``attrs.with_usage(export=True)``."""
        return dataclasses.replace(self, flags=dataclasses.replace(self.flags, **flags))

    def with_policy(self, policy: Algorithm) -> "KeyAttributes":
        """A copy with another policy (the usage flags are kept)."""
        return dataclasses.replace(self, policy=policy)

    # ---- predicates -----------------------------------------------------------------------
    @property
    def is_public_key(self) -> bool:
        return self.type in (KeyType.RSA_PUBLIC_KEY, KeyType.ECC_PUBLIC_KEY, KeyType.DH_PUBLIC_KEY)

    @property
    def is_ecc(self) -> bool:
        return self.type in (KeyType.ECC_KEY_PAIR, KeyType.ECC_PUBLIC_KEY)

    @property
    def is_rsa(self) -> bool:
        return self.type in (KeyType.RSA_KEY_PAIR, KeyType.RSA_PUBLIC_KEY)

    @property
    def is_dh(self) -> bool:
        return self.type in (KeyType.DH_KEY_PAIR, KeyType.DH_PUBLIC_KEY)

    def type_string(self) -> str:
        """The reference tool's rendering of the type, e.g. ``EccKeyPair { curve_family: SecpR1 }``."""
        return _native.key_type_to_string(self._to_native())

    # ---- conversion --------------------------------------------------------------------------
    def _to_native(self) -> _AttrTuple:
        return (int(self.type), int(self.family), int(self.dh_family), self.bits, self.flags._to_native(),
                self.policy._to_native())

    @classmethod
    def _from_native(cls, t: _AttrTuple) -> "KeyAttributes":
        key_type, family, dh_family, bits, flags, policy = t
        return cls(type=KeyType(key_type), bits=bits, policy=Algorithm._from_native(policy),
                   flags=UsageFlags._from_native(flags), family=EccFamily(family), dh_family=DhFamily(dh_family))


class ProtocolVersion(NamedTuple):
    """The wire protocol version answered by ping (1.0)."""

    major: int
    minor: int


@dataclass(frozen=True)
class ProviderInfo:
    """A provider, as listed by :meth:`Client.list_providers`."""

    id: ProviderId
    uuid: str
    description: str
    vendor: str
    version: Tuple[int, int, int]

    @property
    def name(self) -> str:
        """E.g. ``"Mbed Crypto provider"``."""
        return self.id.display_name


@dataclass(frozen=True)
class AuthenticatorInfo:
    """An authenticator, as listed by :meth:`Client.list_authenticators`."""

    id: AuthType
    description: str
    version: Tuple[int, int, int]


@dataclass(frozen=True)
class KeyInfo:
    """A key of the caller, as listed by :meth:`Client.list_keys`."""

    name: str
    provider: ProviderId
    attributes: KeyAttributes
