// tpm_convert.h - the pure translation between the plain PSA model (parsec/psa) and
// TPM structures: templates, key formats, schemes, signatures, digests and
// the CanDoCrypto rules. Nothing here talks to a TPM, so all of it is unit
// tested without one.
#pragma once

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "parsec/interface/result.h"
#include "parsec/interface/secret.h"
#include "parsec/provider/storage.h"
#include "parsec/psa/algorithm.h"
#include "parsec/psa/key_attributes.h"
#include "parsec/psa/operations.h"

namespace parsec::provider::tpm {

using psa::Algorithm;
using psa::KeyAttributes;

// ---- hashes and curves ------------------------------------------------------
// tpm_hash maps a PSA hash to the TPM's (SHA-1, SHA-256, SHA-384, SHA-512);
// any other (including None and the Any wildcard) answers PsaErrorNotSupported.
Result<TPMI_ALG_HASH> tpm_hash(psa::Hash psa_hash);
size_t hash_size(TPMI_ALG_HASH alg);
// digest hashes `data` in software (OpenSSL) with `alg`.
Result<Bytes> digest(TPMI_ALG_HASH alg, const uint8_t* data, size_t size);

// tpm_curve maps a PSA curve (family, bits) to the TPM's: SECP_R1 with 192,
// 224, 256, 384 or 521 bits; anything else answers PsaErrorNotSupported.
Result<TPMI_ECC_CURVE> tpm_curve(psa::EccFamily family, uint32_t bits);
uint32_t curve_bits(TPMI_ECC_CURVE curve);
size_t curve_bytes(TPMI_ECC_CURVE curve);

// ---- templates ----------------------------------------------------------------
// srk_template: the storage primary key, re-created at every connection: ECC
// NIST P-256, AES-128-CFB, SHA-256 name, restricted decrypt, fixedTPM,
// fixedParent, sensitiveDataOrigin, userWithAuth, noDA, zero unique (the TCG
// "SRK" template), so the same owner seed always gives the same key.
TPM2B_PUBLIC srk_template();
// ek_template: the TCG EK Credential Profile's default RSA 2048 endorsement
// key template (L-1), policy-authorised by the endorsement hierarchy.
TPM2B_PUBLIC ek_template();

// key_pair_template builds the TPM2_Create template of a new key pair:
// SHA-256 name, fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth,
// noDA, no scheme (the scheme is chosen per operation), and sign/decrypt as
// the usage flags ask (sign if neither). PsaErrorNotSupported for a type,
// size or policy algorithm the provider cannot serve, PsaErrorInvalidArgument
// for a public-key type or a zero size.
Result<TPM2B_PUBLIC> key_pair_template(const KeyAttributes& attrs);

// ---- import -------------------------------------------------------------------
// public_from_psa parses a public key in the PSA format (RSA: DER
// RSAPublicKey; ECC: 04||X||Y) into a public area for LoadExternal, and
// reports its size. PsaErrorInvalidArgument for malformed data, a point off
// the curve or a size that contradicts non-zero key_bits;
// PsaErrorNotSupported for types and sizes the TPM lacks.
Result<TPM2B_PUBLIC> public_from_psa(const KeyAttributes& attrs, const Bytes& data, uint32_t& bits);

// PrivateImport is a key pair ready for TPM2_Import: the public area
// (fixedTPM and fixedParent clear, as Import requires; empty authPolicy, so
// the TPM can never duplicate it out) and the sensitive area with the key's
// auth value. Wiped on destruction.
struct PrivateImport {
  TPM2B_PUBLIC pub{};
  TPMT_SENSITIVE sensitive{};
  uint32_t bits = 0;
  PrivateImport() = default;
  PrivateImport(const PrivateImport&) = delete;
  PrivateImport& operator=(const PrivateImport&) = delete;
  ~PrivateImport() { wipe_pod(sensitive); }
};
// private_from_psa parses a key pair in the PSA export format (RSA: DER
// RSAPrivateKey; ECC: the private value, curve-size big-endian) with `auth`
// as the key's userAuth and `seed` as its obfuscation value. Statuses as
// public_from_psa.
Status private_from_psa(const KeyAttributes& attrs, const SecretBytes& data, const SecretBytes& auth,
                        const SecretBytes& seed, PrivateImport& out);

// ---- export and names -----------------------------------------------------------
// export_public renders a public area in the PSA format.
Result<Bytes> export_public(const TPMT_PUBLIC& pub);
// key_bits_of returns the key size of a public area.
uint32_t key_bits_of(const TPMT_PUBLIC& pub);
// marshal_public_area marshals a TPMT_PUBLIC (the publicArea of a TPM2B_PUBLIC).
Result<Bytes> marshal_public_area(const TPMT_PUBLIC& pub);
// object_name computes a TPM object's name: nameAlg (2 bytes) || H(publicArea).
Result<Bytes> object_name(const TPMT_PUBLIC& pub);

// ---- signatures -----------------------------------------------------------------
// SignPlan is what TPM2_Sign / TPM2_VerifySignature need for a request.
struct SignPlan {
  TPMT_SIG_SCHEME scheme{};
  TPM2B_DIGEST digest{};
};
// sign_plan checks `alg` against the key and turns the request's digest into
// the TPM's: ECDSA and RSASSA/RSAPSS name the hash; ecdsa_any picks the hash
// whose size the input has, after the ECDSA truncation and zero-padding rules.
// PsaErrorNotSupported for rsa_pkcs1v15_sign_raw, deterministic_ecdsa and
// hashes the TPM lacks; PsaErrorInvalidArgument for an RSA-PSS key too small
// to hold a salt as long as the hash (the TPM would shorten the salt, which
// PSA does not allow).
// `alg` that is not an asymmetric signature answers PsaErrorNotPermitted.
Result<SignPlan> sign_plan(const TPMT_PUBLIC& key, const Algorithm& alg, const Bytes& hash);
// message_hash returns the specific hash of a hash-and-sign algorithm, or
// PsaErrorInvalidArgument for ecdsa_any and rsa_pkcs1v15_sign_raw (no hash to
// compute a message digest with).
Result<psa::Hash> message_hash(const Algorithm& alg);
// signature_to_psa renders a TPM signature: ECDSA r||s, each left-padded to the
// curve size (66 bytes for P-521); RSA the signature as it is.
Result<Bytes> signature_to_psa(const TPMT_PUBLIC& key, const TPMT_SIGNATURE& sig);
// signature_from_psa parses a PSA signature for VerifySignature; a length
// other than the key's answers PsaErrorInvalidSignature.
Result<TPMT_SIGNATURE> signature_from_psa(const TPMT_PUBLIC& key, const SignPlan& plan, const Bytes& sig);

// ---- encryption -------------------------------------------------------------------
// tpm_label_ok: the TPM can take this OAEP label as it is. TPM2_RSA_Encrypt and
// TPM2_RSA_Decrypt only accept a label that is empty or ends with a zero byte,
// and hash it whole; any other label is handled with raw RSA in the TPM and
// OAEP padding in software (docs/tpm.md).
bool tpm_label_ok(const Bytes& label);
// decrypt_scheme maps an encryption algorithm to the TPM scheme (anything but
// rsa_pkcs1v15_crypt and rsa_oaep answers PsaErrorNotSupported).
Result<TPMT_RSA_DECRYPT> decrypt_scheme(const Algorithm& alg);
// oaep_pad / oaep_unpad apply RSAES-OAEP (MGF1 with the same hash) around a
// raw RSA operation of `modulus_bytes`. oaep_unpad runs in constant time and
// answers PsaErrorInvalidPadding for any bad encoding. The encoded message
// and the decoded plaintext are secrets.
Result<SecretBytes> oaep_pad(TPMI_ALG_HASH hash, const Bytes& label, const SecretBytes& message, size_t modulus_bytes);
Result<SecretBytes> oaep_unpad(TPMI_ALG_HASH hash, const Bytes& label, const uint8_t* em, size_t em_size,
                               size_t modulus_bytes);

// ---- capability ---------------------------------------------------------------------
// can_do answers CanDoCrypto (docs/protocol.md, operations §10.3) for this provider.
Status can_do(const psa::op::CanDoCrypto& op);
// policy_servable: the key's policy algorithm is `none` or one this provider
// can run with such a key.
bool policy_servable(const KeyAttributes& attrs);

// ---- DER ------------------------------------------------------------------------------
// der_rsa_public_key encodes RSAPublicKey (by the encoding module); empty if
// OpenSSL cannot build the key.
Bytes der_rsa_public_key(const uint8_t* n, size_t n_size, uint32_t e);

}  // namespace parsec::provider::tpm
