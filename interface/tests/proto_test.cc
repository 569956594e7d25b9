// Tests of the protobuf contracts in interface/proto: golden encodings from
// docs/protocol.md, operations and docs/protocol.md, wire protocol, and a reflection-driven round trip of
// every Operation and Result message of all 31 operations.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "attest_key.pb.h"
#include "can_do_crypto.pb.h"
#include "delete_client.pb.h"
#include "list_authenticators.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "list_opcodes.pb.h"
#include "list_providers.pb.h"
#include "ping.pb.h"
#include "prepare_key_attestation.pb.h"
#include "psa_aead_decrypt.pb.h"
#include "psa_aead_encrypt.pb.h"
#include "psa_algorithm.pb.h"
#include "psa_asymmetric_decrypt.pb.h"
#include "psa_asymmetric_encrypt.pb.h"
#include "psa_cipher_decrypt.pb.h"
#include "psa_cipher_encrypt.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_generate_random.pb.h"
#include "psa_hash_compare.pb.h"
#include "psa_hash_compute.pb.h"
#include "psa_import_key.pb.h"
#include "psa_key_attributes.pb.h"
#include "psa_mac_compute.pb.h"
#include "psa_mac_verify.pb.h"
#include "psa_raw_key_agreement.pb.h"
#include "psa_sign_hash.pb.h"
#include "psa_sign_message.pb.h"
#include "psa_verify_hash.pb.h"
#include "psa_verify_message.pb.h"

