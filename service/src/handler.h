// handler.h - everything that happens to a request once its bytes have been
// read: steps 8-21 of the validation order (docs/protocol.md, wire protocol §4),
// authentication, routing, the core provider, key lookup, the policy check and
// the call into a crypto provider. Steps 17-21 are the operation table
// (operations.h); the handler only authenticates, routes and looks it up.
//
// A Handler is immutable after construction and is used by many worker
// threads at once; a SIGHUP reload builds a new Handler and swaps it in.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/src/authenticator.h"
#include "service/src/backends.h"
#include "service/src/config.h"
#include "service/src/operations.h"

namespace parsec::service {

struct Request {
  WireHeader header;
  std::string body;
  std::string auth;
  PeerCredentials peer;
  uint64_t conn_id = 0;
};

struct Response {
  WireHeader header;
  std::string body;
};

// Routed is what admit() learned about a request: who sent it, which
// provider and table entry serve it, and in which lane it runs.
struct Routed {
  Opcode op = Opcode::Ping;
  std::optional<Identity> identity;
  ProviderEntry* provider = nullptr;  // null for the core provider
  const Operation* entry = nullptr;
  Lane lane = Lane::Fast;
  // The fairness key of the slow lane: the authenticator and application
  // name, or the peer uid for an unauthenticated caller.
  std::string client;
};

class Handler {
 public:
  // create builds the authenticators of `config`; the failure's detail says
  // which one cannot be built.
  static Result<std::shared_ptr<const Handler>> create(std::shared_ptr<const Config> config, Backends& backends);

  // handle = admit, then run (in the calling thread).
  Response handle(const Request& req) const;
  // admit runs steps 8-16 (header fields, authentication, routing, admin
  // check), finds the table entry and picks the lane. It returns the answer
  // when the request is refused there, nullopt when run() must follow.
  std::optional<Response> admit(const Request& req, Routed& routed) const;
  // run executes an admitted request (steps 17-21) and logs the outcome.
  Response run(const Request& req, const Routed& routed) const;
  const Config& config() const { return *config_; }

 private:
  Handler(std::shared_ptr<const Config> config, Backends& backends) : config_(std::move(config)), backends_(backends) {}

  Result<std::string> route(const Request& req, Routed& routed) const;
  Response answer(const Request& req, const Routed& routed, Result<std::string> r) const;
  const Authenticator* authenticator_for(AuthType t) const;

  std::shared_ptr<const Config> config_;
  Backends& backends_;
  std::vector<std::unique_ptr<Authenticator>> authenticators_;
};

}  // namespace parsec::service
