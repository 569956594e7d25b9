// Client behaviour against the fake server: automatic choice of authenticator
// and provider, routing, result decoding, and the request body of every
// operation (docs/protocol.md, operations).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "attest_key.pb.h"
#include "can_do_crypto.pb.h"
#include "delete_client.pb.h"
#include "list_authenticators.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "parsec/client/client.h"
#include "ping.pb.h"
#include "prepare_key_attestation.pb.h"
#include "psa_aead_decrypt.pb.h"
#include "psa_aead_encrypt.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_cipher_decrypt.pb.h"
#include "psa_cipher_encrypt.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_hash_compare.pb.h"
#include "psa_hash_compute.pb.h"
#include "psa_import_key.pb.h"
#include "psa_mac_compute.pb.h"
#include "psa_mac_verify.pb.h"
#include "psa_raw_key_agreement.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "psa_verify_message.pb.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using testing::Captured;
using testing::FakeServer;
using testing::hex_bytes;
using testing::reply_message;
using testing::reply_with;
using testing::status_response;

constexpr const char* kMbedUuid = "1c1139dc-ad7c-47dc-ad6b-db6fdb466552";
constexpr const char* kCoreUuid = "47049873-2a43-4845-9d72-831eab668784";

list_authenticators::Result authenticators(std::initializer_list<AuthType> ids) {
  list_authenticators::Result r;
  for (AuthType id : ids) {
    auto* a = r.add_authenticators();
    a->set_id(static_cast<uint32_t>(id));
    a->set_description("test authenticator");
    a->set_version_min(1);
  }
  return r;
}

list_providers::Result providers(std::initializer_list<std::pair<uint32_t, const char*>> entries) {
  list_providers::Result r;
  for (const auto& [id, uuid] : entries) {
    auto* p = r.add_providers();
    p->set_id(id);
    p->set_uuid(uuid);
    p->set_description("provider " + std::to_string(id));
  }
  return r;
}

template <class M>
M body_as(const Captured& c) {
  M m;
  EXPECT_TRUE(m.ParseFromString(c.body));
  return m;
}

Bytes b(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// ---- automatic authentication ---------------------------------------------------

TEST(AutoAuth, DirectChosenWhenAppNameGiven) {
  FakeServer server;
  server.push(reply_message(Opcode::ListAuthenticators, authenticators({AuthType::Direct})));
  server.push(reply_with(status_response(Opcode::ListKeys, Status::Success)));
  Client client(server.endpoint(), "app1");
  client.list_keys();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header.opcode, 0x0Eu);
  EXPECT_EQ(reqs[0].header.auth_type, 0);  // discovery goes without authentication
  EXPECT_EQ(reqs[1].header.opcode, 0x1Au);
  EXPECT_EQ(reqs[1].header.auth_type, 1);
  EXPECT_EQ(reqs[1].auth, b("app1"));
  EXPECT_EQ(client.auth_type(), AuthType::Direct);
}

TEST(AutoAuth, DirectSkippedWithoutAppName) {
  FakeServer server;
  server.push(reply_message(Opcode::ListAuthenticators,
                            authenticators({AuthType::Direct, AuthType::JwtSvid, AuthType::UnixPeerCredentials})));
  server.push(reply_with(status_response(Opcode::ListKeys, Status::Success)));
  Client client(server.endpoint(), "");
  client.list_keys();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].header.auth_type, 3);
  EXPECT_EQ(reqs[1].header.auth_len, 4);
}

TEST(AutoAuth, FirstUsableEntryWins) {
  FakeServer server;
  server.push(
      reply_message(Opcode::ListAuthenticators, authenticators({AuthType::UnixPeerCredentials, AuthType::Direct})));
  Client client(server.endpoint(), "app");
  EXPECT_EQ(client.auth_type(), AuthType::UnixPeerCredentials);
}

TEST(AutoAuth, NothingUsableIsAnError) {
  FakeServer server;
  server.push(reply_message(Opcode::ListAuthenticators, authenticators({AuthType::Direct, AuthType::JwtSvid})));
  Client client(server.endpoint(), "");
  try {
    client.list_keys();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::AuthenticatorNotRegistered);
    EXPECT_NE(std::string(e.what()).find("application name"), std::string::npos) << e.what();
  }
  server.push(reply_message(Opcode::ListAuthenticators, authenticators({})));
  EXPECT_THROW(client.auth_type(), Error);
}