namespace {

namespace pb = google::protobuf;
using pb::util::MessageDifferencer;

std::string from_hex(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    }
  }
  EXPECT_EQ(digits.size() % 2, 0u);
  std::string out;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string to_hex(const std::string& bytes) {
  static const char* const kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

// ---- the package list -----------------------------------------------------------

// One entry per operation of docs/protocol.md, operations §3. Referencing each default
// instance also forces every generated file into the test binary, so the
// descriptor pool checks below see all of them.
struct Package {
  const char* name;
  uint32_t opcode;
  const pb::Message* operation;
  const pb::Message* result;
};

const std::vector<Package>& packages() {
  static const std::vector<Package> all = {
      {"ping", 0x01, &ping::Operation::default_instance(), &ping::Result::default_instance()},
      {"psa_generate_key", 0x02, &psa_generate_key::Operation::default_instance(),
       &psa_generate_key::Result::default_instance()},
      {"psa_destroy_key", 0x03, &psa_destroy_key::Operation::default_instance(),
       &psa_destroy_key::Result::default_instance()},
      {"psa_sign_hash", 0x04, &psa_sign_hash::Operation::default_instance(),
       &psa_sign_hash::Result::default_instance()},
      {"psa_verify_hash", 0x05, &psa_verify_hash::Operation::default_instance(),
       &psa_verify_hash::Result::default_instance()},
      {"psa_import_key", 0x06, &psa_import_key::Operation::default_instance(),
       &psa_import_key::Result::default_instance()},
      {"psa_export_public_key", 0x07, &psa_export_public_key::Operation::default_instance(),
       &psa_export_public_key::Result::default_instance()},
      {"list_providers", 0x08, &list_providers::Operation::default_instance(),
       &list_providers::Result::default_instance()},
      {"list_opcodes", 0x09, &list_opcodes::Operation::default_instance(), &list_opcodes::Result::default_instance()},
      {"psa_asymmetric_encrypt", 0x0A, &psa_asymmetric_encrypt::Operation::default_instance(),
       &psa_asymmetric_encrypt::Result::default_instance()},
      {"psa_asymmetric_decrypt", 0x0B, &psa_asymmetric_decrypt::Operation::default_instance(),
       &psa_asymmetric_decrypt::Result::default_instance()},
      {"psa_export_key", 0x0C, &psa_export_key::Operation::default_instance(),
       &psa_export_key::Result::default_instance()},
      {"psa_generate_random", 0x0D, &psa_generate_random::Operation::default_instance(),
       &psa_generate_random::Result::default_instance()},
      {"list_authenticators", 0x0E, &list_authenticators::Operation::default_instance(),
       &list_authenticators::Result::default_instance()},
      {"psa_hash_compute", 0x0F, &psa_hash_compute::Operation::default_instance(),
       &psa_hash_compute::Result::default_instance()},
      {"psa_hash_compare", 0x10, &psa_hash_compare::Operation::default_instance(),
       &psa_hash_compare::Result::default_instance()},
      {"psa_aead_encrypt", 0x11, &psa_aead_encrypt::Operation::default_instance(),
       &psa_aead_encrypt::Result::default_instance()},
      {"psa_aead_decrypt", 0x12, &psa_aead_decrypt::Operation::default_instance(),
       &psa_aead_decrypt::Result::default_instance()},
      {"psa_raw_key_agreement", 0x13, &psa_raw_key_agreement::Operation::default_instance(),
       &psa_raw_key_agreement::Result::default_instance()},
      {"psa_cipher_encrypt", 0x14, &psa_cipher_encrypt::Operation::default_instance(),
       &psa_cipher_encrypt::Result::default_instance()},
      {"psa_cipher_decrypt", 0x15, &psa_cipher_decrypt::Operation::default_instance(),
       &psa_cipher_decrypt::Result::default_instance()},
      {"psa_mac_compute", 0x16, &psa_mac_compute::Operation::default_instance(),
       &psa_mac_compute::Result::default_instance()},
      {"psa_mac_verify", 0x17, &psa_mac_verify::Operation::default_instance(),
       &psa_mac_verify::Result::default_instance()},
      {"psa_sign_message", 0x18, &psa_sign_message::Operation::default_instance(),
       &psa_sign_message::Result::default_instance()},
      {"psa_verify_message", 0x19, &psa_verify_message::Operation::default_instance(),
       &psa_verify_message::Result::default_instance()},
      {"list_keys", 0x1A, &list_keys::Operation::default_instance(), &list_keys::Result::default_instance()},
      {"list_clients", 0x1B, &list_clients::Operation::default_instance(), &list_clients::Result::default_instance()},
      {"delete_client", 0x1C, &delete_client::Operation::default_instance(),
       &delete_client::Result::default_instance()},
      {"attest_key", 0x1E, &attest_key::Operation::default_instance(), &attest_key::Result::default_instance()},
      {"prepare_key_attestation", 0x1F, &prepare_key_attestation::Operation::default_instance(),
       &prepare_key_attestation::Result::default_instance()},
      {"can_do_crypto", 0x20, &can_do_crypto::Operation::default_instance(),
       &can_do_crypto::Result::default_instance()},
  };
  return all;
}

const char* const kSharedPackages[] = {"psa_algorithm", "psa_key_attributes"};

// ---- reflection filler ------------------------------------------------------------

// Filler sets every field of a message to a non-default value, recursing into
// sub-messages. Each oneof picks its members round-robin (one counter per
// oneof), and enums cycle through their non-zero values, so filling the same
// root repeatedly eventually exercises every member of every reachable oneof.
class Filler {
 public:
  void fill(pb::Message* m, int depth = 0) {
    ASSERT_LT(depth, 16) << "unexpectedly deep message nesting";
    const pb::Descriptor* d = m->GetDescriptor();
    const pb::Reflection* r = m->GetReflection();
    visited_messages_.insert(d);
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      if (f->real_containing_oneof() != nullptr) {
        continue;
      }
      if (f->is_repeated()) {
        for (int k = 0; k < 3; ++k) {
          add_repeated(m, r, f, k, depth);
        }
      } else {
        set_singular(m, r, f, depth);
      }
    }
    for (int i = 0; i < d->real_oneof_decl_count(); ++i) {
      const pb::OneofDescriptor* o = d->oneof_decl(i);
      int& counter = oneof_counters_[o];
      const pb::FieldDescriptor* f = o->field(counter % o->field_count());
      ++counter;
      chosen_oneof_members_.insert(f);
      set_singular(m, r, f, depth);
    }
  }

  const std::set<const pb::FieldDescriptor*>& chosen_oneof_members() const { return chosen_oneof_members_; }
  const std::set<const pb::Descriptor*>& visited_messages() const { return visited_messages_; }

 private:
  int next_enum_value(const pb::EnumDescriptor* e) {
    // A non-zero value whenever the enum has one (DhFamily only has 0).
    if (e->value_count() == 1) {
      return e->value(0)->number();
    }
    int& counter = enum_counters_[e];
    const int idx = 1 + counter % (e->value_count() - 1);
    ++counter;
    return e->value(idx)->number();
  }

  std::string text_value(const pb::FieldDescriptor* f, int k) {
    if (f->type() == pb::FieldDescriptor::TYPE_BYTES) {
      return std::string("\x00\xff", 2) + f->name() + static_cast<char>('0' + k);
    }
    return "val-\xc3\xa9-" + f->name() + static_cast<char>('0' + k);  // valid UTF-8
  }

  void set_singular(pb::Message* m, const pb::Reflection* r, const pb::FieldDescriptor* f, int depth) {
    const int n = f->number();
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(m, f, -1000 - n);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(m, f, -0x100000000LL - n);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(m, f, 0x80000000u + static_cast<uint32_t>(n));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(m, f, 0x8000000000000000ULL + static_cast<uint64_t>(n));
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        r->SetDouble(m, f, 1.5 + n);
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        r->SetFloat(m, f, 2.5f + static_cast<float>(n));
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        r->SetBool(m, f, true);
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        r->SetEnumValue(m, f, next_enum_value(f->enum_type()));
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        r->SetString(m, f, text_value(f, 0));
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        fill(r->MutableMessage(m, f), depth + 1);
        break;
    }
  }

  void add_repeated(pb::Message* m, const pb::Reflection* r, const pb::FieldDescriptor* f, int k, int depth) {
    const int n = f->number() + 100 * k;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        r->AddInt32(m, f, -1000 - n);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        r->AddInt64(m, f, -0x100000000LL - n);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        r->AddUInt32(m, f, 0x80000000u + static_cast<uint32_t>(n));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        r->AddUInt64(m, f, 0x8000000000000000ULL + static_cast<uint64_t>(n));
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        r->AddDouble(m, f, 1.5 + n);
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        r->AddFloat(m, f, 2.5f + static_cast<float>(n));
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        r->AddBool(m, f, k % 2 == 0);
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        r->AddEnumValue(m, f, next_enum_value(f->enum_type()));
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        r->AddString(m, f, text_value(f, k));
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        fill(r->AddMessage(m, f), depth + 1);
        break;
    }
  }

  std::map<const pb::OneofDescriptor*, int> oneof_counters_;
  std::map<const pb::EnumDescriptor*, int> enum_counters_;
  std::set<const pb::FieldDescriptor*> chosen_oneof_members_;
  std::set<const pb::Descriptor*> visited_messages_;
};

