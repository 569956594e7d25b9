// parsec/client/error.h - the single exception type of the C++ Parsec client.
//
// Every failure of the client library is reported by throwing parsec::client::Error:
// both a non-zero status answered by the service (then from_service() is true and
// status() is that status) and a failure detected on the client side (cannot
// connect, timeout, malformed response, value that cannot be encoded), which uses
// the closest wire status (ConnectionError, InvalidHeader, InvalidEncoding, ...)
// and a detail() saying what happened. Language bindings map this one type to
// their own exception/error type. An Error is an immutable value; it is safe to
// copy and to read from several threads.
#pragma once

#include <stdexcept>
#include <string>

#include "parsec/interface/wire.h"

namespace parsec::client {

class Error : public std::runtime_error {
 public:
  // `operation` names the request that failed ("PsaSignHash"), or is empty when
  // the failure is not tied to one request (bad endpoint URI). `detail` is the
  // human explanation; for service statuses it is the status description.
  Error(Status status, std::string operation, std::string detail, bool from_service);

  // service_error builds the error for a non-zero status answered by the
  // service: "PsaSignHash failed: PsaErrorDoesNotExist (no key with this name
  // exists for this caller)".
  static Error service_error(Status status, const std::string& operation);
  // client_error builds an error detected by the client itself:
  // "Ping failed: cannot connect to unix:/x: No such file or directory".
  static Error client_error(Status status, const std::string& operation, const std::string& detail);

  Status status() const noexcept { return status_; }
  // status_name is the spec name of status() ("PsaErrorDoesNotExist").
  const char* status_name() const noexcept { return parsec::status_name(status_); }
  const std::string& operation() const noexcept { return operation_; }
  const std::string& detail() const noexcept { return detail_; }
  // from_service: the status was answered by the service (not found locally).
  bool from_service() const noexcept { return from_service_; }

 private:
  Status status_;
  std::string operation_;
  std::string detail_;
  bool from_service_;
};

}  // namespace parsec::client
