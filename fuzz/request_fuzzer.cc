// request_fuzzer.cc - libFuzzer target for the request path: a 36-byte header,
// the body and the auth bytes go through the real Handler (authenticators,
// routing, admin check, the operation table, the key store) over the fake
// provider. Input layout: header || body || auth, the lengths taken from the
// header and clamped to the bytes present (the server reads exactly that many).
// Requests the server answers before the handler (magic, fixed fields, body
// over the limit) are skipped here. Every answer must be well formed: no body
// unless Success, and the header's body_len equal to the body's size.
//
// Single-threaded (libFuzzer calls one input at a time).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "parsec/provider/fake.h"
#include "service/src/backends.h"
#include "service/src/config.h"
#include "service/src/handler.h"

namespace {

using namespace parsec;
using namespace parsec::service;

struct World {
  std::string dir;
  std::shared_ptr<Config> cfg;
  std::unique_ptr<Backends> backends;
  std::shared_ptr<const Handler> handler;
};

std::string scratch_dir() {
  // tmpfs when there is one: every generate commits with fsync.
  std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string tmpl = base + "/parsec-request-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    std::abort();
  }
  return tmpl;
}

World* world() {
  static World* w = [] {
    spdlog::set_level(spdlog::level::off);
    auto* made = new World;
    made->dir = scratch_dir();
    made->cfg = std::make_shared<Config>();
    AuthenticatorConfig direct;
    direct.type = AuthType::Direct;
    direct.admins = {"admin"};
    made->cfg->authenticators.push_back(direct);
    AuthenticatorConfig peer;
    peer.type = AuthType::UnixPeerCredentials;
    peer.admins = {"0"};
    made->cfg->authenticators.push_back(peer);
    KeyManagerConfig km;
    km.name = "m";
    km.manager_type = "SQLite";
    km.sqlite_db_path = made->dir + "/store/k.sqlite3";
    made->cfg->key_managers.push_back(km);
    ProviderConfig pc;
    pc.provider_type = "Fake";
    pc.id = ProviderId::TrustedService;
    pc.name = "fake";
    pc.key_info_manager = "m";
    made->cfg->providers.push_back(pc);
    auto b = Backends::create(*made->cfg, {provider::fake_provider_factory()});
    if (!b.ok()) {
      std::abort();
    }
    made->backends = std::move(b).value();
    auto h = Handler::create(made->cfg, *made->backends);
    if (!h.ok()) {
      std::abort();
    }
    made->handler = std::move(h).value();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(world()->dir, ec);
    });
    return made;
  }();
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World* w = world();
  if (size < kHeaderLen) {
    return 0;
  }
  Request req;
  req.header = decode_header(data);
  if (req.header.magic != kMagic || validate_fixed_fields(req.header) != Status::Success ||
      req.header.body_len > w->cfg->body_len_limit) {
    return 0;
  }
  size_t rest = size - kHeaderLen;
  size_t body = std::min<size_t>(req.header.body_len, rest);
  size_t auth = std::min<size_t>(req.header.auth_len, rest - body);
  req.header.body_len = static_cast<uint32_t>(body);
  req.header.auth_len = static_cast<uint16_t>(auth);
  req.body.assign(reinterpret_cast<const char*>(data) + kHeaderLen, body);
  req.auth.assign(reinterpret_cast<const char*>(data) + kHeaderLen + body, auth);
  // Alternate between an ordinary user and root so admin paths are reached
  // through UnixPeerCredentials as well as Direct.
  uint32_t uid = (req.header.session & 1) ? 0 : 1000;
  req.peer = PeerCredentials{true, uid, uid, 1};
  req.conn_id = 1;
  Response resp = w->handler->handle(req);
  bool success = resp.header.status == static_cast<uint16_t>(Status::Success);
  if ((!success && !resp.body.empty()) || resp.header.body_len != resp.body.size()) {
    std::abort();
  }
  return 0;
}