// reachable_oneof_members collects every oneof member of `d` and of every
// message type reachable from it.
void reachable_oneof_members(const pb::Descriptor* d, std::set<const pb::Descriptor*>& seen,
                             std::set<const pb::FieldDescriptor*>& out) {
  if (!seen.insert(d).second) {
    return;
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->real_containing_oneof() != nullptr) {
      out.insert(f);
    }
    if (f->message_type() != nullptr) {
      reachable_oneof_members(f->message_type(), seen, out);
    }
  }
}

// expect_fully_set checks that every non-oneof field of `m` (recursively)
// carries a non-default value and that every oneof has a member set. This
// proves the filler reached every field and the round trip kept it.
void expect_fully_set(const pb::Message& m, const std::string& path) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->real_oneof_decl_count(); ++i) {
    EXPECT_TRUE(r->HasOneof(m, d->oneof_decl(i))) << path << "." << d->oneof_decl(i)->name();
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    const std::string fpath = path + "." + f->name();
    if (f->is_repeated()) {
      EXPECT_EQ(r->FieldSize(m, f), 3) << fpath;
      if (f->message_type() != nullptr) {
        for (int k = 0; k < r->FieldSize(m, f); ++k) {
          expect_fully_set(r->GetRepeatedMessage(m, f, k), fpath + "[" + std::to_string(k) + "]");
        }
      }
      continue;
    }
    if (f->real_containing_oneof() != nullptr && !r->HasField(m, f)) {
      continue;  // another member of the oneof is set
    }
    const bool only_zero_enum = f->enum_type() != nullptr && f->enum_type()->value_count() == 1;
    if (!only_zero_enum || f->real_containing_oneof() != nullptr) {
      EXPECT_TRUE(r->HasField(m, f)) << fpath;
    }
    if (f->message_type() != nullptr && r->HasField(m, f)) {
      expect_fully_set(r->GetMessage(m, f), fpath);
    }
  }
}

