// The daemon's life cycle: configuration errors, root refusal, reload,
// graceful stop, socket handling, authenticators.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include <thread>
#include "delete_client.pb.h"
#include "list_authenticators.pb.h"
#include "list_clients.pb.h"
#include "tests/e2e/proto_client.h"

namespace parsec::e2e {
namespace {

using psa_algorithm::Algorithm;

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) {
    s[static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  }
  return s;
}

TEST(Daemon, InvalidConfigExitsNamingTheKey) {
  Daemon d;
  std::string cfg = d.config_text({});
  size_t at = cfg.find("timeout = 200");
  ASSERT_NE(at, std::string::npos);
  d.write_config(cfg.replace(at, 13, "timeout = \"soon\""));
  EXPECT_EQ(d.start_expect_exit(), 2);
  EXPECT_NE(d.log().find("listener.timeout"), std::string::npos) << d.log();
  EXPECT_NE(d.log().find("must be an integer"), std::string::npos) << d.log();
}

TEST(Daemon, UnknownProviderTypeExits) {
  Daemon d;
  std::string cfg = d.config_text({});
  cfg.replace(cfg.find("\"MbedCrypto\""), 12, "\"Quantum\"");
  d.write_config(cfg);
  EXPECT_EQ(d.start_expect_exit(), 2);
  EXPECT_NE(d.log().find("provider[0].provider_type"), std::string::npos) << d.log();
}

TEST(Daemon, ProviderNotCompiledInExits) {
  Daemon d;
  std::string cfg = d.config_text({});
  cfg.replace(cfg.find("\"MbedCrypto\""), 12, "\"CryptoAuthLib\"");
  d.write_config(cfg);
  EXPECT_EQ(d.start_expect_exit(), 1);
  EXPECT_NE(d.log().find("not compiled into this parsecd"), std::string::npos) << d.log();
}

TEST(Daemon, RootNeedsAllowRoot) {
  Daemon d;
  std::string cfg = d.config_text({});
  cfg.replace(cfg.find("allow_root = true"), 17, "allow_root = false");
  d.write_config(cfg);
  if (::geteuid() == 0) {
    EXPECT_EQ(d.start_expect_exit(), 2);
    EXPECT_NE(d.log().find("refusing to run as root"), std::string::npos) << d.log();
  } else {
    d.start();  // an ordinary user needs no permission
    EXPECT_EQ(d.stop(SIGTERM), 0);
  }
}

TEST(Daemon, RefusesToReplaceANonSocketOrALiveService) {
  Daemon d;
  { std::ofstream(d.socket_path()) << "not a socket"; }
  EXPECT_EQ(d.start_expect_exit(), 1);
  EXPECT_NE(d.log().find("is not a socket"), std::string::npos) << d.log();
  std::remove(d.socket_path().c_str());
  d.start();
  Daemon second;
  second.write_config(d.config_text({}));
  // Same socket path as the running one: must refuse, not steal it.
  std::string cfg = second.config_text({});
  size_t at = cfg.find(second.socket_path());
  cfg.replace(at, second.socket_path().size(), d.socket_path());
  at = cfg.find(second.store_path());
  cfg.replace(at, second.store_path().size(), second.dir() + "/other.sqlite3");
  second.write_config(cfg);
  EXPECT_EQ(second.start_expect_exit(), 1);
  EXPECT_NE(second.log().find("another service is listening"), std::string::npos) << second.log();
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, SighupWithBrokenConfigKeepsServing) {
  Daemon d;
  d.start();
  App a{d.socket_path(), "alice"};
  ASSERT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  size_t from = d.log_size();
  d.write_config("this is [not toml");
  d.signal(SIGHUP);
  ASSERT_TRUE(d.wait_for_log("reload failed, still serving", from)) << d.log();
  // Still serving, same socket, same keys.
  std::string digest = sha(256, "m");
  Call sig = a.sign_hash("k", ecdsa(Algorithm::SHA_256), digest);
  ASSERT_EQ(sig.status, Status::Success);
  EXPECT_TRUE(openssl_verify_ecdsa(a.export_public("k").body, 256, digest, sig.body));
  // A config that changes providers is refused too.
  from = d.log_size();
  std::string cfg = d.config_text({});
  cfg += "\n[[provider]]\nprovider_type = \"Tpm\"\nkey_info_manager = \"sqlite-manager\"\ntcti = \"x\"\n";
  d.write_config(cfg);
  d.signal(SIGHUP);
  ASSERT_TRUE(d.wait_for_log("restart parsecd to apply provider changes", from)) << d.log();
  EXPECT_EQ(a.export_public("k").status, Status::Success);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, SighupKeepsWhatARunningDaemonCannotApplyAndSaysSo) {
  Daemon d;
  d.start();
  App a{d.socket_path(), "alice"};
  ASSERT_EQ(a.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  std::string cfg = d.config_text({});
  const std::string root_line = "allow_root = true";
  ASSERT_NE(cfg.find(root_line), std::string::npos);
  cfg.replace(cfg.find(root_line), root_line.size(), "allow_root = false");
  cfg.replace(cfg.find("thread_pool_size = 4"), std::string("thread_pool_size = 4").size(), "thread_pool_size = 3");
  size_t from = d.log_size();
  d.write_config(cfg);
  d.signal(SIGHUP);
  ASSERT_TRUE(d.wait_for_log("configuration reloaded", from)) << d.log();
  // The worker count is fixed at start: named, kept.
  EXPECT_TRUE(d.wait_for_log("core_settings.thread_pool_size", from, std::chrono::milliseconds(1))) << d.log();
  if (::geteuid() == 0) {
    // Root cannot stop being root: the reload says so instead of "reloaded" silently.
    EXPECT_TRUE(d.wait_for_log("allow_root changed to false but parsecd is running as root", from,
                               std::chrono::milliseconds(1)))
        << d.log();
  } else {
    EXPECT_FALSE(d.wait_for_log("allow_root changed to false", from, std::chrono::milliseconds(1))) << d.log();
  }
  EXPECT_EQ(a.export_public("k").status, Status::Success);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, SighupAppliesANewAuthenticatorAndAdmins) {
  Daemon d;
  d.start();
  list_clients::Operation lc;
  EXPECT_EQ(call(d.socket_path(), Opcode::ListClients, 0, AuthType::Direct, "bob", lc).status, Status::AdminOperation);
  DaemonOptions o;
  o.authenticators =
      "[[authenticator]]\nauth_type = \"Direct\"\nadmins = [ { name = \"bob\" } ]\n"
      "[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\n";
  size_t from = d.log_size();
  d.write_config(d.config_text(o));
  d.signal(SIGHUP);
  ASSERT_TRUE(d.wait_for_log("configuration reloaded", from)) << d.log();
  EXPECT_EQ(call(d.socket_path(), Opcode::ListClients, 0, AuthType::Direct, "bob", lc).status, Status::Success);
  list_authenticators::Operation la;
  Call c = call(d.socket_path(), Opcode::ListAuthenticators, 0, AuthType::NoAuth, "", la);
  list_authenticators::Result r;
  ASSERT_TRUE(r.ParseFromString(c.body));
  ASSERT_EQ(r.authenticators_size(), 2);
  EXPECT_EQ(r.authenticators(0).id(), 1u);
  EXPECT_EQ(r.authenticators(1).id(), 3u);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, UnixPeerCredentialsChecksTheUid) {
  DaemonOptions o;
  o.authenticators = "[authenticator]\nauth_type = \"UnixPeerCredentials\"\n";
  Daemon d(o);
  d.start();
  App me{d.socket_path(), le32(static_cast<uint32_t>(::getuid())), 1, AuthType::UnixPeerCredentials};
  ASSERT_EQ(me.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  // Claiming another UID is refused; so is a malformed payload.
  App liar{d.socket_path(), le32(static_cast<uint32_t>(::getuid()) + 1), 1, AuthType::UnixPeerCredentials};
  EXPECT_EQ(liar.export_public("k").status, Status::AuthenticationError);
  App short_payload{d.socket_path(), std::string(3, '\0'), 1, AuthType::UnixPeerCredentials};
  EXPECT_EQ(short_payload.export_public("k").status, Status::AuthenticationError);
  // Direct is not enabled here.
  App direct{d.socket_path(), "0", 1, AuthType::Direct};
  EXPECT_EQ(direct.export_public("k").status, Status::AuthenticatorNotRegistered);
  EXPECT_EQ(me.export_public("k").status, Status::Success);
  EXPECT_TRUE(d.wait_for_log("declared UID")) << d.log();
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, KeysAreNamespacedByAuthenticator) {
  DaemonOptions o;
  o.authenticators =
      "[[authenticator]]\nauth_type = \"Direct\"\n[[authenticator]]\nauth_type = \"UnixPeerCredentials\"\n";
  Daemon d(o);
  d.start();
  std::string uid = std::to_string(::getuid());
  // A Direct client naming itself after our UID does not reach our keys.
  App peer{d.socket_path(), le32(static_cast<uint32_t>(::getuid())), 1, AuthType::UnixPeerCredentials};
  App impostor{d.socket_path(), uid, 1, AuthType::Direct};
  ASSERT_EQ(peer.generate("k", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_EQ(impostor.export_public("k").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(impostor.destroy("k").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(peer.export_public("k").status, Status::Success);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, SigtermFinishesInFlightRequests) {
  DaemonOptions o;
  o.log_level = "debug";
  Daemon d(o);
  d.start();
  App a{d.socket_path(), "alice"};
  size_t from = d.log_size();
  // An RSA-3072 generation takes long enough to be in flight when SIGTERM lands.
  std::thread t(
      [&] { EXPECT_EQ(a.generate("slow", rsa_pair(3072, rsa_pkcs1(Algorithm::SHA_256))).status, Status::Success); });
  ASSERT_TRUE(d.wait_for_log("PsaGenerateKey dispatched", from)) << d.log();
  d.signal(SIGTERM);
  t.join();
  EXPECT_EQ(d.stop(SIGTERM), 0);
  EXPECT_NE(d.log().find("finishing 1 in flight"), std::string::npos) << d.log();
  d.start();
  EXPECT_EQ(a.export_public("slow").status, Status::Success);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

TEST(Daemon, DeleteClientRemovesEveryKeyOfAClient) {
  Daemon d;
  d.start();
  App alice{d.socket_path(), "alice"}, admin{d.socket_path(), "admin"};
  ASSERT_EQ(alice.generate("a", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(alice.generate("b", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  ASSERT_EQ(admin.generate("mine", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  list_clients::Operation lc;
  Call c = call(d.socket_path(), Opcode::ListClients, 0, AuthType::Direct, "admin", lc);
  list_clients::Result lr;
  ASSERT_TRUE(lr.ParseFromString(c.body));
  ASSERT_EQ(lr.clients_size(), 2);
  EXPECT_EQ(lr.clients(0), "admin");
  EXPECT_EQ(lr.clients(1), "alice");
  delete_client::Operation dc;
  dc.set_client("alice");
  EXPECT_EQ(call(d.socket_path(), Opcode::DeleteClient, 0, AuthType::Direct, "admin", dc).status, Status::Success);
  EXPECT_EQ(alice.export_public("a").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(alice.export_public("b").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(admin.export_public("mine").status, Status::Success);
  // Admins cannot use other clients' keys.
  ASSERT_EQ(alice.generate("c", ecc_pair(256, ecdsa(Algorithm::SHA_256))).status, Status::Success);
  EXPECT_EQ(admin.export_public("c").status, Status::PsaErrorDoesNotExist);
  EXPECT_EQ(d.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parsec::e2e
