"""The exception hierarchy of parsec_sdk: one class for every wire status.

Every failure reported by the Parsec service or detected by the client core
raises a subclass of :class:`ParsecError`. ``.status`` is the
:class:`~parsec_sdk.Status`; the class is chosen by the status alone, so
``except parsec_sdk.KeyNotFound`` catches exactly ``PsaErrorDoesNotExist``.

Hierarchy::

    ParsecError
    ├── ProtocolError            wire / encoding problems (statuses 1-4, 6-10, 16-18, 20)
    ├── AuthError                authentication and authorisation (11-13, 19, 21)
    ├── ServiceUnavailable       ConnectionError (15): cannot connect, I/O failure, timeout
    │                            (also a builtins.ConnectionError)
    ├── ProviderNotRegistered, KeyInfoManagerError, DeprecatedPrimitive
    └── PsaError                 PSA Crypto errors (1132-1153)
        ├── KeyNotFound          (also a LookupError)
        ├── InvalidArgument      (also a ValueError)
        └── ...

:func:`exception_for_status` gives the class of a status.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Dict, Optional, Type

from ._enums import Status

__all__ = [
    "ParsecError",
    "ProtocolError",
    "AuthError",
    "PsaError",
    "WrongProviderId",
    "ContentTypeNotSupported",
    "AcceptTypeNotSupported",
    "WireProtocolVersionNotSupported",
    "ProviderNotRegistered",
    "ProviderDoesNotExist",
    "DeserializingBodyFailed",
    "SerializingBodyFailed",
    "OpcodeDoesNotExist",
    "ResponseTooLarge",
    "AuthenticationFailed",
    "AuthenticatorDoesNotExist",
    "AuthenticatorNotRegistered",
    "KeyInfoManagerError",
    "ServiceUnavailable",
    "InvalidEncoding",
    "InvalidHeader",
    "WrongProviderUuid",
    "NotAuthenticated",
    "BodySizeExceedsLimit",
    "AdminOperationRequired",
    "DeprecatedPrimitive",
    "GenericError",
    "NotPermitted",
    "NotSupported",
    "InvalidArgument",
    "InvalidHandle",
    "BadState",
    "BufferTooSmall",
    "KeyAlreadyExists",
    "KeyNotFound",
    "InsufficientMemory",
    "InsufficientStorage",
    "InsufficientData",
    "CommunicationFailure",
    "StorageFailure",
    "HardwareFailure",
    "InsufficientEntropy",
    "InvalidSignature",
    "InvalidPadding",
    "CorruptionDetected",
    "DataCorrupt",
    "DataInvalid",
    "exception_for_status",
]


class ParsecError(Exception):
    """Base class of every error of the Parsec client.

    Attributes:
        status: the :class:`~parsec_sdk.Status` (wire status) of the failure.
        operation: the operation that failed (``"PsaSignHash"``), or ``""``.
        detail: the human explanation (for service statuses, the status description).
        from_service: ``True`` if the service answered the status, ``False`` if
            the client detected the failure itself (cannot connect, bad response...).
        key_name: the key the operation was about, when there was one.
    """

    #: Status of the class (``None`` only for the abstract group classes).
    default_status: ClassVar[Optional[Status]] = None

    def __init__(
        self,
        message: str,
        status: Optional[Status] = None,
        operation: str = "",
        detail: str = "",
        from_service: bool = False,
        key_name: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if status is None:
            status = self.default_status
        if status is None:
            raise TypeError(f"{type(self).__name__} needs a status")
        self.message = message
        self.status: Status = Status(status)
        self.operation = operation
        self.detail = detail
        self.from_service = from_service
        self.key_name = key_name

    def __str__(self) -> str:
        if self.key_name is not None and f'"{self.key_name}"' not in self.message:
            return f"{self.message} (key {self.key_name!r})"
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status.spec_name})"

    def __reduce__(self) -> Any:
        return (
            _rebuild,
            (type(self), self.message, int(self.status), self.operation, self.detail, self.from_service,
             self.key_name),
        )


def _rebuild(cls: Type[ParsecError], message: str, status: int, operation: str, detail: str,
             from_service: bool, key_name: Optional[str]) -> ParsecError:
    return cls(message, Status(status), operation, detail, from_service, key_name)


class ProtocolError(ParsecError):
    """The request or the response broke the wire protocol or a content rule."""


class AuthError(ParsecError):
    """The caller could not be authenticated or is not allowed to do this."""


class PsaError(ParsecError):
    """An error of the PSA Crypto API (statuses 1132-1153)."""


# One class per error status. Written out so that type checkers and readers see
# every class; _BY_STATUS is filled from them below.

class WrongProviderId(ProtocolError):
    """The response came from another provider than the one asked."""

    default_status = Status.WRONG_PROVIDER_ID


class ContentTypeNotSupported(ProtocolError):
    """Content type not supported."""

    default_status = Status.CONTENT_TYPE_NOT_SUPPORTED


class AcceptTypeNotSupported(ProtocolError):
    """Accept type not supported."""

    default_status = Status.ACCEPT_TYPE_NOT_SUPPORTED


class WireProtocolVersionNotSupported(ProtocolError):
    """Wire protocol version not supported."""

    default_status = Status.WIRE_PROTOCOL_VERSION_NOT_SUPPORTED


class ProviderNotRegistered(ParsecError):
    """No provider of this ID is running in the service."""

    default_status = Status.PROVIDER_NOT_REGISTERED


class ProviderDoesNotExist(ProtocolError):
    """The provider ID is not a defined value."""

    default_status = Status.PROVIDER_DOES_NOT_EXIST


class DeserializingBodyFailed(ProtocolError):
    """A body could not be decoded."""

    default_status = Status.DESERIALIZING_BODY_FAILED


class SerializingBodyFailed(ProtocolError):
    """A body could not be encoded."""

    default_status = Status.SERIALIZING_BODY_FAILED


class OpcodeDoesNotExist(ProtocolError):
    """The operation is not recognised."""

    default_status = Status.OPCODE_DOES_NOT_EXIST


class ResponseTooLarge(ProtocolError):
    """The response would exceed a configured limit."""

    default_status = Status.RESPONSE_TOO_LARGE


class AuthenticationFailed(AuthError):
    """The authenticator rejected the caller."""

    default_status = Status.AUTHENTICATION_ERROR


class AuthenticatorDoesNotExist(AuthError):
    """The authentication type is not a defined value."""

    default_status = Status.AUTHENTICATOR_DOES_NOT_EXIST


class AuthenticatorNotRegistered(AuthError):
    """No usable authenticator of this type is configured (or the client cannot use it)."""

    default_status = Status.AUTHENTICATOR_NOT_REGISTERED


class KeyInfoManagerError(ParsecError):
    """The service's key store failed."""

    default_status = Status.KEY_INFO_MANAGER_ERROR