// round_trip serialises, parses into a fresh instance and compares.
void round_trip(const pb::Message& original) {
  std::string bytes;
  ASSERT_TRUE(original.SerializeToString(&bytes));
  std::unique_ptr<pb::Message> parsed(original.New());
  ASSERT_TRUE(parsed->ParseFromString(bytes)) << original.GetTypeName();
  EXPECT_TRUE(MessageDifferencer::Equals(original, *parsed)) << original.GetTypeName() << "\n"
                                                             << original.DebugString() << "\nvs\n"
                                                             << parsed->DebugString();
  EXPECT_EQ(parsed->SerializeAsString(), bytes) << original.GetTypeName();
  EXPECT_EQ(parsed->ByteSizeLong(), bytes.size());
  EXPECT_TRUE(parsed->GetReflection()->GetUnknownFields(*parsed).empty());
  expect_fully_set(*parsed, original.GetTypeName());
}

// exercise fills and round-trips `prototype` until every reachable oneof member
// was chosen at least once. Returns the number of messages round-tripped.
int exercise(const pb::Message& prototype, Filler& filler) {
  std::set<const pb::Descriptor*> seen;
  std::set<const pb::FieldDescriptor*> wanted;
  reachable_oneof_members(prototype.GetDescriptor(), seen, wanted);
  int rounds = 0;
  for (;;) {
    std::unique_ptr<pb::Message> m(prototype.New());
    filler.fill(m.get());
    if (prototype.GetDescriptor()->field_count() > 0) {
      EXPECT_FALSE(m->SerializeAsString().empty()) << prototype.GetTypeName();
    }
    round_trip(*m);
    ++rounds;
    bool done = true;
    for (const auto* f : wanted) {
      if (filler.chosen_oneof_members().count(f) == 0) {
        done = false;
      }
    }
    if (done || rounds >= 1000 || ::testing::Test::HasFailure()) {
      EXPECT_TRUE(done) << prototype.GetTypeName() << ": oneof members never chosen";
      return rounds;
    }
  }
}

// ---- descriptor pool: every package exists ---------------------------------------

TEST(ProtoContracts, DescriptorPoolHasAllThirtyThreePackages) {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  std::set<std::string> covered;
  std::set<uint32_t> opcodes;
  for (const auto& p : packages()) {
    const std::string name = p.name;
    const pb::FileDescriptor* file = pool->FindFileByName(name + ".proto");
    ASSERT_NE(file, nullptr) << name;
    EXPECT_EQ(file->package(), name);
    EXPECT_EQ(file->syntax(), pb::FileDescriptor::SYNTAX_PROTO3) << name;
    EXPECT_NE(file->options().optimize_for(), pb::FileOptions::LITE_RUNTIME) << name;
    const pb::Descriptor* op = pool->FindMessageTypeByName(name + ".Operation");
    const pb::Descriptor* res = pool->FindMessageTypeByName(name + ".Result");
    ASSERT_NE(op, nullptr) << name;
    ASSERT_NE(res, nullptr) << name;
    EXPECT_EQ(op, p.operation->GetDescriptor());
    EXPECT_EQ(res, p.result->GetDescriptor());
    EXPECT_EQ(op->file(), file);
    covered.insert(name);
    opcodes.insert(p.opcode);
  }
  EXPECT_EQ(covered.size(), 31u);
  EXPECT_EQ(opcodes.size(), 31u);
  for (const char* shared : kSharedPackages) {
    const pb::FileDescriptor* file = pool->FindFileByName(std::string(shared) + ".proto");
    ASSERT_NE(file, nullptr) << shared;
    EXPECT_EQ(file->package(), shared);
    EXPECT_EQ(file->syntax(), pb::FileDescriptor::SYNTAX_PROTO3);
    covered.insert(shared);
  }
  EXPECT_EQ(covered.size(), 33u);
  EXPECT_NE(pool->FindMessageTypeByName("psa_algorithm.Algorithm"), nullptr);
  EXPECT_NE(pool->FindMessageTypeByName("psa_key_attributes.KeyAttributes"), nullptr);
}

