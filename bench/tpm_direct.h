// tpm_direct.h - ESAPI called directly (no daemon) on a TPM: a P-256 storage
// primary key and one signing key (ECDSA P-256 or RSA-2048 PKCS#1 v1.5), for
// the benchmarks that compare parsecd's TPM provider with the TPM itself
// (tpm-bench, parsec-bench compare). Failures throw std::runtime_error.
//
// Not thread-safe (an ESYS context is not): callers serialise, as the
// provider does.
#pragma once

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parsec::bench {

inline void tpm_check(TSS2_RC rc, const char* what) {
  if (rc != TSS2_RC_SUCCESS) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s failed: 0x%x", what, rc);
    throw std::runtime_error(buf);
  }
}

// TpmDirect is an ESAPI connection with a P-256 primary and one signing key.
class TpmDirect {
 public:
  enum class KeyType { EcdsaP256, Rsa2048 };

  TpmDirect(const std::string& tcti, KeyType type = KeyType::EcdsaP256) : type_(type) {
    tpm_check(Tss2_TctiLdr_Initialize(tcti.c_str(), &tcti_), "Tss2_TctiLdr_Initialize");
    tpm_check(Esys_Initialize(&ctx_, tcti_, nullptr), "Esys_Initialize");
    TPM2B_PUBLIC srk{};
    TPMT_PUBLIC& p = srk.publicArea;
    p.type = TPM2_ALG_ECC;
    p.nameAlg = TPM2_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                         TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
    p.parameters.eccDetail.symmetric.keyBits.aes = 128;
    p.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    const TPM2B_SENSITIVE_CREATE sens{};
    const TPM2B_DATA outside{};
    const TPML_PCR_SELECTION pcrs{};
    tpm_check(Esys_CreatePrimary(ctx_, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &srk,
                                 &outside, &pcrs, &primary_, nullptr, nullptr, nullptr, nullptr),
              "CreatePrimary");
    TPM2B_PUBLIC key{};
    TPMT_PUBLIC& k = key.publicArea;
    k.nameAlg = TPM2_ALG_SHA256;
    k.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                         TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT;
    if (type == KeyType::EcdsaP256) {
      k.type = TPM2_ALG_ECC;
      k.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
      k.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
      k.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
      k.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    } else {
      k.type = TPM2_ALG_RSA;
      k.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
      k.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
      k.parameters.rsaDetail.keyBits = 2048;
      k.parameters.rsaDetail.exponent = 0;
    }
    TPM2B_SENSITIVE_CREATE ksens{};
    ksens.sensitive.userAuth.size = 32;
    std::memset(ksens.sensitive.userAuth.buffer, 0x5a, 32);  // a fixed bench-only auth value
    auth_ = ksens.sensitive.userAuth;
    tpm_check(Esys_Create(ctx_, primary_, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &ksens, &key, &outside, &pcrs,
                          &priv_, &pub_, nullptr, nullptr, nullptr),
              "Create");
  }
  ~TpmDirect() {
    Esys_Free(priv_);
    Esys_Free(pub_);
    Esys_FlushContext(ctx_, primary_);
    Esys_Finalize(&ctx_);
    Tss2_TctiLdr_Finalize(&tcti_);
  }
  TpmDirect(const TpmDirect&) = delete;
  TpmDirect& operator=(const TpmDirect&) = delete;

  ESYS_TR load() {
    ESYS_TR h = ESYS_TR_NONE;
    tpm_check(Esys_Load(ctx_, primary_, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv_, pub_, &h), "Load");
    tpm_check(Esys_TR_SetAuth(ctx_, h, &auth_), "SetAuth");
    return h;
  }
  void flush(ESYS_TR h) { tpm_check(Esys_FlushContext(ctx_, h), "FlushContext"); }
  // session starts a salted HMAC session (salted with the primary key), as
  // the provider uses for every command carrying a key's auth value.
  ESYS_TR session(TPMA_SESSION params) {
    TPMT_SYM_DEF sym{};
    sym.algorithm = TPM2_ALG_AES;
    sym.keyBits.aes = 128;
    sym.mode.aes = TPM2_ALG_CFB;
    ESYS_TR s = ESYS_TR_NONE;
    tpm_check(Esys_StartAuthSession(ctx_, primary_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                                    TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256, &s),
              "StartAuthSession");
    tpm_check(
        Esys_TRSess_SetAttributes(ctx_, s, static_cast<TPMA_SESSION>(TPMA_SESSION_CONTINUESESSION | params), 0xff),
        "TRSess_SetAttributes");
    return s;
  }
  // sign signs a fixed SHA-256 digest with the loaded key `h`, its auth given
  // in clear (ESYS_TR_PASSWORD) or through `session`.
  void sign(ESYS_TR h, ESYS_TR session = ESYS_TR_PASSWORD) {
    TPM2B_DIGEST digest{};
    digest.size = 32;
    std::memset(digest.buffer, 0x42, 32);
    TPMT_SIG_SCHEME scheme{};
    if (type_ == KeyType::EcdsaP256) {
      scheme.scheme = TPM2_ALG_ECDSA;
      scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    } else {
      scheme.scheme = TPM2_ALG_RSASSA;
      scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    }
    TPMT_TK_HASHCHECK ticket{};
    ticket.tag = TPM2_ST_HASHCHECK;
    ticket.hierarchy = TPM2_RH_NULL;
    TPMT_SIGNATURE* sig = nullptr;
    tpm_check(Esys_Sign(ctx_, h, session, ESYS_TR_NONE, ESYS_TR_NONE, &digest, &scheme, &ticket, &sig), "Sign");
    Esys_Free(sig);
  }

 private:
  KeyType type_;
  TSS2_TCTI_CONTEXT* tcti_ = nullptr;
  ESYS_CONTEXT* ctx_ = nullptr;
  ESYS_TR primary_ = ESYS_TR_NONE;
  TPM2B_PRIVATE* priv_ = nullptr;
  TPM2B_PUBLIC* pub_ = nullptr;
  TPM2B_AUTH auth_{};
};

}  // namespace parsec::bench
