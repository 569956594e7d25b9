// jwt_probe - a small client used by tests/spiffe/run.sh where parsec-cli
// cannot go: it sends a request carrying a given (e.g. forged) JWT-SVID, and
// it watches the Workload API source rotate tokens over time.
//
//   jwt_probe token FILE       ListKeys with JWT-SVID auth, the token read from
//                              FILE; prints "Success <number of keys>" or the
//                              status name of the error
//   jwt_probe refresh SECONDS  one Client with the Workload API source
//                              (SPIFFE_ENDPOINT_SOCKET): ListKeys every 250 ms
//                              for SECONDS; prints "requests N failures F
//                              tokens T" (T distinct tokens sent)
//
// The service is PARSEC_SERVICE_ENDPOINT. Exit status 0 when it could print its
// answer, 2 on a usage error. Single-threaded test tool.
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "parsec/client/client.h"
#include "parsec/client/workload_api_source.h"

namespace {

using parsec::client::Client;
using parsec::client::JwtSvidSource;

class FixedSource final : public JwtSvidSource {
 public:
  explicit FixedSource(std::string t) : token_(std::move(t)) {}
  std::string token() override { return token_; }

 private:
  std::string token_;
};

// Counts the distinct tokens the client sends.
class CountingSource final : public JwtSvidSource {
 public:
  explicit CountingSource(std::shared_ptr<JwtSvidSource> inner) : inner_(std::move(inner)) {}
  std::string token() override {
    std::string t = inner_->token();
    seen_.insert(t);
    return t;
  }
  size_t distinct() const { return seen_.size(); }

 private:
  std::shared_ptr<JwtSvidSource> inner_;
  std::set<std::string> seen_;
};

int probe_token(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "jwt_probe: cannot read " << file << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  Client client;
  client.set_jwt_svid_source(std::make_shared<FixedSource>(token));
  client.set_auth_type(parsec::AuthType::JwtSvid);
  try {
    // The call first: "Success " must not reach the output before a throw.
    const size_t keys = client.list_keys().size();
    std::cout << "Success " << keys << "\n";
  } catch (const parsec::client::Error& e) {
    std::cout << e.status_name() << "\n";
  }
  return 0;
}

int probe_refresh(int seconds) {
  auto counting = std::make_shared<CountingSource>(parsec::client::workload_api_jwt_source());
  Client client;
  client.set_jwt_svid_source(counting);
  client.set_auth_type(parsec::AuthType::JwtSvid);
  int requests = 0, failures = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    ++requests;
    try {
      client.list_keys();
    } catch (const parsec::client::Error& e) {
      ++failures;
      std::cerr << "jwt_probe: request " << requests << ": " << e.what() << "\n";
    }
    // Pacing of the observation, not synchronisation: tokens rotate on time.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  std::cout << "requests " << requests << " failures " << failures << " tokens " << counting->distinct() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "token") {
    return probe_token(argv[2]);
  }
  if (argc == 3 && std::string(argv[1]) == "refresh") {
    return probe_refresh(std::stoi(argv[2]));
  }
  std::cerr << "usage: jwt_probe token FILE | jwt_probe refresh SECONDS\n";
  return 2;
}
