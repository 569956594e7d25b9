// The client core wipes every buffer that carried a secret (issue 9 item 4):
// the decision comes from opcode_info (secret_input / secret_output), and the
// wipe observer hook (secret_buffers.h) reports each guarded buffer right after
// it was zeroed, while it is still alive, so these tests read no freed memory.
#include <gtest/gtest.h>

#include <mutex>
#include <utility>
#include <vector>

#include "attest_key.pb.h"
#include "parsec/client/client.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_export_key.pb.h"
#include "psa_import_key.pb.h"
#include "psa_sign_hash.pb.h"
#include "sdk-cpp/src/secret_buffers.h"
#include "sdk-cpp/tests/fake_server.h"

namespace parsec::client {
namespace {

using detail::Buffer;
using detail::WipeEvent;
using testing::Captured;
using testing::FakeServer;
using testing::reply_message;
using testing::reply_with;

std::mutex g_mu;
std::vector<WipeEvent> g_events;

void record(const WipeEvent& e) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_events.push_back(e);
}

Bytes b(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

class SecretBuffers : public ::testing::Test {
 protected:
  SecretBuffers() : client_(server_.endpoint(), "app") {
    client_.set_auth_type(AuthType::Direct);
    client_.set_provider(ProviderId::MbedCrypto);
    detail::set_wipe_observer(&record);
    take();
  }
  ~SecretBuffers() override { detail::set_wipe_observer(nullptr); }

  // take returns and forgets the events recorded so far.
  static std::vector<WipeEvent> take() {
    std::lock_guard<std::mutex> lock(g_mu);
    return std::exchange(g_events, {});
  }
  // find returns the one event of `op` for `buffer`, failing the test otherwise.
  static WipeEvent find(const std::vector<WipeEvent>& events, Opcode op, Buffer buffer) {
    const WipeEvent* found = nullptr;
    for (const auto& e : events) {
      if (e.op == op && e.buffer == buffer) {
        EXPECT_EQ(found, nullptr) << "two wipes of the " << detail::buffer_name(buffer);
        found = &e;
      }
    }
    EXPECT_NE(found, nullptr) << "no wipe of the " << detail::buffer_name(buffer) << " of " << opcode_name(op);
    return found ? *found : WipeEvent{op, buffer, 0, false};
  }
  Captured last() { return server_.requests().back(); }

  FakeServer server_;
  Client client_;
};

TEST(SecretDecision, ComesFromTheOpcodeTable) {
  for (const OpcodeInfo& info : all_opcodes()) {
    EXPECT_EQ(detail::secret_input(info.op), info.secret_input) << info.name;
    EXPECT_EQ(detail::secret_output(info.op), info.secret_output) << info.name;
  }
  EXPECT_TRUE(detail::secret_output(Opcode::PsaExportKey));
  EXPECT_TRUE(detail::secret_output(Opcode::PsaAsymmetricDecrypt));
  EXPECT_TRUE(detail::secret_input(Opcode::PsaImportKey));
  EXPECT_FALSE(detail::secret_input(Opcode::PsaSignHash));
}

TEST_F(SecretBuffers, ExportKeyWipesResponseBodyAndResultField) {
  psa_export_key::Result priv;
  priv.set_data("PRIVATE-KEY-BYTES");
  const std::string body = priv.SerializeAsString();
  server_.push(reply_message(Opcode::PsaExportKey, priv));
  EXPECT_EQ(client_.export_key("k"), b("PRIVATE-KEY-BYTES"));
  const auto events = take();
  const WipeEvent response = find(events, Opcode::PsaExportKey, Buffer::ResponseBody);
  EXPECT_EQ(response.size, body.size());
  EXPECT_TRUE(response.zeroed);
  const WipeEvent field = find(events, Opcode::PsaExportKey, Buffer::ResponseField);
  EXPECT_EQ(field.size, 17u);
  EXPECT_TRUE(field.zeroed);
  // The request (a key name) carries no secret: its buffers are left alone.
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(SecretBuffers, AsymmetricDecryptWipesPlaintextBuffers) {
  psa_asymmetric_decrypt::Result dec;
  dec.set_plaintext("the plaintext");
  server_.push(reply_message(Opcode::PsaAsymmetricDecrypt, dec));
  EXPECT_EQ(client_.asymmetric_decrypt("k", Algorithm::rsa_oaep(Hash::Sha256), b("CT")), b("the plaintext"));
  const auto events = take();
  const WipeEvent response = find(events, Opcode::PsaAsymmetricDecrypt, Buffer::ResponseBody);
  EXPECT_EQ(response.size, dec.SerializeAsString().size());
  EXPECT_TRUE(response.zeroed);
  const WipeEvent field = find(events, Opcode::PsaAsymmetricDecrypt, Buffer::ResponseField);
  EXPECT_EQ(field.size, 13u);
  EXPECT_TRUE(field.zeroed);
  EXPECT_EQ(events.size(), 2u);
}

TEST_F(SecretBuffers, ResponseBodyIsWipedWhenTheAnswerIsRefused) {
  // A body that arrives with the wrong opcode is read, refused and still wiped.
  psa_asymmetric_decrypt::Result dec;
  dec.set_plaintext("plaintext");
  server_.push(reply_message(Opcode::PsaExportKey, dec));
  EXPECT_THROW(client_.asymmetric_decrypt("k", Algorithm::rsa_pkcs1v15_crypt(), b("CT")), Error);
  const auto events = take();
  const WipeEvent response = find(events, Opcode::PsaAsymmetricDecrypt, Buffer::ResponseBody);
  EXPECT_EQ(response.size, dec.SerializeAsString().size());
  EXPECT_TRUE(response.zeroed);
}

TEST_F(SecretBuffers, ImportKeyWipesFieldBodyAndFrameAfterSending) {
  server_.push(reply_with(testing::status_response(Opcode::PsaImportKey, Status::Success)));
  const Bytes key = b("0123456789abcdef0123456789abcdef");
  client_.import_key("imp", KeyAttributes::of_type(KeyType::Aes, 256, Algorithm::aead_gcm()), key);
  // The service still received the key: wiping happens after the write.
  const Captured c = last();
  psa_import_key::Operation sent;
  ASSERT_TRUE(sent.ParseFromString(c.body));
  EXPECT_EQ(sent.data(), std::string(key.begin(), key.end()));

  const auto events = take();
  const WipeEvent field = find(events, Opcode::PsaImportKey, Buffer::RequestField);
  EXPECT_EQ(field.size, key.size());
  EXPECT_TRUE(field.zeroed);
  const WipeEvent body = find(events, Opcode::PsaImportKey, Buffer::RequestBody);
  EXPECT_EQ(body.size, c.body.size());
  EXPECT_TRUE(body.zeroed);
  const WipeEvent frame = find(events, Opcode::PsaImportKey, Buffer::RequestFrame);
  EXPECT_EQ(frame.size, c.raw.size());
  EXPECT_EQ(frame.size, kHeaderLen + c.body.size() + c.auth.size());
  EXPECT_TRUE(frame.zeroed);
  EXPECT_EQ(events.size(), 3u);  // the (empty) response carries no secret
}

TEST_F(SecretBuffers, AsymmetricEncryptWipesThePlaintextRequest) {
  psa_asymmetric_encrypt::Result enc;
  enc.set_ciphertext("CT");
  server_.push(reply_message(Opcode::PsaAsymmetricEncrypt, enc));
  EXPECT_EQ(client_.asymmetric_encrypt("k", Algorithm::rsa_pkcs1v15_crypt(), b("secret message")), b("CT"));
  const auto events = take();
  EXPECT_EQ(find(events, Opcode::PsaAsymmetricEncrypt, Buffer::RequestField).size, 14u);
  EXPECT_TRUE(find(events, Opcode::PsaAsymmetricEncrypt, Buffer::RequestBody).zeroed);
  EXPECT_TRUE(find(events, Opcode::PsaAsymmetricEncrypt, Buffer::RequestFrame).zeroed);
  EXPECT_EQ(events.size(), 3u);
}

TEST_F(SecretBuffers, AttestKeyWipesTheSecretAndTheCredential) {
  attest_key::Result r;
  r.mutable_output()->mutable_activate_credential()->set_credential("CREDENTIAL");
  server_.push(reply_message(Opcode::AttestKey, r));
  EXPECT_EQ(client_.attest_key_activate_credential("k", b("blob"), b("encrypted secret")), b("CREDENTIAL"));
  const auto events = take();
  size_t fields = 0;
  for (const auto& e : events) {
    EXPECT_TRUE(e.zeroed) << detail::buffer_name(e.buffer);
    fields += e.buffer == Buffer::RequestField ? 1 : 0;
  }
  EXPECT_EQ(fields, 2u);  // credential blob and secret
  EXPECT_EQ(find(events, Opcode::AttestKey, Buffer::ResponseField).size, 10u);
  find(events, Opcode::AttestKey, Buffer::ResponseBody);
  find(events, Opcode::AttestKey, Buffer::RequestFrame);
}

TEST_F(SecretBuffers, OperationsWithoutSecretsWipeNothing) {
  psa_sign_hash::Result sig;
  sig.set_signature("SIG");
  server_.push(reply_message(Opcode::PsaSignHash, sig));
  EXPECT_EQ(client_.sign_hash("k", Algorithm::ecdsa(Hash::Sha256), Bytes(32, 1)), b("SIG"));
  EXPECT_TRUE(take().empty());
}

}  // namespace
}  // namespace parsec::client