TEST(ProtoContracts, SpecNestedNamesExist) {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  for (const char* name : {
           "psa_algorithm.Algorithm.None",
           "psa_algorithm.Algorithm.Mac.FullLength.Hmac",
           "psa_algorithm.Algorithm.Mac.FullLength.CbcMac",
           "psa_algorithm.Algorithm.Mac.FullLength.Cmac",
           "psa_algorithm.Algorithm.Mac.Truncated",
           "psa_algorithm.Algorithm.Aead.AeadWithShortenedTag",
           "psa_algorithm.Algorithm.AsymmetricSignature.SignHash.Any",
           "psa_algorithm.Algorithm.AsymmetricSignature.RsaPkcs1v15SignRaw",
           "psa_algorithm.Algorithm.AsymmetricSignature.EcdsaAny",
           "psa_algorithm.Algorithm.AsymmetricSignature.DeterministicEcdsa",
           "psa_algorithm.Algorithm.AsymmetricEncryption.RsaPkcs1v15Crypt",
           "psa_algorithm.Algorithm.AsymmetricEncryption.RsaOaep",
           "psa_algorithm.Algorithm.KeyAgreement.WithKeyDerivation",
           "psa_algorithm.Algorithm.KeyDerivation.Tls12PskToMs",
           "psa_key_attributes.KeyType.RawData",
           "psa_key_attributes.KeyType.RsaKeyPair",
           "psa_key_attributes.KeyType.DhPublicKey",
           "psa_key_attributes.KeyPolicy",
           "psa_key_attributes.UsageFlags",
           "list_providers.ProviderInfo",
           "list_authenticators.AuthenticatorInfo",
           "list_keys.KeyInfo",
           "attest_key.AttestationMechanismParams.ActivateCredential",
           "attest_key.AttestationOutput.ActivateCredential",
           "prepare_key_attestation.PrepareKeyAttestationParams.ActivateCredential",
           "prepare_key_attestation.PrepareKeyAttestationOutput.ActivateCredential",
       }) {
    EXPECT_NE(pool->FindMessageTypeByName(name), nullptr) << name;
  }
  for (const char* name : {
           "psa_algorithm.Algorithm.Hash",
           "psa_algorithm.Algorithm.Cipher",
           "psa_algorithm.Algorithm.Aead.AeadWithDefaultLengthTag",
           "psa_algorithm.Algorithm.KeyAgreement.Raw",
           "psa_key_attributes.KeyType.EccFamily",
           "psa_key_attributes.KeyType.DhFamily",
           "can_do_crypto.CheckType",
       }) {
    EXPECT_NE(pool->FindEnumTypeByName(name), nullptr) << name;
  }
  // Enum values the service relies on, by number.
  EXPECT_EQ(psa_algorithm::Algorithm::SHA3_512, 15);
  EXPECT_EQ(psa_algorithm::Algorithm::CBC_PKCS7, 8);
  EXPECT_EQ(psa_algorithm::Algorithm::Aead::CHACHA20_POLY1305, 3);
  EXPECT_EQ(psa_algorithm::Algorithm::KeyAgreement::ECDH, 2);
  EXPECT_EQ(psa_key_attributes::KeyType::MONTGOMERY, 9);
  EXPECT_EQ(psa_key_attributes::KeyType::RFC7919, 0);
  EXPECT_EQ(can_do_crypto::DERIVE, 4);
}

// ---- golden encodings ----------------------------------------------------------------

