// server.h - the Unix-domain socket listener and connection state machine.
//
// Event-driven on Boost.Asio: one I/O thread accepts and reads/writes every
// connection asynchronously. The header must arrive within
// listener.header_timeout of the start of reading, the body within
// listener.timeout after the header, and the response be written within
// listener.timeout; body buffers grow as bytes arrive. Accepting never
// pauses: connection admission (admission.h) decides by the peer's uid
// whether a connection is read now, waits parked (one descriptor, no buffer
// or timer) or is closed, so one uid's flood of idle connections delays neither
// the kernel backlog nor another uid. Complete requests are authenticated and
// routed on the fast worker pool (core_settings.thread_pool_size threads),
// which also runs every cheap operation; slow ones go to the fair, bounded
// SlowLane (slow_lane.h). docs/architecture.md, "The path of one request", has the why.
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

// A listening socket passed by the service manager (systemd socket activation).
struct PassedSocket {
  int fd = -1;       // -1: none passed; parsecd binds listener.socket_path
  std::string path;  // the path the passed socket is bound to ("@name": abstract)
};

// passed_socket reads LISTEN_PID/LISTEN_FDS (sd_listen_fds(3)) and, when they
// are meant for this process, checks that descriptor 3 is a listening AF_UNIX
// stream socket (and the only one), marks it close-on-exec and clears the
// variables. Call it first thing, before any file is opened, so that a missing
// descriptor 3 is not mistaken for one parsecd opened itself. Not thread-safe
// (it changes the environment).
Result<PassedSocket> passed_socket();

class Server {
 public:
  // `handler` must have been built over `*backends`.
  Server(std::shared_ptr<const Handler> handler, std::unique_ptr<Backends> backends);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // start binds the socket (removing a stale socket file, refusing a path
  // that is not a socket or where another service answers) and builds the
  // first request handler. Given a passed socket (passed_socket()) it serves
  // that one instead and never changes its mode or removes it.
  Outcome start(const PassedSocket& passed = {});
  // run serves until SIGTERM/SIGINT; returns the process exit code.
  int run();

  struct Impl;  // public so the connection state machine in server.cc can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parsec::service