class ServiceUnavailable(ParsecError, builtins.ConnectionError):
    """The service cannot be reached or the connection failed.

    Raised when the socket does not exist or refuses the connection, when the
    connection is closed or times out, and when the service answers
    ``ConnectionError``. Also a :class:`builtins.ConnectionError`.
    """

    default_status = Status.CONNECTION_ERROR


class InvalidEncoding(ProtocolError):
    """A value is not valid for its data type."""

    default_status = Status.INVALID_ENCODING


class InvalidHeader(ProtocolError):
    """A constant header field is wrong."""

    default_status = Status.INVALID_HEADER


class WrongProviderUuid(ProtocolError):
    """A provider UUID is malformed."""

    default_status = Status.WRONG_PROVIDER_UUID


class NotAuthenticated(AuthError):
    """The operation needs an authenticated caller (no authentication was sent)."""

    default_status = Status.NOT_AUTHENTICATED


class BodySizeExceedsLimit(ProtocolError):
    """A body is larger than the limit."""

    default_status = Status.BODY_SIZE_EXCEEDS_LIMIT


class AdminOperationRequired(AuthError):
    """The operation needs admin rights."""

    default_status = Status.ADMIN_OPERATION


class DeprecatedPrimitive(ParsecError):
    """The key template uses a deprecated algorithm or key type."""

    default_status = Status.DEPRECATED_PRIMITIVE


class GenericError(PsaError):
    """Failure with no more specific cause."""

    default_status = Status.PSA_ERROR_GENERIC_ERROR


class NotPermitted(PsaError):
    """Denied by the key's policy (usage flags, permitted algorithm)."""

    default_status = Status.PSA_ERROR_NOT_PERMITTED


class NotSupported(PsaError):
    """Operation or parameter not supported by the provider."""

    default_status = Status.PSA_ERROR_NOT_SUPPORTED