psa_generate_key::Operation spec_generate_key_example() {
  psa_generate_key::Operation op;
  op.set_key_name("my_key");
  auto* attrs = op.mutable_attributes();
  attrs->mutable_key_type()->mutable_rsa_key_pair();
  attrs->set_key_bits(2048);
  auto* flags = attrs->mutable_key_policy()->mutable_key_usage_flags();
  flags->set_sign_hash(true);
  flags->set_verify_hash(true);
  flags->set_sign_message(true);
  flags->set_verify_message(true);
  attrs->mutable_key_policy()
      ->mutable_key_algorithm()
      ->mutable_asymmetric_signature()
      ->mutable_rsa_pkcs1v15_sign()
      ->mutable_hash_alg()
      ->set_specific(psa_algorithm::Algorithm::SHA_256);
  return op;
}

const char* const kGenerateKeyExampleHex =
    "0A 06 6D 79 5F 6B 65 79"
    "12 1D"
    "0A 02 52 00"
    "10 80 10"
    "1A 14"
    "0A 08 30 01 38 01 40 01 48 01"
    "12 08 32 06 0A 04 0A 02 10 07";

TEST(ProtoGolden, GenerateKeyExampleSerialisesToSpecBytes) {
  const std::string expected = from_hex(kGenerateKeyExampleHex);
  ASSERT_EQ(expected.size(), 39u);
  const std::string bytes = spec_generate_key_example().SerializeAsString();
  EXPECT_EQ(to_hex(bytes), to_hex(expected));
}

TEST(ProtoGolden, GenerateKeyExampleParsesBack) {
  psa_generate_key::Operation op;
  ASSERT_TRUE(op.ParseFromString(from_hex(kGenerateKeyExampleHex)));
  EXPECT_TRUE(MessageDifferencer::Equals(op, spec_generate_key_example()));
  EXPECT_EQ(op.key_name(), "my_key");
  ASSERT_TRUE(op.has_attributes());
  EXPECT_EQ(op.attributes().key_type().variant_case(), psa_key_attributes::KeyType::kRsaKeyPair);
  EXPECT_EQ(op.attributes().key_bits(), 2048u);
  const auto& flags = op.attributes().key_policy().key_usage_flags();
  EXPECT_TRUE(flags.sign_hash());
  EXPECT_TRUE(flags.verify_hash());
  EXPECT_TRUE(flags.sign_message());
  EXPECT_TRUE(flags.verify_message());
  EXPECT_FALSE(flags.export_());
  EXPECT_FALSE(flags.derive());
  const auto& alg = op.attributes().key_policy().key_algorithm();
  ASSERT_EQ(alg.variant_case(), psa_algorithm::Algorithm::kAsymmetricSignature);
  ASSERT_EQ(alg.asymmetric_signature().variant_case(), psa_algorithm::Algorithm::AsymmetricSignature::kRsaPkcs1V15Sign);
  const auto& hash = alg.asymmetric_signature().rsa_pkcs1v15_sign().hash_alg();
  ASSERT_EQ(hash.variant_case(), psa_algorithm::Algorithm::AsymmetricSignature::SignHash::kSpecific);
  EXPECT_EQ(hash.specific(), psa_algorithm::Algorithm::SHA_256);
}

TEST(ProtoGolden, PingResult) {
  ping::Result r;
  r.set_wire_protocol_version_maj(1);
  r.set_wire_protocol_version_min(0);
  EXPECT_EQ(to_hex(r.SerializeAsString()), "08 01");
  ping::Result back;
  ASSERT_TRUE(back.ParseFromString(from_hex("08 01")));
  EXPECT_EQ(back.wire_protocol_version_maj(), 1u);
  EXPECT_EQ(back.wire_protocol_version_min(), 0u);
}

TEST(ProtoGolden, EmptyMessagesEncodeAsZeroBytes) {
  for (const auto& p : packages()) {
    EXPECT_EQ(p.operation->SerializeAsString(), "") << p.name;
    EXPECT_EQ(p.result->SerializeAsString(), "") << p.name;
  }
  ping::Result r;
  r.set_wire_protocol_version_maj(0);
  EXPECT_EQ(r.ByteSizeLong(), 0u);
}

