"""Checks made before a request is sent.

The service is the authority on every rule, but over the wire a refused
request comes back as a bare status (``PsaErrorInvalidArgument``), with no hint
of what was wrong. The mistakes the client can see for itself are caught here
with a message naming the argument and the rule:

* a ``str`` (or anything else) where a bytes-like value is expected: a
  ``TypeError`` saying which argument, instead of pybind11's signature dump;
* a key name the service refuses whatever the provider (the rules of the
  service's key-name check): :class:`InvalidArgument`;
* a digest whose length is not that of the algorithm's hash: :class:`InvalidArgument`;
* an RSA size no provider supports: :class:`InvalidArgument`.

The :class:`InvalidArgument` raised here has ``from_service=False``; it is the
exception (and the ``ValueError``) the service's answer would have raised.
"""

from __future__ import annotations

from typing import Union

from . import _native
from ._enums import Hash, KeyType, Status
from ._errors import InvalidArgument
from ._types import Algorithm, KeyAttributes

BytesLike = Union[bytes, bytearray, memoryview]

#: Longest key name the service accepts, in UTF-8 bytes.
MAX_KEY_NAME_BYTES = 1024
#: RSA sizes outside [MIN, MAX] or not a multiple of 8 are supported by no provider.
MIN_RSA_BITS = 1024
MAX_RSA_BITS = 8192


def invalid(operation: str, detail: str, key_name: Union[str, None] = None) -> InvalidArgument:
    """A client-side InvalidArgument for ``operation``, worded like the core's errors."""
    return InvalidArgument(f"{operation} failed: PsaErrorInvalidArgument: {detail}", Status.PSA_ERROR_INVALID_ARGUMENT,
                           operation, detail, False, key_name)


def bytes_like(value: object, argument: str, operation: str) -> BytesLike:
    """``value`` if it is bytes-like (supports the buffer protocol and is not text); else a TypeError."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return value
    if isinstance(value, str):
        raise TypeError(f"{operation}: {argument} must be bytes-like (bytes, bytearray or memoryview), not str; "
                        f"encode text first, e.g. {argument}.encode()")
    try:
        return memoryview(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{operation}: {argument} must be bytes-like (bytes, bytearray or memoryview), "
                        f"not {type(value).__name__}") from None


def key_name(name: object, operation: str) -> str:
    """``name`` if the service can accept it as a key name, else TypeError / InvalidArgument."""
    if not isinstance(name, str):
        raise TypeError(f"{operation}: the key name must be a str (or a parsec_sdk.Key), not {type(name).__name__}")
    if not name:
        raise invalid(operation, "the key name is empty; key names are 1 to 1024 bytes of UTF-8")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(operation, f"the key name {name!r} cannot be encoded in UTF-8 (lone surrogate)",
                      name) from None
    if len(encoded) > MAX_KEY_NAME_BYTES:
        raise invalid(operation, f"the key name is {len(encoded)} bytes of UTF-8; the limit is {MAX_KEY_NAME_BYTES}",
                      name)
    for ch in name:
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            raise invalid(operation, f"the key name {name!r} contains the control character U+{ord(ch):04X}", name)
    return name


def digest_length(alg: Algorithm, digest: BytesLike, operation: str, name: str) -> None:
    """The digest must be as long as the hash of a hash-and-sign algorithm names."""
    if not alg.has_sign_hash() or alg.hash_alg in (Hash.NONE, Hash.ANY):
        return
    expected = _native.hash_length(int(alg.hash_alg))
    got = memoryview(digest).nbytes
    if expected and got != expected:
        raise invalid(operation, f"the digest is {got} bytes but {alg.hash_alg.name.replace('_', '-')} digests are "
                      f"{expected} bytes (the key's algorithm is {alg!r}); hash the message first or use "
                      f"sign_message", name)


def attributes(attrs: KeyAttributes, operation: str, name: str) -> None:
    """Sizes that no provider supports."""
    if attrs.type in (KeyType.RSA_KEY_PAIR, KeyType.RSA_PUBLIC_KEY) and attrs.bits != 0:
        bits = attrs.bits
        if bits < MIN_RSA_BITS or bits > MAX_RSA_BITS or bits % 8 != 0:
            raise invalid(operation, f"RSA size {bits} bits is not supported: RSA keys are {MIN_RSA_BITS} to "
                          f"{MAX_RSA_BITS} bits in steps of 8 (1024, 2048, 3072 and 4096 work with every provider)",
                          name)
