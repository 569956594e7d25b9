// seed_gen.cc - writes the request and protobuf seeds of fuzz/corpus/ (run by
// fuzz/make-seeds.sh; the output is committed). One valid request per kind of
// operation the fake provider serves or refuses, for both authenticators, and
// the attribute and algorithm messages those requests carry.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>

#include "delete_client.pb.h"
#include "list_clients.pb.h"
#include "list_keys.pb.h"
#include "parsec/interface/psa_proto.h"
#include "parsec/interface/wire.h"
#include "ping.pb.h"
#include "psa_destroy_key.pb.h"
#include "psa_export_public_key.pb.h"
#include "psa_generate_key.pb.h"
#include "psa_import_key.pb.h"
#include "psa_sign_hash.pb.h"

namespace {

using namespace parsec;

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string request(Opcode op, uint8_t provider, AuthType auth_type, const std::string& body, const std::string& auth,
                    uint64_t session = 0) {
  WireHeader h;
  h.opcode = static_cast<uint32_t>(op);
  h.provider = provider;
  h.auth_type = static_cast<uint8_t>(auth_type);
  h.body_len = static_cast<uint32_t>(body.size());
  h.auth_len = static_cast<uint16_t>(auth.size());
  h.session = session;
  auto hdr = encode_header(h);
  return std::string(hdr.begin(), hdr.end()) + body + auth;
}

std::string uid_auth(uint32_t uid) {
  std::string a(4, '\0');
  for (int i = 0; i < 4; ++i) {
    a[static_cast<size_t>(i)] = static_cast<char>((uid >> (8 * i)) & 0xFF);
  }
  return a;
}

template <typename M>
std::string ser(const M& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: seed_gen REQUEST_DIR PROTO_DIR\n";
    return 2;
  }
  const std::string req = argv[1];
  const std::string pro = argv[2];
  constexpr uint8_t kFake = 4;
  const auto attrs = psa::KeyAttributes::ecc_key_pair(256, psa::Algorithm::ecdsa(psa::Hash::Sha256));
  const auto rsa =
      psa::KeyAttributes::of_type(psa::KeyType::RsaPublicKey, 0, psa::Algorithm::rsa_pkcs1v15_sign(psa::Hash::Sha256));

  psa_generate_key::Operation gen;
  gen.set_key_name("k1");
  psa::proto::attributes_to_proto(attrs, gen.mutable_attributes());
  psa_sign_hash::Operation sign;
  sign.set_key_name("k1");
  sign.mutable_alg()->mutable_ecdsa()->mutable_hash_alg()->set_specific(psa_algorithm::Algorithm::SHA_256);
  sign.set_hash(std::string(32, 'h'));
  psa_export_public_key::Operation exp;
  exp.set_key_name("k1");
  psa_destroy_key::Operation destroy;
  destroy.set_key_name("k1");
  psa_import_key::Operation imp;
  imp.set_key_name("imp");
  psa::proto::attributes_to_proto(rsa, imp.mutable_attributes());
  imp.set_data(std::string("\x30\x06\x02\x01\x05\x02\x01\x03", 8));
  delete_client::Operation del;
  del.set_client("alice");

  const std::string alice = "alice";
  const std::string admin = "admin";
  write(req + "/ping", request(Opcode::Ping, 0, AuthType::NoAuth, ser(ping::Operation()), ""));
  write(req + "/list_keys", request(Opcode::ListKeys, 0, AuthType::Direct, ser(list_keys::Operation()), alice));
  write(req + "/list_clients",
        request(Opcode::ListClients, 0, AuthType::Direct, ser(list_clients::Operation()), admin));
  write(req + "/list_clients_uid0",
        request(Opcode::ListClients, 0, AuthType::UnixPeerCredentials, ser(list_clients::Operation()), uid_auth(0), 1));
  write(req + "/delete_client", request(Opcode::DeleteClient, 0, AuthType::Direct, ser(del), admin));
  write(req + "/generate_direct", request(Opcode::PsaGenerateKey, kFake, AuthType::Direct, ser(gen), alice));
  write(req + "/generate_uid",
        request(Opcode::PsaGenerateKey, kFake, AuthType::UnixPeerCredentials, ser(gen), uid_auth(1000)));
  write(req + "/sign", request(Opcode::PsaSignHash, kFake, AuthType::Direct, ser(sign), alice));
  write(req + "/export_public", request(Opcode::PsaExportPublicKey, kFake, AuthType::Direct, ser(exp), alice));
  write(req + "/destroy", request(Opcode::PsaDestroyKey, kFake, AuthType::Direct, ser(destroy), alice));
  write(req + "/import", request(Opcode::PsaImportKey, kFake, AuthType::Direct, ser(imp), alice));

  // proto_fuzzer: byte 0 even = KeyAttributes, odd = Algorithm.
  write(pro + "/attributes_ecc", std::string(1, '\0') + ser(gen.attributes()));
  write(pro + "/attributes_rsa", std::string(1, '\0') + ser(imp.attributes()));
  psa_algorithm::Algorithm alg;
  psa::proto::algorithm_to_proto(psa::Algorithm::ecdsa(psa::Hash::Sha256), &alg);
  write(pro + "/algorithm_ecdsa", std::string(1, '\1') + ser(alg));
  psa::proto::algorithm_to_proto(psa::Algorithm::aead_gcm(), &alg);
  write(pro + "/algorithm_gcm", std::string(1, '\1') + ser(alg));
  return 0;
}