TEST(ProtoGolden, ListAuthenticatorsEntryOmitsZeroVersionFields) {
  list_authenticators::Result res;
  auto* a = res.add_authenticators();
  a->set_description("Unix");
  a->set_version_maj(0);
  a->set_version_min(1);
  a->set_version_rev(0);
  a->set_id(3);
  // Entry: description (field 1), version_min (field 3), id (field 5) only.
  const std::string entry = "0A 04 55 6E 69 78 18 01 28 03";
  EXPECT_EQ(to_hex(a->SerializeAsString()), entry);
  EXPECT_EQ(to_hex(res.SerializeAsString()), "0A 0A " + entry);
  list_authenticators::Result back;
  ASSERT_TRUE(back.ParseFromString(res.SerializeAsString()));
  ASSERT_EQ(back.authenticators_size(), 1);
  EXPECT_EQ(back.authenticators(0).version_maj(), 0u);
  EXPECT_EQ(back.authenticators(0).version_min(), 1u);
  EXPECT_EQ(back.authenticators(0).version_rev(), 0u);
  EXPECT_EQ(back.authenticators(0).id(), 3u);
}

TEST(ProtoGolden, EmptyKeyTypeMemberIsTagAndZeroLength) {
  psa_key_attributes::KeyType kt;
  kt.mutable_rsa_key_pair();
  EXPECT_EQ(to_hex(kt.SerializeAsString()), "52 00");
  kt.mutable_raw_data();
  EXPECT_EQ(to_hex(kt.SerializeAsString()), "0A 00");
  kt.mutable_rsa_public_key();
  EXPECT_EQ(to_hex(kt.SerializeAsString()), "4A 00");
  // A oneof member holding only defaults is still emitted.
  kt.mutable_dh_key_pair()->set_group_family(psa_key_attributes::KeyType::RFC7919);
  EXPECT_EQ(to_hex(kt.SerializeAsString()), "6A 00");
  kt.mutable_ecc_key_pair()->set_curve_family(psa_key_attributes::KeyType::SECP_R1);
  EXPECT_EQ(to_hex(kt.SerializeAsString()), "5A 02 08 02");

  psa_key_attributes::KeyType back;
  ASSERT_TRUE(back.ParseFromString(from_hex("52 00")));
  EXPECT_EQ(back.variant_case(), psa_key_attributes::KeyType::kRsaKeyPair);
}

TEST(ProtoGolden, OneofEnumMemberWithZeroValueIsEmitted) {
  psa_algorithm::Algorithm alg;
  alg.set_hash(psa_algorithm::Algorithm::HASH_NONE);
  EXPECT_EQ(to_hex(alg.SerializeAsString()), "10 00");
  alg.set_cipher(psa_algorithm::Algorithm::CTR);
  EXPECT_EQ(to_hex(alg.SerializeAsString()), "20 02");
  alg.mutable_none();
  EXPECT_EQ(to_hex(alg.SerializeAsString()), "0A 00");

  psa_algorithm::Algorithm back;
  ASSERT_TRUE(back.ParseFromString(from_hex("10 00")));
  EXPECT_EQ(back.variant_case(), psa_algorithm::Algorithm::kHash);
  ASSERT_TRUE(back.ParseFromString(""));
  EXPECT_EQ(back.variant_case(), psa_algorithm::Algorithm::VARIANT_NOT_SET);
}

TEST(ProtoGolden, ListOpcodesResultIsPacked) {
  list_opcodes::Result r;
  for (uint32_t op : {0x01u, 0x08u, 0x09u, 0x0Eu, 0x1Au}) {
    r.add_opcodes(op);
  }
  EXPECT_EQ(to_hex(r.SerializeAsString()), "0A 05 01 08 09 0E 1A");
  // A value above 127 takes two varint bytes inside the packed run.
  r.add_opcodes(0x80);
  EXPECT_EQ(to_hex(r.SerializeAsString()), "0A 07 01 08 09 0E 1A 80 01");
}

