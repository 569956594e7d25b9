#include "providers/tpm/src/key_blob.h"

#include <tss2/tss2_mu.h>

#include <cstring>

namespace parsec::provider::tpm {
namespace {

constexpr uint8_t kMagic[4] = {'T', 'P', 'M', 'K'};
constexpr uint8_t kVersion = 1;
constexpr size_t kHeader = 6;

}  // namespace

Result<Bytes> encode_blob(const KeyBlob& blob) {
  // Large enough for the largest of each structure.
  Bytes out(kHeader + sizeof(TPM2B_NAME) + sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE) + sizeof(TPM2B_AUTH));
  std::memcpy(out.data(), kMagic, 4);
  out[4] = kVersion;
  out[5] = static_cast<uint8_t>(blob.kind);
  size_t off = kHeader;
  TSS2_RC rc = TSS2_RC_SUCCESS;
  if (blob.kind == BlobKind::KeyPair) {
    rc = Tss2_MU_TPM2B_NAME_Marshal(&blob.parent, out.data(), out.size(), &off);
    if (rc == TSS2_RC_SUCCESS) {
      rc = Tss2_MU_TPM2B_PUBLIC_Marshal(&blob.pub, out.data(), out.size(), &off);
    }
    if (rc == TSS2_RC_SUCCESS) {
      rc = Tss2_MU_TPM2B_PRIVATE_Marshal(&blob.priv, out.data(), out.size(), &off);
    }
    if (rc == TSS2_RC_SUCCESS) {
      rc = Tss2_MU_TPM2B_AUTH_Marshal(&blob.auth, out.data(), out.size(), &off);
    }
  } else if (blob.kind == BlobKind::PublicKey) {
    rc = Tss2_MU_TPM2B_PUBLIC_Marshal(&blob.pub, out.data(), out.size(), &off);
  } else {
    return Status::PsaErrorGenericError;
  }
  if (rc != TSS2_RC_SUCCESS) {
    wipe(out);
    return Status::PsaErrorGenericError;
  }
  // Wipe the tail before shrinking: resize keeps the capacity.
  secure_zero(out.data() + off, out.size() - off);
  out.resize(off);
  return out;
}

Result<KeyBlob> decode_blob(const Bytes& ref) {
  if (ref.size() < kHeader || std::memcmp(ref.data(), kMagic, 4) != 0 || ref[4] != kVersion) {
    return Status::PsaErrorDataCorrupt;
  }
  KeyBlob blob;
  size_t off = kHeader;
  TSS2_RC rc = TSS2_RC_SUCCESS;
  switch (ref[5]) {
    case static_cast<uint8_t>(BlobKind::KeyPair):
      blob.kind = BlobKind::KeyPair;
      rc = Tss2_MU_TPM2B_NAME_Unmarshal(ref.data(), ref.size(), &off, &blob.parent);
      if (rc == TSS2_RC_SUCCESS) {
        rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(ref.data(), ref.size(), &off, &blob.pub);
      }
      if (rc == TSS2_RC_SUCCESS) {
        rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(ref.data(), ref.size(), &off, &blob.priv);
      }
      if (rc == TSS2_RC_SUCCESS) {
        rc = Tss2_MU_TPM2B_AUTH_Unmarshal(ref.data(), ref.size(), &off, &blob.auth);
      }
      if (rc == TSS2_RC_SUCCESS && (blob.priv.size == 0 || blob.parent.size == 0)) {
        return Status::PsaErrorDataCorrupt;
      }
      break;
    case static_cast<uint8_t>(BlobKind::PublicKey):
      blob.kind = BlobKind::PublicKey;
      rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(ref.data(), ref.size(), &off, &blob.pub);
      break;
    default:
      return Status::PsaErrorDataCorrupt;
  }
  if (rc != TSS2_RC_SUCCESS || off != ref.size()) {
    return Status::PsaErrorDataCorrupt;
  }
  const TPMI_ALG_PUBLIC type = blob.pub.publicArea.type;
  if (type != TPM2_ALG_RSA && type != TPM2_ALG_ECC) {
    return Status::PsaErrorDataCorrupt;
  }
  return blob;
}

}  // namespace parsec::provider::tpm
