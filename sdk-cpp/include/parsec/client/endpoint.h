// parsec/client/endpoint.h - where the Parsec service listens.
//
// The service is reached over a Unix domain stream socket. Clients find it
// through the PARSEC_SERVICE_ENDPOINT environment variable, a URI of the form
// "unix:/path/to/socket" (the equivalent "unix:///path" is accepted too) or a
// bare absolute path "/path/to/socket", which means the same; when
// the variable is unset or empty the default /run/parsec/parsec.sock is used.
// Only the "unix" scheme exists: anything else is rejected with an Error
// (status ConnectionError) that says why. An Endpoint is a plain value,
// immutable after construction and safe to share between threads.
#pragma once

#include <string>

namespace parsec::client {

class Endpoint {
 public:
  static constexpr const char* kDefaultSocketPath = "/run/parsec/parsec.sock";
  static constexpr const char* kEnvironmentVariable = "PARSEC_SERVICE_ENDPOINT";

  // The default endpoint, unix:/run/parsec/parsec.sock.
  Endpoint();

  // from_environment reads PARSEC_SERVICE_ENDPOINT (default when unset/empty).
  static Endpoint from_environment();
  // parse accepts "unix:/abs/path", "unix:///abs/path" and a bare "/abs/path"
  // (the same rule for Endpoint(...) arguments and PARSEC_SERVICE_ENDPOINT).
  static Endpoint parse(const std::string& uri);
  // unix_socket takes an absolute socket path directly.
  static Endpoint unix_socket(const std::string& path);

  const std::string& path() const { return path_; }
  // uri gives the canonical "unix:/path" form, used in error messages.
  std::string uri() const;

  bool operator==(const Endpoint& other) const { return path_ == other.path_; }

 private:
  explicit Endpoint(std::string path);
  std::string path_;
};

}  // namespace parsec::client