TEST(ProtoGolden, ListOpcodesResultAcceptsUnpackedInput) {
  list_opcodes::Result r;
  ASSERT_TRUE(r.ParseFromString(from_hex("08 01 08 08 0A 02 09 0E")));
  ASSERT_EQ(r.opcodes_size(), 4);
  EXPECT_EQ(r.opcodes(0), 1u);
  EXPECT_EQ(r.opcodes(1), 8u);
  EXPECT_EQ(r.opcodes(2), 9u);
  EXPECT_EQ(r.opcodes(3), 14u);
}

TEST(ProtoGolden, ListOpcodesRequestBody) {
  list_opcodes::Operation op;
  op.set_provider_id(1);
  EXPECT_EQ(to_hex(op.SerializeAsString()), "08 01");
}

TEST(ProtoGolden, UnknownFieldsAreSkippedAndLastOccurrenceWins) {
  psa_destroy_key::Operation op;
  // field 9 varint (unknown), key_name "a", key_name "bc".
  ASSERT_TRUE(op.ParseFromString(from_hex("48 05 0A 01 61 0A 02 62 63")));
  EXPECT_EQ(op.key_name(), "bc");
}

TEST(ProtoGolden, InvalidUtf8StringIsAParseError) {
  // docs/protocol.md, wire protocol §8: a string field that is not UTF-8 makes the
  // body undecodable (DeserializingBodyFailed).
  delete_client::Operation op;
  EXPECT_FALSE(op.ParseFromString(from_hex("0A 02 C3 28")));
  // The same bytes are fine in a bytes field.
  psa_export_key::Result res;
  EXPECT_TRUE(res.ParseFromString(from_hex("0A 02 C3 28")));
}

TEST(ProtoGolden, TruncatedBodyIsAParseError) {
  psa_generate_key::Operation op;
  const std::string bytes = from_hex(kGenerateKeyExampleHex);
  EXPECT_FALSE(op.ParseFromString(bytes.substr(0, bytes.size() - 1)));
}

// ---- round trip of every Operation and Result ----------------------------------

class ProtoRoundTrip : public ::testing::TestWithParam<Package> {};

TEST_P(ProtoRoundTrip, OperationAndResult) {
  const Package& p = GetParam();
  Filler filler;
  const int op_rounds = exercise(*p.operation, filler);
  const int res_rounds = exercise(*p.result, filler);
  EXPECT_GE(op_rounds, 1);
  EXPECT_GE(res_rounds, 1);
}

INSTANTIATE_TEST_SUITE_P(AllOperations, ProtoRoundTrip, ::testing::ValuesIn(packages()),
                         [](const ::testing::TestParamInfo<Package>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(ProtoRoundTripCoverage, EveryMessageTypeOfEveryContractIsExercised) {
  // Collect all message types declared in the 33 files, then check the filler
  // built at least one instance of each while round-tripping all operations.
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  std::set<const pb::Descriptor*> declared;
  std::vector<const pb::Descriptor*> stack;
  std::vector<std::string> files;
  for (const auto& p : packages()) {
    files.push_back(std::string(p.name) + ".proto");
  }
  for (const char* s : kSharedPackages) {
    files.push_back(std::string(s) + ".proto");
  }
  for (const auto& name : files) {
    const pb::FileDescriptor* f = pool->FindFileByName(name);
    ASSERT_NE(f, nullptr) << name;
    for (int i = 0; i < f->message_type_count(); ++i) {
      stack.push_back(f->message_type(i));
    }
  }
  while (!stack.empty()) {
    const pb::Descriptor* d = stack.back();
    stack.pop_back();
    declared.insert(d);
    for (int i = 0; i < d->nested_type_count(); ++i) {
      stack.push_back(d->nested_type(i));
    }
  }
  EXPECT_EQ(declared.size(), 119u);  // message types in docs/protocol.md, operations

  Filler filler;
  int total = 0;
  for (const auto& p : packages()) {
    total += exercise(*p.operation, filler);
    total += exercise(*p.result, filler);
  }
  EXPECT_GE(total, 62);
  for (const auto* d : declared) {
    EXPECT_EQ(filler.visited_messages().count(d), 1u) << d->full_name() << " never exercised";
  }
}

}  // namespace
