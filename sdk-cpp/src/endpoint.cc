#include "parsec/client/endpoint.h"

#include <sys/un.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "parsec/client/error.h"

namespace parsec::client {
namespace {

// sun_path holds the path and its terminating NUL.
constexpr size_t kMaxSocketPathLen = sizeof(sockaddr_un{}.sun_path) - 1;

[[noreturn]] void reject(const std::string& what) {
  throw Error::client_error(Status::ConnectionError, "", what);
}

void check_path(const std::string& path, const std::string& shown_as) {
  if (path.empty() || path[0] != '/') {
    reject("invalid Parsec endpoint \"" + shown_as + "\": the socket path must be absolute (unix:/path)");
  }
  if (path.size() > kMaxSocketPathLen) {
    reject("invalid Parsec endpoint \"" + shown_as + "\": socket path longer than " +
           std::to_string(kMaxSocketPathLen) + " bytes");
  }
  if (path.find('\0') != std::string::npos) {
    reject("invalid Parsec endpoint \"" + shown_as + "\": NUL byte in the socket path");
  }
}

}  // namespace

Endpoint::Endpoint() : path_(kDefaultSocketPath) {}

Endpoint::Endpoint(std::string path) : path_(std::move(path)) {}

Endpoint Endpoint::unix_socket(const std::string& path) {
  check_path(path, path);
  return Endpoint(path);
}

Endpoint Endpoint::parse(const std::string& uri) {
  // One syntax rule for every SDK and the CLI: a bare absolute path is the
  // unix: endpoint of that path (a socket path cannot be confused with a URI,
  // whose scheme never starts with '/').
  if (!uri.empty() && uri.front() == '/') {
    check_path(uri, uri);
    return Endpoint(uri);
  }
  const size_t colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) {
    reject("invalid Parsec endpoint \"" + uri + "\": expected unix:/path/to/socket or an absolute socket path");
  }
  std::string scheme = uri.substr(0, colon);
  // URI schemes are case-insensitive (RFC 3986 section 3.1).
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "unix") {
    reject("unsupported Parsec endpoint scheme \"" + uri.substr(0, colon) + "\" in \"" + uri +
           "\": only unix:/path is supported");
  }
  std::string rest = uri.substr(colon + 1);
  if (rest.rfind("//", 0) == 0) {
    // unix://authority/path: only an empty authority (unix:///path) names a
    // local socket.
    rest.erase(0, 2);
    if (rest.empty() || rest[0] != '/') {
      reject("invalid Parsec endpoint \"" + uri + "\": a host is not allowed in a unix: URI");
    }
  }
  if (rest.find_first_of("?#") != std::string::npos) {
    reject("invalid Parsec endpoint \"" + uri + "\": query or fragment not allowed");
  }
  check_path(rest, uri);
  return Endpoint(rest);
}

Endpoint Endpoint::from_environment() {
  const char* v = std::getenv(kEnvironmentVariable);
  // An empty value is treated like an unset one (a common way to "unset").
  if (v == nullptr || *v == '\0') {
    return Endpoint();
  }
  try {
    return parse(v);
  } catch (const Error& e) {
    reject(std::string(kEnvironmentVariable) + ": " + e.detail());
  }
}

std::string Endpoint::uri() const {
  return "unix:" + path_;
}

}  // namespace parsec::client