TEST(AutoAuth, UndefinedAuthenticatorIdIsRejected) {
  FakeServer server;
  list_authenticators::Result r;
  r.add_authenticators()->set_id(9);
  server.push(reply_message(Opcode::ListAuthenticators, r));
  Client client(server.endpoint(), "");
  try {
    client.list_authenticators();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::AuthenticatorDoesNotExist);
  }
}

TEST(AutoAuth, ChoiceIsCachedAndResettable) {
  FakeServer server;
  server.push(reply_message(Opcode::ListAuthenticators, authenticators({AuthType::Direct})));
  server.set_default(reply_with(status_response(Opcode::ListClients, Status::Success)));
  Client client(server.endpoint(), "app");
  client.list_clients();
  client.list_clients();
  EXPECT_EQ(server.requests().size(), 3u);  // one discovery, two requests
  // Requests that need no identity carry the known choice.
  server.push(reply_with(status_response(Opcode::Ping, Status::PsaErrorGenericError)));
  EXPECT_THROW(client.ping(), Error);
  EXPECT_EQ(server.requests().back().header.auth_type, 1);

  client.use_default_auth();
  server.push(reply_message(Opcode::ListAuthenticators, authenticators({AuthType::UnixPeerCredentials})));
  client.list_clients();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 6u);
  EXPECT_EQ(reqs[4].header.opcode, 0x0Eu);
  EXPECT_EQ(reqs[5].header.auth_type, 3);
}

TEST(AutoAuth, ForcedChoiceSkipsDiscovery) {
  FakeServer server;
  server.set_default(reply_with(status_response(Opcode::ListClients, Status::Success)));
  Client client(server.endpoint(), "");
  client.set_auth_type(AuthType::NoAuth);
  client.list_clients();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header.auth_type, 0);
  EXPECT_THROW(client.set_auth_type(AuthType::JwtSvid), Error);
}

TEST(AutoAuth, NoIdentityRequestsDoNotTriggerDiscovery) {
  FakeServer server;
  server.push(reply_message(Opcode::ListProviders, providers({{1, kMbedUuid}, {0, kCoreUuid}})));
  psa_generate_random::Result rnd;
  rnd.set_random_bytes("abcd");
  server.push(reply_message(Opcode::PsaGenerateRandom, rnd));
  Client client(server.endpoint(), "app");
  EXPECT_EQ(client.generate_random(4), b("abcd"));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header.opcode, 0x08u);
  EXPECT_EQ(reqs[1].header.opcode, 0x0Du);
  EXPECT_EQ(reqs[1].header.auth_type, 0);
  EXPECT_EQ(reqs[1].header.provider, 1);
  EXPECT_EQ(body_as<psa_generate_random::Operation>(reqs[1]).size(), 4u);
}

// ---- automatic provider ---------------------------------------------------------

TEST(AutoProvider, FirstListedProviderIsUsedAndCached) {
  FakeServer server;
  server.push(reply_message(Opcode::ListProviders,
                            providers({{3, "1e4954a4-ff21-46d3-ab0c-661eeb667e1d"}, {1, kMbedUuid}, {0, kCoreUuid}})));
  server.set_default(reply_with(status_response(Opcode::PsaDestroyKey, Status::Success)));
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  client.destroy_key("k1");
  client.destroy_key("k2");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].header.provider, 3);
  EXPECT_EQ(reqs[2].header.provider, 3);
  EXPECT_EQ(body_as<psa_destroy_key::Operation>(reqs[2]).key_name(), "k2");
  EXPECT_EQ(client.provider(), ProviderId::Tpm);
}

TEST(AutoProvider, ExplicitProviderOverridesAndCoreOpsUseZero) {
  FakeServer server;
  server.set_default(reply_with(status_response(Opcode::PsaDestroyKey, Status::Success)));
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  client.set_provider(ProviderId::Pkcs11);
  client.destroy_key("k");
  server.set_default(reply_with(status_response(Opcode::ListKeys, Status::Success)));
  client.list_keys();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header.provider, 2);
  EXPECT_EQ(reqs[1].header.provider, 0);
}

TEST(AutoProvider, CoreProviderIsRefusedForCryptoOperations) {
  FakeServer server;
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  client.set_provider(ProviderId::Core);
  try {
    client.generate_random(1);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::WrongProviderId);
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST(AutoProvider, EmptyProviderListIsAnError) {
  FakeServer server;
  server.push(reply_message(Opcode::ListProviders, list_providers::Result()));
  Client client(server.endpoint(), "app");
  try {
    client.provider();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ProviderNotRegistered);
  }
}

