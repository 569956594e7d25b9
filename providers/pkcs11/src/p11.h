// p11.h - the PKCS #11 (Cryptoki 2.40) declarations, from p11-kit's header.
//
// SoftHSM ships no pkcs11.h; p11-kit's is complete and, in its default
// compatibility mode, uses the standard names (CK_MECHANISM::pParameter...).
// That mode works by #defining lower-case names such as `hash_alg` and
// `s_len`, and the header forgets to #undef twenty of them (the list below),
// which would rename any identifier so spelt in a file that includes it —
// psa::Algorithm::hash_alg() among them. Always include this wrapper, never
// <p11-kit/pkcs11.h> directly.
#pragma once

#include <p11-kit/pkcs11.h>

#undef aad_len
#undef aad_ptr
#undef ck_rsa_pkcs_mgf_type_t
#undef ck_rsa_pkcs_oaep_source_type_t
#undef counter_bits
#undef data_params
#undef hash_alg
#undef iv_bits
#undef iv_len
#undef iv_ptr
#undef public_data
#undef public_data_len
#undef s_len
#undef shared_data
#undef shared_data_len
#undef source_data
#undef source_data_len
#undef string_data
#undef string_data_len
#undef tag_bits

namespace parsec::provider::pkcs11 {

// PKCS #11 3.0 values that the 2.40 header lacks.
constexpr CK_MECHANISM_TYPE kCkmSha3_224 = 0x2B5;
constexpr CK_MECHANISM_TYPE kCkmSha3_256 = 0x2B0;
constexpr CK_MECHANISM_TYPE kCkmSha3_384 = 0x2C0;
constexpr CK_MECHANISM_TYPE kCkmSha3_512 = 0x2D0;
constexpr CK_RSA_PKCS_MGF_TYPE kCkgMgf1Sha3_224 = 0x6;
constexpr CK_RSA_PKCS_MGF_TYPE kCkgMgf1Sha3_256 = 0x7;
constexpr CK_RSA_PKCS_MGF_TYPE kCkgMgf1Sha3_384 = 0x8;
constexpr CK_RSA_PKCS_MGF_TYPE kCkgMgf1Sha3_512 = 0x9;

}  // namespace parsec::provider::pkcs11