class InvalidArgument(PsaError, builtins.ValueError):
    """Invalid parameters (wrong hash length, bad key size, bad name...). Also a ValueError."""

    default_status = Status.PSA_ERROR_INVALID_ARGUMENT


class InvalidHandle(PsaError):
    """The key handle is not valid."""

    default_status = Status.PSA_ERROR_INVALID_HANDLE


class BadState(PsaError):
    """Not possible in the current state."""

    default_status = Status.PSA_ERROR_BAD_STATE


class BufferTooSmall(PsaError):
    """An output buffer is too small."""

    default_status = Status.PSA_ERROR_BUFFER_TOO_SMALL


class KeyAlreadyExists(PsaError):
    """A key with this name already exists."""

    default_status = Status.PSA_ERROR_ALREADY_EXISTS


class KeyNotFound(PsaError, builtins.LookupError):
    """No key of this name exists for this caller. Also a LookupError."""

    default_status = Status.PSA_ERROR_DOES_NOT_EXIST


class InsufficientMemory(PsaError):
    """Not enough runtime memory."""

    default_status = Status.PSA_ERROR_INSUFFICIENT_MEMORY


class InsufficientStorage(PsaError):
    """Not enough persistent storage."""

    default_status = Status.PSA_ERROR_INSUFFICIENT_STORAGE


class InsufficientData(PsaError):
    """Not enough data when reading a resource."""

    default_status = Status.PSA_ERROR_INSUFFICIENT_DATA


class CommunicationFailure(PsaError):
    """Communication failure inside the implementation."""

    default_status = Status.PSA_ERROR_COMMUNICATION_FAILURE


class StorageFailure(PsaError):
    """Storage failure, possible data loss."""

    default_status = Status.PSA_ERROR_STORAGE_FAILURE


class HardwareFailure(PsaError):
    """Hardware failure."""

    default_status = Status.PSA_ERROR_HARDWARE_FAILURE


class InsufficientEntropy(PsaError):
    """Not enough entropy."""

    default_status = Status.PSA_ERROR_INSUFFICIENT_ENTROPY


class InvalidSignature(PsaError):
    """A signature, MAC or hash does not match. (The verify methods return False instead.)"""

    default_status = Status.PSA_ERROR_INVALID_SIGNATURE


class InvalidPadding(PsaError):
    """The decrypted padding is wrong."""

    default_status = Status.PSA_ERROR_INVALID_PADDING


class CorruptionDetected(PsaError):
    """Tampering detected."""

    default_status = Status.PSA_ERROR_CORRUPTION_DETECTED


class DataCorrupt(PsaError):
    """Stored data is corrupted."""

    default_status = Status.PSA_ERROR_DATA_CORRUPT


class DataInvalid(PsaError):
    """Stored data is not valid for this implementation."""

    default_status = Status.PSA_ERROR_DATA_INVALID

_BY_STATUS: Dict[Status, Type[ParsecError]] = {}


def _register(cls: Type[ParsecError]) -> None:
    for sub in cls.__subclasses__():
        if sub.default_status is not None:
            assert sub.default_status not in _BY_STATUS, sub
            _BY_STATUS[sub.default_status] = sub
            sub.__module__ = "parsec_sdk"
        _register(sub)


_register(ParsecError)
for _group in (ParsecError, ProtocolError, AuthError, PsaError):
    _group.__module__ = "parsec_sdk"
del _group


def exception_for_status(status: int) -> Type[ParsecError]:
    """Return the exception class raised for ``status`` (``ValueError`` for 0 or an undefined value)."""
    s = Status(status)
    try:
        return _BY_STATUS[s]
    except KeyError:
        raise ValueError(f"{s.spec_name} is not an error status") from None


def _from_native(status: int, operation: str, detail: str, from_service: bool, message: str) -> ParsecError:
    """Build the exception for a C++ parsec::client::Error (called by the extension)."""
    try:
        s = Status(status)
        cls = _BY_STATUS[s]
    except (ValueError, KeyError):
        # Cannot happen with the C++ core (it maps undefined statuses to
        # InvalidEncoding); keep the information anyway.
        return InvalidEncoding(f"{message} (status {status})", Status.INVALID_ENCODING, operation, detail,
                               from_service)
    return cls(message, s, operation, detail, from_service)
