// server.h - the Unix-domain socket listener and connection state machine.
//
// Event-driven on Boost.Asio: one I/O thread accepts and reads/writes every
// connection asynchronously, each read and write under a deadline of
// listener.timeout; complete requests run on a pool of worker threads. At most
// listener.max_connections connections are open at once: past that the
// server stops accepting (the kernel backlog holds the rest) until one closes,
// so a flood or stalled clients cannot exhaust memory or threads.
//
// Signals: SIGTERM/SIGINT stop accepting, finish in-flight requests and make
// run() return 0; SIGHUP reloads the configuration (see reload()).
#pragma once

#include <memory>
#include <string>

#include "service/src/backends.h"
#include "service/src/config.h"
#include "service/src/handler.h"

namespace parsec::service {

class Server {
 public:
  // `handler` must have been built over `*backends`.
  Server(std::shared_ptr<const Handler> handler, std::unique_ptr<Backends> backends);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // start binds the socket (removing a stale socket file, refusing a path
  // that is not a socket or where another service answers) and builds the
  // first request handler.
  Outcome start();
  // run serves until SIGTERM/SIGINT; returns the process exit code.
  int run();

  struct Impl;  // public so the connection state machine in server.cc can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parsec::service
