#include "parsec/client/error.h"

#include <utility>

namespace parsec::client {
namespace {

std::string compose(Status status, const std::string& operation, const std::string& detail, bool from_service) {
  std::string prefix = operation.empty() ? std::string() : operation + " failed: ";
  if (from_service) {
    return prefix + parsec::status_name(status) + " (" + detail + ")";
  }
  return prefix + detail;
}

}  // namespace

Error::Error(Status status, std::string operation, std::string detail, bool from_service)
    : std::runtime_error(compose(status, operation, detail, from_service)),
      status_(status),
      operation_(std::move(operation)),
      detail_(std::move(detail)),
      from_service_(from_service) {}

Error Error::service_error(Status status, const std::string& operation) {
  return Error(status, operation, parsec::status_description(status), true);
}

Error Error::client_error(Status status, const std::string& operation, const std::string& detail) {
  return Error(status, operation, detail, false);
}

}  // namespace parsec::client