// ---- discovery results -------------------------------------------------------------

TEST(Discovery, ListProvidersDecodesAndChecks) {
  FakeServer server;
  auto r = providers({{1, kMbedUuid}, {0, kCoreUuid}});
  r.mutable_providers(0)->set_vendor("Arm");
  r.mutable_providers(1)->set_version_maj(1);
  r.mutable_providers(1)->set_version_min(5);
  server.push(reply_message(Opcode::ListProviders, r));
  Client client(server.endpoint(), "");
  const auto list = client.list_providers();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, ProviderId::MbedCrypto);
  EXPECT_EQ(list[0].uuid, kMbedUuid);
  EXPECT_EQ(list[0].vendor, "Arm");
  EXPECT_EQ(list[1].id, ProviderId::Core);
  EXPECT_EQ(list[1].version_min, 5u);

  server.push(reply_message(Opcode::ListProviders, providers({{7, kMbedUuid}})));
  try {
    client.list_providers();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ProviderDoesNotExist);
  }
  server.push(reply_message(Opcode::ListProviders, providers({{1, "not-a-uuid"}})));
  try {
    client.list_providers();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::WrongProviderUuid);
  }
}

TEST(Discovery, ListOpcodesSortsAndChecks) {
  FakeServer server;
  list_opcodes::Result r;
  for (uint32_t v : {0x1Au, 0x01u, 0x0Eu, 0x08u, 0x09u}) {
    r.add_opcodes(v);
  }
  server.push(reply_message(Opcode::ListOpcodes, r));
  Client client(server.endpoint(), "");
  EXPECT_EQ(client.list_opcodes(ProviderId::Core),
            (std::vector<Opcode>{Opcode::Ping, Opcode::ListProviders, Opcode::ListOpcodes, Opcode::ListAuthenticators,
                                 Opcode::ListKeys}));
  EXPECT_EQ(body_as<list_opcodes::Operation>(server.requests()[0]).provider_id(), 0u);
  r.add_opcodes(0x1D);
  server.push(reply_message(Opcode::ListOpcodes, r));
  try {
    client.list_opcodes(ProviderId::MbedCrypto);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::OpcodeDoesNotExist);
  }
}

TEST(Discovery, PingVersionMustFitEightBits) {
  FakeServer server;
  ping::Result r;
  r.set_wire_protocol_version_maj(256);
  server.push(reply_message(Opcode::Ping, r));
  Client client(server.endpoint(), "");
  try {
    client.ping();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidEncoding);
  }
}

list_keys::Result two_keys() {
  list_keys::Result r;
  auto* k = r.add_keys();
  k->set_provider_id(1);
  k->set_name("ecc");
  auto* a = k->mutable_attributes();
  a->mutable_key_type()->mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  a->set_key_bits(256);
  auto* f = a->mutable_key_policy()->mutable_key_usage_flags();
  f->set_sign_hash(true);
  f->set_sign_message(true);
  a->mutable_key_policy()
      ->mutable_key_algorithm()
      ->mutable_asymmetric_signature()
      ->mutable_ecdsa()
      ->mutable_hash_alg()
      ->set_specific(psa_algorithm::Algorithm::SHA_256);
  auto* k2 = r.add_keys();
  k2->set_provider_id(3);
  k2->set_name("rsa");
  auto* a2 = k2->mutable_attributes();
  a2->mutable_key_type()->mutable_rsa_key_pair();
  a2->set_key_bits(2048);
  a2->mutable_key_policy()->mutable_key_usage_flags()->set_decrypt(true);
  a2->mutable_key_policy()->mutable_key_algorithm()->mutable_asymmetric_encryption()->mutable_rsa_pkcs1v15_crypt();
  return r;
}

