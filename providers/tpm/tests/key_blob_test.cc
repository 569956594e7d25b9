#include <gtest/gtest.h>

#include <cstring>

#include "providers/tpm/src/key_blob.h"

namespace parsec::provider::tpm {
namespace {

KeyBlob sample_pair() {
  KeyBlob b;
  b.kind = BlobKind::KeyPair;
  b.parent.size = 34;
  b.parent.name[0] = 0x00;
  b.parent.name[1] = 0x0b;
  std::memset(b.parent.name + 2, 0x5a, 32);
  b.pub.publicArea.type = TPM2_ALG_ECC;
  b.pub.publicArea.nameAlg = TPM2_ALG_SHA256;
  b.pub.publicArea.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA;
  b.pub.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  b.pub.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  b.pub.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  b.pub.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  b.pub.publicArea.unique.ecc.x.size = 32;
  b.pub.publicArea.unique.ecc.y.size = 32;
  std::memset(b.pub.publicArea.unique.ecc.x.buffer, 0x11, 32);
  std::memset(b.pub.publicArea.unique.ecc.y.buffer, 0x22, 32);
  b.priv.size = 100;
  std::memset(b.priv.buffer, 0x33, 100);
  b.auth.size = 32;
  std::memset(b.auth.buffer, 0x44, 32);
  return b;
}

TEST(KeyBlob, KeyPairRoundTrip) {
  KeyBlob b = sample_pair();
  auto ref = encode_blob(b);
  ASSERT_TRUE(ref.ok());
  ASSERT_GT(ref->size(), 6u);
  EXPECT_EQ(std::string(ref->begin(), ref->begin() + 6), std::string("TPMK\x01\x01", 6));
  // The parent's name follows the header as a TPM2B (big-endian size).
  EXPECT_EQ((*ref)[6], 0);
  EXPECT_EQ((*ref)[7], 34);
  auto d = decode_blob(*ref);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, BlobKind::KeyPair);
  EXPECT_EQ(std::memcmp(&d->parent, &b.parent, sizeof b.parent), 0);
  EXPECT_EQ(d->pub.publicArea.unique.ecc.x.size, 32);
  EXPECT_EQ(d->pub.publicArea.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
  EXPECT_EQ(d->priv.size, 100);
  EXPECT_EQ(std::memcmp(d->priv.buffer, b.priv.buffer, 100), 0);
  EXPECT_EQ(d->auth.size, 32);
  EXPECT_EQ(std::memcmp(d->auth.buffer, b.auth.buffer, 32), 0);
  // Re-encoding gives the same bytes.
  EXPECT_EQ(*encode_blob(*d), *ref);
}

TEST(KeyBlob, PublicKeyRoundTrip) {
  KeyBlob b = sample_pair();
  b.kind = BlobKind::PublicKey;
  auto ref = encode_blob(b);
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ((*ref)[5], 2);
  auto d = decode_blob(*ref);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, BlobKind::PublicKey);
  EXPECT_EQ(d->priv.size, 0);
  EXPECT_EQ(d->auth.size, 0);
  EXPECT_EQ(d->pub.publicArea.type, TPM2_ALG_ECC);
}

TEST(KeyBlob, AnythingButAnExactBlobIsCorrupt) {
  auto ref = *encode_blob(sample_pair());
  for (size_t n = 0; n < ref.size(); ++n) {
    Bytes cut(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(decode_blob(cut).status(), Status::PsaErrorDataCorrupt) << n;
  }
  Bytes longer = ref;
  longer.push_back(0);
  EXPECT_EQ(decode_blob(longer).status(), Status::PsaErrorDataCorrupt);
  for (size_t at : {0u, 4u, 5u}) {
    Bytes bad = ref;
    bad[at] ^= 0x7f;
    EXPECT_EQ(decode_blob(bad).status(), Status::PsaErrorDataCorrupt) << at;
  }
  // A 4-byte PSA key id (the software provider's reference) is not a blob.
  EXPECT_EQ(decode_blob(Bytes{1, 0, 0, 0}).status(), Status::PsaErrorDataCorrupt);
  // A public area of another type.
  KeyBlob b = sample_pair();
  b.pub.publicArea.type = TPM2_ALG_KEYEDHASH;
  b.pub.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
  b.pub.publicArea.unique.keyedHash.size = 0;
  auto other = encode_blob(b);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(decode_blob(*other).status(), Status::PsaErrorDataCorrupt);
}

}  // namespace
}  // namespace parsec::provider::tpm
