// openssl-provider/tests/ossl_tool.cc - helper of the provider's test suite
// (run-tests.sh) and benchmark. Subcommands:
//   keygen NAME KIND        create a key in parsecd (provider: $PARSEC_TEST_PROVIDER,
//                           else the default). KIND: ec256 ec384 ec521 (ECDSA, any
//                           hash), rsa-pss rsa-pkcs1 (any hash), rsa-oaep (SHA-256),
//                           rsa-crypt (PKCS#1 v1.5 encryption)
//   handshakes key=value... mutual-TLS handshakes inside this process over
//                           in-memory BIO pairs, both ends loading their keys with
//                           SSL_CTX_use_PrivateKey_file (a key reference file makes
//                           that end sign in parsecd):
//       scert= skey= ccert= ckey= ca=   server/client certificate and key, CA
//       tls=1.2|1.3  threads=N  count=N (per thread)  seconds=S (instead of count)
//     Every handshake is checked from both peers (verify result OK, peer
//     certificate present); prints "handshakes=<n> failures=<f> seconds=<s> rate=<n/s>"
//     and exits 1 on any failure.
// Thread safety: each thread has its own SSL objects; the SSL_CTXs are shared,
// as OpenSSL allows once configured.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "parsec/client/client.h"

namespace {

using parsec::client::Algorithm;
using parsec::client::Hash;
using parsec::client::KeyAttributes;

int keygen(const std::string& name, const std::string& kind) {
  parsec::client::Client c;
  if (const char* p = std::getenv("PARSEC_TEST_PROVIDER"); p != nullptr && *p != '\0') {
    c.set_provider(static_cast<parsec::ProviderId>(std::atoi(p)));
  }
  KeyAttributes a;
  if (kind == "ec256" || kind == "ec384" || kind == "ec521") {
    a = KeyAttributes::ecc_key_pair(static_cast<uint32_t>(std::stoi(kind.substr(2))), Algorithm::ecdsa(Hash::Any));
  } else if (kind == "rsa-pss") {
    a = KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pss(Hash::Any));
  } else if (kind == "rsa-pkcs1") {
    a = KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_sign(Hash::Any));
  } else if (kind == "rsa-oaep") {
    a = KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_oaep(Hash::Sha256));
  } else if (kind == "rsa-crypt") {
    a = KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pkcs1v15_crypt());
  } else {
    std::cerr << "keygen: unknown kind " << kind << "\n";
    return 2;
  }
  c.generate_key(name, a);
  return 0;
}

void print_errors(const char* what) {
  std::fprintf(stderr, "%s failed:\n", what);
  ERR_print_errors_fp(stderr);
}

SSL_CTX* make_ctx(bool server, const std::string& cert, const std::string& key, const std::string& ca, int version) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr || SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    print_errors(server ? "server context" : "client context");
    std::exit(1);
  }
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // Full handshakes every time: no session resumption.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  return ctx;
}

// one_handshake runs a full mutual handshake between two SSL objects joined
// by a BIO pair, stepping both ends until neither wants to read.
bool one_handshake(SSL_CTX* sctx, SSL_CTX* cctx) {
  SSL* s = SSL_new(sctx);
  SSL* c = SSL_new(cctx);
  BIO* sb = nullptr;
  BIO* cb = nullptr;
  BIO_new_bio_pair(&sb, 0, &cb, 0);
  SSL_set_bio(s, sb, sb);
  SSL_set_bio(c, cb, cb);
  SSL_set_accept_state(s);
  SSL_set_connect_state(c);
  bool sdone = false, cdone = false, failed = false;
  for (int i = 0; i < 100 && !(sdone && cdone) && !failed; ++i) {
    if (!cdone) {
      const int r = SSL_do_handshake(c);
      if (r == 1) {
        cdone = true;
      } else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ) {
        failed = true;
      }
    }
    if (!sdone && !failed) {
      const int r = SSL_do_handshake(s);
      if (r == 1) {
        sdone = true;
      } else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
        failed = true;
      }
    }
  }
  bool ok = !failed && sdone && cdone && SSL_get_verify_result(s) == X509_V_OK && SSL_get_verify_result(c) == X509_V_OK;
  if (ok) {
    X509* sp = SSL_get1_peer_certificate(s);
    X509* cp = SSL_get1_peer_certificate(c);
    ok = sp != nullptr && cp != nullptr;
    X509_free(sp);
    X509_free(cp);
  }
  if (!ok) {
    print_errors("handshake");
  }
  SSL_free(s);
  SSL_free(c);
  return ok;
}

int handshakes(const std::map<std::string, std::string>& o) {
  auto get = [&](const std::string& k, const std::string& d = "") {
    auto it = o.find(k);
    return it == o.end() ? d : it->second;
  };
  const int version = get("tls", "1.3") == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX* sctx = make_ctx(true, get("scert"), get("skey"), get("ca"), version);
  SSL_CTX* cctx = make_ctx(false, get("ccert"), get("ckey"), get("ca"), version);
  const int threads = std::stoi(get("threads", "1"));
  const int count = std::stoi(get("count", "1"));
  const double seconds = std::stod(get("seconds", "0"));
  std::atomic<long> done{0}, failures{0};
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = 0; seconds > 0 ? elapsed() < seconds : i < count; ++i) {
        if (one_handshake(sctx, cctx)) {
          ++done;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& th : pool) {
    th.join();
  }
  const double secs = elapsed();
  std::printf("handshakes=%ld failures=%ld seconds=%.2f rate=%.1f\n", done.load(), failures.load(), secs,
              static_cast<double>(done.load()) / secs);
  SSL_CTX_free(sctx);
  SSL_CTX_free(cctx);
  return failures.load() == 0 && done.load() > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  try {
    if (cmd == "keygen" && argc == 4) {
      return keygen(argv[2], argv[3]);
    }
    if (cmd == "handshakes") {
      std::map<std::string, std::string> o;
      for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        const size_t eq = a.find('=');
        if (eq == std::string::npos) {
          std::cerr << "handshakes: expected key=value, got " << a << "\n";
          return 2;
        }
        o[a.substr(0, eq)] = a.substr(eq + 1);
      }
      return handshakes(o);
    }
  } catch (const parsec::client::Error& e) {
    std::cerr << cmd << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: ossl_tool keygen NAME KIND | handshakes key=value...\n";
  return 2;
}