TEST(Discovery, ListKeysDecodesAttributes) {
  FakeServer server;
  server.push(reply_message(Opcode::ListKeys, two_keys()));
  Client client(server.endpoint(), "app");
  client.set_auth_type(AuthType::Direct);
  const auto keys = client.list_keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].provider_id, ProviderId::MbedCrypto);
  EXPECT_EQ(keys[0].name, "ecc");
  EXPECT_EQ(keys[0].attributes.type, KeyType::EccKeyPair);
  EXPECT_EQ(keys[0].attributes.family, EccFamily::SecpR1);
  EXPECT_EQ(keys[0].attributes.bits, 256u);
  EXPECT_TRUE(keys[0].attributes.flags.sign_hash);
  EXPECT_FALSE(keys[0].attributes.flags.verify_hash);
  EXPECT_EQ(keys[0].attributes.policy, Algorithm::ecdsa(Hash::Sha256));
  EXPECT_EQ(keys[1].provider_id, ProviderId::Tpm);
  EXPECT_EQ(keys[1].attributes.policy, Algorithm::rsa_pkcs1v15_crypt());

  server.push(reply_message(Opcode::ListKeys, two_keys()));
  EXPECT_EQ(client.key_attributes("rsa").type, KeyType::RsaKeyPair);
  server.push(reply_message(Opcode::ListKeys, two_keys()));
  try {
    client.key_attributes("nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorDoesNotExist);
  }

  auto bad = two_keys();
  bad.mutable_keys(1)->set_provider_id(8);
  server.push(reply_message(Opcode::ListKeys, bad));
  try {
    client.list_keys();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::ProviderDoesNotExist);
  }
  auto no_policy = two_keys();
  no_policy.mutable_keys(0)->mutable_attributes()->clear_key_policy();
  server.push(reply_message(Opcode::ListKeys, no_policy));
  try {
    client.list_keys();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidEncoding);
    EXPECT_EQ(e.operation(), "ListKeys");
  }
}

TEST(Discovery, ListAndDeleteClients) {
  FakeServer server;
  list_clients::Result r;
  r.add_clients("alice");
  r.add_clients("bob");
  server.push(reply_message(Opcode::ListClients, r));
  server.push(reply_with(status_response(Opcode::DeleteClient, Status::Success)));
  Client client(server.endpoint(), "admin");
  client.set_auth_type(AuthType::Direct);
  EXPECT_EQ(client.list_clients(), (std::vector<std::string>{"alice", "bob"}));
  client.delete_client("bob");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].header.opcode, 0x1Cu);
  EXPECT_EQ(reqs[1].header.provider, 0);
  EXPECT_EQ(body_as<delete_client::Operation>(reqs[1]).client(), "bob");
}

// ---- key and crypto operations -------------------------------------------------------

class Ops : public ::testing::Test {
 protected:
  Ops() : client_(server_.endpoint(), "app") {
    client_.set_auth_type(AuthType::Direct);
    client_.set_provider(ProviderId::MbedCrypto);
  }
  // last returns the only request since the previous call.
  Captured last() {
    const auto reqs = server_.requests();
    EXPECT_EQ(reqs.size(), seen_ + 1);
    seen_ = reqs.size();
    EXPECT_EQ(reqs.back().header.provider, 1);
    EXPECT_EQ(reqs.back().header.auth_type, 1);
    return reqs.back();
  }
  FakeServer server_;
  Client client_;
  size_t seen_ = 0;
};

TEST_F(Ops, ImportExportDestroy) {
  server_.push(reply_with(status_response(Opcode::PsaImportKey, Status::Success)));
  client_.import_key("imp", KeyAttributes::ecc_public_key(256, Algorithm::ecdsa(Hash::Sha256)), b("\x04xy"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x06u);
  const auto imp = body_as<psa_import_key::Operation>(c);
  EXPECT_EQ(imp.key_name(), "imp");
  EXPECT_EQ(imp.data(), "\x04xy");
  EXPECT_TRUE(imp.attributes().key_type().has_ecc_public_key());
  EXPECT_TRUE(imp.attributes().key_policy().key_usage_flags().verify_hash());
  EXPECT_TRUE(imp.attributes().key_policy().key_usage_flags().verify_message());
  EXPECT_FALSE(imp.attributes().key_policy().key_usage_flags().sign_hash());

  psa_export_public_key::Result pub;
  pub.set_data("PUB");
  server_.push(reply_message(Opcode::PsaExportPublicKey, pub));
  EXPECT_EQ(client_.export_public_key("k"), b("PUB"));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x07u);
  EXPECT_EQ(body_as<psa_export_public_key::Operation>(c).key_name(), "k");

  psa_export_key::Result priv;
  priv.set_data("PRIV");
  server_.push(reply_message(Opcode::PsaExportKey, priv));
  EXPECT_EQ(client_.export_key("k"), b("PRIV"));
  EXPECT_EQ(last().header.opcode, 0x0Cu);

  server_.push(reply_with(status_response(Opcode::PsaDestroyKey, Status::PsaErrorDoesNotExist)));
  try {
    client_.destroy_key("k");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorDoesNotExist);
  }
  EXPECT_EQ(last().header.opcode, 0x03u);
}

