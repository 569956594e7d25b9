package parsec

import (
	"fmt"

	"github.com/parsec-cpp/parsec-cpp/sdk-go/internal/native"
)

// Status is a Parsec wire status code (the response header's status field):
// 0 is success, 1-22 are service codes, 1132-1153 are PSA Crypto codes. A
// Status is also an error, so each one is a sentinel for errors.Is:
//
//	if errors.Is(err, parsec.ErrKeyNotFound) { ... }
//
// matches every *Error whose Status is PsaErrorDoesNotExist.
type Status uint16

// Wire status codes (docs/protocol.md; parsec/interface/wire.h).
const (
	StatusSuccess                         Status = 0
	StatusWrongProviderID                 Status = 1
	StatusContentTypeNotSupported         Status = 2
	StatusAcceptTypeNotSupported          Status = 3
	StatusWireProtocolVersionNotSupported Status = 4
	StatusProviderNotRegistered           Status = 5
	StatusProviderDoesNotExist            Status = 6
	StatusDeserializingBodyFailed         Status = 7
	StatusSerializingBodyFailed           Status = 8
	StatusOpcodeDoesNotExist              Status = 9
	StatusResponseTooLarge                Status = 10
	StatusAuthenticationError             Status = 11
	StatusAuthenticatorDoesNotExist       Status = 12
	StatusAuthenticatorNotRegistered      Status = 13
	StatusKeyInfoManagerError             Status = 14
	StatusConnectionError                 Status = 15
	StatusInvalidEncoding                 Status = 16
	StatusInvalidHeader                   Status = 17
	StatusWrongProviderUUID               Status = 18
	StatusNotAuthenticated                Status = 19
	StatusBodySizeExceedsLimit            Status = 20
	StatusAdminOperation                  Status = 21
	StatusDeprecatedPrimitive             Status = 22
	StatusPsaErrorGenericError            Status = 1132
	StatusPsaErrorNotPermitted            Status = 1133
	StatusPsaErrorNotSupported            Status = 1134
	StatusPsaErrorInvalidArgument         Status = 1135
	StatusPsaErrorInvalidHandle           Status = 1136
	StatusPsaErrorBadState                Status = 1137
	StatusPsaErrorBufferTooSmall          Status = 1138
	StatusPsaErrorAlreadyExists           Status = 1139
	StatusPsaErrorDoesNotExist            Status = 1140
	StatusPsaErrorInsufficientMemory      Status = 1141
	StatusPsaErrorInsufficientStorage     Status = 1142
	StatusPsaErrorInsufficientData        Status = 1143
	StatusPsaErrorCommunicationFailure    Status = 1145
	StatusPsaErrorStorageFailure          Status = 1146
	StatusPsaErrorHardwareFailure         Status = 1147
	StatusPsaErrorInsufficientEntropy     Status = 1148
	StatusPsaErrorInvalidSignature        Status = 1149
	StatusPsaErrorInvalidPadding          Status = 1150
	StatusPsaErrorCorruptionDetected      Status = 1151
	StatusPsaErrorDataCorrupt             Status = 1152
	StatusPsaErrorDataInvalid             Status = 1153
)

// Sentinel errors for the statuses services act on. Each is a Status, so
// errors.Is(err, ErrX) holds for every *Error carrying that status.
var (
	// ErrKeyNotFound: no key of that name exists for this application.
	ErrKeyNotFound error = StatusPsaErrorDoesNotExist
	// ErrAlreadyExists: a key of that name exists already.
	ErrAlreadyExists error = StatusPsaErrorAlreadyExists
	// ErrNotPermitted: the key's policy (usage flags, permitted algorithm)
	// forbids the operation. The SDK also returns it, before any request,
	// when a crypto.Signer/Decrypter option does not fit the key's policy.
	ErrNotPermitted error = StatusPsaErrorNotPermitted
	// ErrInvalidSignature: a verification failed.
	ErrInvalidSignature error = StatusPsaErrorInvalidSignature
	// ErrNotSupported: the provider does not support the algorithm/operation.
	ErrNotSupported error = StatusPsaErrorNotSupported
	// ErrInvalidArgument: a parameter is not valid for the operation.
	ErrInvalidArgument error = StatusPsaErrorInvalidArgument
	// ErrServiceUnavailable: the client could not reach the service (no socket,
	// connection refused or reset, timeout).
	ErrServiceUnavailable error = StatusConnectionError
	// ErrAdminOperation: the operation is reserved to the service's admins.
	ErrAdminOperation error = StatusAdminOperation
	// ErrAuthentication: the service rejected the request's authentication.
	ErrAuthentication error = StatusAuthenticationError
	// ErrNotAuthenticated: the operation needs an identity and none was sent.
	ErrNotAuthenticated error = StatusNotAuthenticated
	// ErrProviderNotRegistered: the chosen provider is not running in the service.
	ErrProviderNotRegistered error = StatusProviderNotRegistered
	// ErrOpcodeNotSupported: the provider does not implement the operation.
	ErrOpcodeNotSupported error = StatusOpcodeDoesNotExist
	// ErrInvalidPadding: a decryption found invalid padding.
	ErrInvalidPadding error = StatusPsaErrorInvalidPadding
	// ErrClosed is returned by every method of a closed Client.
	ErrClosed = fmt.Errorf("parsec: client is closed")
)

// String returns the spec name of the status ("PsaErrorDoesNotExist").
func (s Status) String() string { return native.Status_name_of(int(s)) }

// Error makes a Status usable as a sentinel error.
func (s Status) Error() string { return "parsec: " + s.String() }

// Error is the error of every failed request: the wire status, the operation
// ("PsaSignHash"), a human detail and whether the service answered the status
// (FromService) or the client found it (cannot connect, malformed response,
// a key policy that does not fit the call). Use errors.As to read it and
// errors.Is with a Status (or a sentinel) to test it.
type Error struct {
	Status      Status
	Operation   string
	Detail      string
	FromService bool
}

func (e *Error) Error() string {
	prefix := "parsec: "
	if e.Operation != "" {
		prefix += e.Operation + " failed: "
	}
	if e.FromService || e.Detail == "" {
		return prefix + e.Status.String() + " (" + e.Detail + ")"
	}
	return prefix + e.Detail + " [" + e.Status.String() + "]"
}

// Is reports whether target is the Status of e (errors.Is(err, ErrKeyNotFound)).
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Status
}

// errorFrom converts a failed native call into an *Error (nil if it succeeded).
func errorFrom(e native.Error) error {
	if !e.Failed() {
		return nil
	}
	return &Error{
		Status:      Status(e.Status()),
		Operation:   e.Operation(),
		Detail:      e.Detail(),
		FromService: e.From_service(),
	}
}

// notPermitted is the error for a call that the key's policy does not allow,
// found before any request is sent.
func notPermitted(op, format string, args ...interface{}) error {
	return &Error{Status: StatusPsaErrorNotPermitted, Operation: op, Detail: fmt.Sprintf(format, args...)}
}

func invalidArgument(op, format string, args ...interface{}) error {
	return &Error{Status: StatusPsaErrorInvalidArgument, Operation: op, Detail: fmt.Sprintf(format, args...)}
}