TEST_F(Ops, SignAndVerifyHash) {
  psa_sign_hash::Result sig;
  sig.set_signature("SIG");
  server_.push(reply_message(Opcode::PsaSignHash, sig));
  EXPECT_EQ(client_.sign_hash("k", Algorithm::rsa_pss(Hash::Sha384), Bytes(48, 7)), b("SIG"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x04u);
  auto op = body_as<psa_sign_hash::Operation>(c);
  EXPECT_EQ(op.key_name(), "k");
  EXPECT_EQ(op.alg().rsa_pss().hash_alg().specific(), psa_algorithm::Algorithm::SHA_384);
  EXPECT_EQ(op.hash(), std::string(48, 7));

  server_.push(reply_with(status_response(Opcode::PsaVerifyHash, Status::Success)));
  EXPECT_TRUE(client_.verify_hash("k", Algorithm::ecdsa(Hash::Sha256), Bytes(32, 1), b("SIG")));
  const auto v = body_as<psa_verify_hash::Operation>(last());
  EXPECT_EQ(v.signature(), "SIG");
  EXPECT_TRUE(v.alg().has_ecdsa());

  server_.push(reply_with(status_response(Opcode::PsaVerifyHash, Status::PsaErrorInvalidSignature)));
  EXPECT_FALSE(client_.verify_hash("k", Algorithm::ecdsa(Hash::Sha256), Bytes(32, 1), b("BAD")));
  last();
  server_.push(reply_with(status_response(Opcode::PsaVerifyHash, Status::PsaErrorNotPermitted)));
  EXPECT_THROW(client_.verify_hash("k", Algorithm::ecdsa(Hash::Sha256), Bytes(32, 1), b("X")), Error);
  last();
}

TEST_F(Ops, SignHashRejectsANonSignatureAlgorithm) {
  try {
    client_.sign_hash("k", Algorithm::aead_gcm(), Bytes(32, 0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidEncoding);
    EXPECT_EQ(e.operation(), "PsaSignHash");
  }
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(Ops, SignAndVerifyMessage) {
  psa_sign_message::Result sig;
  sig.set_signature("S");
  server_.push(reply_message(Opcode::PsaSignMessage, sig));
  EXPECT_EQ(client_.sign_message("k", Algorithm::deterministic_ecdsa(Hash::Sha256), b("msg")), b("S"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x18u);
  EXPECT_EQ(body_as<psa_sign_message::Operation>(c).message(), "msg");

  server_.push(reply_with(status_response(Opcode::PsaVerifyMessage, Status::PsaErrorInvalidSignature)));
  EXPECT_FALSE(client_.verify_message("k", Algorithm::rsa_pkcs1v15_sign(Hash::Sha256), b("msg"), b("S")));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x19u);
  EXPECT_EQ(body_as<psa_verify_message::Operation>(c).signature(), "S");
}

TEST_F(Ops, AsymmetricEncryption) {
  psa_asymmetric_encrypt::Result enc;
  enc.set_ciphertext("CT");
  server_.push(reply_message(Opcode::PsaAsymmetricEncrypt, enc));
  EXPECT_EQ(client_.asymmetric_encrypt("k", Algorithm::rsa_oaep(Hash::Sha256), b("pt"), b("salt")), b("CT"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x0Au);
  auto e = body_as<psa_asymmetric_encrypt::Operation>(c);
  EXPECT_EQ(e.alg().rsa_oaep().hash_alg(), psa_algorithm::Algorithm::SHA_256);
  EXPECT_EQ(e.plaintext(), "pt");
  EXPECT_EQ(e.salt(), "salt");

  psa_asymmetric_decrypt::Result dec;
  dec.set_plaintext("pt");
  server_.push(reply_message(Opcode::PsaAsymmetricDecrypt, dec));
  EXPECT_EQ(client_.asymmetric_decrypt("k", Algorithm::rsa_pkcs1v15_crypt(), b("CT")), b("pt"));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x0Bu);
  auto d = body_as<psa_asymmetric_decrypt::Operation>(c);
  EXPECT_TRUE(d.alg().has_rsa_pkcs1v15_crypt());
  EXPECT_EQ(d.ciphertext(), "CT");
  EXPECT_TRUE(d.salt().empty());
}

TEST_F(Ops, Aead) {
  psa_aead_encrypt::Result enc;
  enc.set_ciphertext("CT+TAG");
  server_.push(reply_message(Opcode::PsaAeadEncrypt, enc));
  EXPECT_EQ(client_.aead_encrypt("k", Algorithm::aead_gcm(12), b("nonce"), b("ad"), b("pt")), b("CT+TAG"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x11u);
  auto e = body_as<psa_aead_encrypt::Operation>(c);
  EXPECT_EQ(e.alg().aead_with_shortened_tag().aead_alg(), psa_algorithm::Algorithm::Aead::GCM);
  EXPECT_EQ(e.alg().aead_with_shortened_tag().tag_length(), 12u);
  EXPECT_EQ(e.nonce(), "nonce");
  EXPECT_EQ(e.additional_data(), "ad");
  EXPECT_EQ(e.plaintext(), "pt");

  psa_aead_decrypt::Result dec;
  dec.set_plaintext("pt");
  server_.push(reply_message(Opcode::PsaAeadDecrypt, dec));
  EXPECT_EQ(client_.aead_decrypt("k", Algorithm::aead_ccm(), b("n"), b(""), b("CT")), b("pt"));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x12u);
  auto d = body_as<psa_aead_decrypt::Operation>(c);
  EXPECT_EQ(d.alg().aead_with_default_length_tag(), psa_algorithm::Algorithm::Aead::CCM);
  EXPECT_EQ(d.ciphertext(), "CT");
}

TEST_F(Ops, Cipher) {
  psa_cipher_encrypt::Result enc;
  enc.set_ciphertext("IVCT");
  server_.push(reply_message(Opcode::PsaCipherEncrypt, enc));
  EXPECT_EQ(client_.cipher_encrypt("k", Cipher::CbcPkcs7, b("pt")), b("IVCT"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x14u);
  EXPECT_EQ(body_as<psa_cipher_encrypt::Operation>(c).alg(), psa_algorithm::Algorithm::CBC_PKCS7);

  psa_cipher_decrypt::Result dec;
  dec.set_plaintext("pt");
  server_.push(reply_message(Opcode::PsaCipherDecrypt, dec));
  EXPECT_EQ(client_.cipher_decrypt("k", Cipher::Ctr, b("IVCT")), b("pt"));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x15u);
  EXPECT_EQ(body_as<psa_cipher_decrypt::Operation>(c).ciphertext(), "IVCT");
}

TEST_F(Ops, Mac) {
  psa_mac_compute::Result mac;
  mac.set_mac("MAC");
  server_.push(reply_message(Opcode::PsaMacCompute, mac));
  EXPECT_EQ(client_.mac_compute("k", Algorithm::truncated_mac(Algorithm::hmac(Hash::Sha256), 16), b("in")), b("MAC"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x16u);
  auto m = body_as<psa_mac_compute::Operation>(c);
  EXPECT_EQ(m.alg().truncated().mac_length(), 16u);
  EXPECT_EQ(m.alg().truncated().mac_alg().hmac().hash_alg(), psa_algorithm::Algorithm::SHA_256);
  EXPECT_EQ(m.input(), "in");

  server_.push(reply_with(status_response(Opcode::PsaMacVerify, Status::Success)));
  EXPECT_TRUE(client_.mac_verify("k", Algorithm::cmac(), b("in"), b("MAC")));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x17u);
  auto v = body_as<psa_mac_verify::Operation>(c);
  EXPECT_TRUE(v.alg().full_length().has_cmac());
  EXPECT_EQ(v.mac(), "MAC");
  server_.push(reply_with(status_response(Opcode::PsaMacVerify, Status::PsaErrorInvalidSignature)));
  EXPECT_FALSE(client_.mac_verify("k", Algorithm::cmac(), b("in"), b("BAD")));
  last();
}

TEST_F(Ops, HashComputeAndCompare) {
  psa_hash_compute::Result h;
  h.set_hash("H");
  server_.push(reply_message(Opcode::PsaHashCompute, h));
  EXPECT_EQ(client_.hash_compute(Hash::Sha3_256, b("in")), b("H"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x0Fu);
  EXPECT_EQ(body_as<psa_hash_compute::Operation>(c).alg(), psa_algorithm::Algorithm::SHA3_256);

  server_.push(reply_with(status_response(Opcode::PsaHashCompare, Status::PsaErrorInvalidSignature)));
  EXPECT_FALSE(client_.hash_compare(Hash::Sha256, b("in"), b("H")));
  c = last();
  EXPECT_EQ(c.header.opcode, 0x10u);
  EXPECT_EQ(body_as<psa_hash_compare::Operation>(c).hash(), "H");
  EXPECT_THROW(client_.hash_compute(Hash::Any, b("in")), Error);
}

TEST_F(Ops, RawKeyAgreement) {
  psa_raw_key_agreement::Result r;
  r.set_shared_secret("SECRET");
  server_.push(reply_message(Opcode::PsaRawKeyAgreement, r));
  EXPECT_EQ(client_.raw_key_agreement(RawKeyAgreement::Ecdh, "priv", b("peer")), b("SECRET"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x13u);
  auto op = body_as<psa_raw_key_agreement::Operation>(c);
  EXPECT_EQ(op.alg(), psa_algorithm::Algorithm::KeyAgreement::ECDH);
  EXPECT_EQ(op.private_key_name(), "priv");
  EXPECT_EQ(op.peer_key(), "peer");
}

TEST_F(Ops, CanDoCrypto) {
  server_.push(reply_with(status_response(Opcode::CanDoCrypto, Status::Success)));
  EXPECT_TRUE(
      client_.can_do_crypto(CheckType::Generate, KeyAttributes::rsa_key_pair(2048, Algorithm::rsa_pss(Hash::Sha256))));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x20u);
  auto op = body_as<can_do_crypto::Operation>(c);
  EXPECT_EQ(op.check_type(), can_do_crypto::GENERATE);
  EXPECT_EQ(op.attributes().key_bits(), 2048u);
  server_.push(reply_with(status_response(Opcode::CanDoCrypto, Status::PsaErrorNotSupported)));
  EXPECT_FALSE(client_.can_do_crypto(CheckType::Use, KeyAttributes::rsa_key_pair(0, Algorithm::rsa_pss(Hash::Sha256))));
  last();
}

// ---- key attestation -------------------------------------------------------------------

std::string hex_string(const std::string& hex) {
  const Bytes v = hex_bytes(hex);
  return std::string(v.begin(), v.end());
}

TEST_F(Ops, PrepareKeyAttestationEncodesRequestExactly) {
  prepare_key_attestation::Result r;
  auto* out = r.mutable_output()->mutable_activate_credential();
  out->set_name(std::string("\x00\x0bNAME", 6));
  out->set_public_("PUBAREA");
  out->set_attesting_key_pub("EKPUB");
  server_.push(reply_message(Opcode::PrepareKeyAttestation, r));
  const PreparedAttestation p = client_.prepare_key_attestation("k1");
  EXPECT_EQ(p.name, Bytes({0x00, 0x0b, 'N', 'A', 'M', 'E'}));
  EXPECT_EQ(p.public_area, b("PUBAREA"));
  EXPECT_EQ(p.attesting_key_public, b("EKPUB"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x1Fu);
  // parameters{activate_credential{attested_key_name "k1"}}; the empty
  // attesting key name is not written.
  EXPECT_EQ(c.body, hex_string("0A 06 0A 04 0A 02 6B 31"));

  server_.push(reply_message(Opcode::PrepareKeyAttestation, r));
  client_.prepare_key_attestation("k1", "ek");
  EXPECT_EQ(last().body, hex_string("0A 0A 0A 08 0A 02 6B 31 12 02 65 6B"));

  // The mechanism is selected even when every field is empty.
  server_.push(reply_message(Opcode::PrepareKeyAttestation, r));
  client_.prepare_key_attestation("");
  EXPECT_EQ(last().body, hex_string("0A 02 0A 00"));
}

TEST_F(Ops, AttestKeyEncodesRequestExactly) {
  attest_key::Result r;
  r.mutable_output()->mutable_activate_credential()->set_credential("CRED");
  server_.push(reply_message(Opcode::AttestKey, r));
  EXPECT_EQ(client_.attest_key_activate_credential("k1", Bytes{1, 2}, Bytes{3}), b("CRED"));
  auto c = last();
  EXPECT_EQ(c.header.opcode, 0x1Eu);
  // attested_key_name "k1", parameters{activate_credential{credential_blob 01 02, secret 03}}.
  EXPECT_EQ(c.body, hex_string("0A 02 6B 31 12 09 0A 07 0A 02 01 02 12 01 03"));
  const auto op = body_as<attest_key::Operation>(c);
  EXPECT_TRUE(op.parameters().has_activate_credential());
  EXPECT_TRUE(op.attesting_key_name().empty());

  server_.push(reply_message(Opcode::AttestKey, r));
  client_.attest_key_activate_credential("k1", Bytes{1, 2}, Bytes{3}, "ek");
  EXPECT_EQ(last().body, hex_string("0A 02 6B 31 12 09 0A 07 0A 02 01 02 12 01 03 1A 02 65 6B"));

  server_.push(reply_message(Opcode::AttestKey, r));
  client_.attest_key_activate_credential("", Bytes(), Bytes());
  EXPECT_EQ(last().body, hex_string("12 02 0A 00"));

  // An empty credential is a valid answer.
  attest_key::Result empty;
  empty.mutable_output()->mutable_activate_credential();
  server_.push(reply_message(Opcode::AttestKey, empty));
  EXPECT_EQ(client_.attest_key_activate_credential("k1", b("blob"), b("s")), Bytes());
  last();
}

void expect_invalid_encoding(const std::function<void()>& f, const std::string& operation) {
  try {
    f();
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::InvalidEncoding) << e.what();
    EXPECT_FALSE(e.from_service());
    EXPECT_EQ(e.operation(), operation);
  }
}

TEST_F(Ops, AttestationWithoutOutputIsInvalidEncoding) {
  // No output at all (an empty Success body).
  server_.push(reply_with(status_response(Opcode::PrepareKeyAttestation, Status::Success)));
  expect_invalid_encoding([&] { client_.prepare_key_attestation("k"); }, "PrepareKeyAttestation");
  last();
  server_.push(reply_with(status_response(Opcode::AttestKey, Status::Success)));
  expect_invalid_encoding([&] { client_.attest_key_activate_credential("k", b("b"), b("s")); }, "AttestKey");
  last();

  // An output with no mechanism selected.
  prepare_key_attestation::Result p;
  p.mutable_output();
  server_.push(reply_message(Opcode::PrepareKeyAttestation, p));
  expect_invalid_encoding([&] { client_.prepare_key_attestation("k"); }, "PrepareKeyAttestation");
  last();
  attest_key::Result a;
  a.mutable_output();
  server_.push(reply_message(Opcode::AttestKey, a));
  expect_invalid_encoding([&] { client_.attest_key_activate_credential("k", b("b"), b("s")); }, "AttestKey");
  last();
}

TEST_F(Ops, AttestationServiceStatusIsAnError) {
  server_.push(reply_with(status_response(Opcode::PrepareKeyAttestation, Status::PsaErrorNotSupported)));
  try {
    client_.prepare_key_attestation("k", "other");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorNotSupported);
    EXPECT_TRUE(e.from_service());
    EXPECT_EQ(e.operation(), "PrepareKeyAttestation");
  }
  last();
  server_.push(reply_with(status_response(Opcode::AttestKey, Status::PsaErrorDoesNotExist)));
  try {
    client_.attest_key_activate_credential("missing", b("b"), b("s"));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::PsaErrorDoesNotExist);
    EXPECT_TRUE(e.from_service());
    EXPECT_EQ(e.operation(), "AttestKey");
  }
  last();
}

TEST(Attestation, IdentityIsRequired) {
  FakeServer server;
  server.push(reply_message(Opcode::ListAuthenticators, authenticators({AuthType::Direct})));
  attest_key::Result r;
  r.mutable_output()->mutable_activate_credential()->set_credential("C");
  server.push(reply_message(Opcode::AttestKey, r));
  Client client(server.endpoint(), "app");
  client.set_provider(ProviderId::Tpm);
  EXPECT_EQ(client.attest_key_activate_credential("k", b("b"), b("s")), b("C"));
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header.opcode, 0x0Eu);  // authenticator discovery first
  EXPECT_EQ(reqs[1].header.opcode, 0x1Eu);
  EXPECT_EQ(reqs[1].header.auth_type, 1);
  EXPECT_EQ(reqs[1].auth, b("app"));
  EXPECT_EQ(reqs[1].header.provider, 3);
}

// ---- threads ---------------------------------------------------------------------------

TEST(Threads, ConcurrentRequestsShareOneClient) {
  FakeServer server;
  server.push(reply_message(Opcode::ListProviders, providers({{1, kMbedUuid}, {0, kCoreUuid}})));
  psa_generate_random::Result rnd;
  rnd.set_random_bytes("xyz");
  server.set_default(reply_message(Opcode::PsaGenerateRandom, rnd));
  Client client(server.endpoint(), "app");
  client.provider();  // discovery once, before the threads start
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (client.generate_random(3) == b("xyz")) {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(server.requests().size(), 41u);
}

}  // namespace
}  // namespace parsec::client
