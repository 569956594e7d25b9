// known_answers.h - published test vectors, each with its source, shared by
// the provider unit tests and the end-to-end suite (tests/e2e). Values are
// hex strings exactly as the sources print them (case ignored). Header-only;
// the RSA key builders use OpenSSL's BIGNUM, which both suites link.
#pragma once

#include <openssl/bn.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parsec::kat {

// ---- hashes of "abc": FIPS 180-2 appendices (SHA-1, SHA-2), RFC 1321 §A.5
// (MD5), the RIPEMD-160 authors' page (Dobbertin, Bosselaers, Preneel).
inline constexpr const char* kAbc = "abc";
inline constexpr const char* kMd5Abc = "900150983cd24fb0d6963f7d28e17f72";
inline constexpr const char* kRipemd160Abc = "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc";
inline constexpr const char* kSha1Abc = "a9993e364706816aba3e25717850c26c9cd0d89d";
inline constexpr const char* kSha224Abc = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7";
inline constexpr const char* kSha256Abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
inline constexpr const char* kSha384Abc =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
inline constexpr const char* kSha512Abc =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a"
    "9"
    "ac94fa54ca49f";
// FIPS 202 example (SHA3-256("abc")); Mbed TLS 2.28 has no SHA-3, so it is
// only used to show that the request is refused.
inline constexpr const char* kSha3_256Abc = "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532";

// ---- HMAC: RFC 4231 test cases 1, 2 and 5 (5 is truncated to 128 bits).
inline constexpr const char* kHmacCase1Key = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
inline constexpr const char* kHmacCase1Data = "Hi There";
inline constexpr const char* kHmacSha256Case1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
inline constexpr const char* kHmacSha512Case1 =
    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e"
    "6"
    "96c203a126854";
inline constexpr const char* kHmacCase2Key = "4a656665";  // "Jefe"
inline constexpr const char* kHmacCase2Data = "what do ya want for nothing?";
inline constexpr const char* kHmacSha256Case2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
inline constexpr const char* kHmacCase5Key = "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c";
inline constexpr const char* kHmacCase5Data = "Test With Truncation";
inline constexpr const char* kHmacSha256Case5Truncated128 = "a3b6167473100ee06e0c796c2955552b";

// ---- AES-CMAC: RFC 4493 §4, examples 1 (empty message) and 2.
inline constexpr const char* kCmacKey = "2b7e151628aed2a6abf7158809cf4f3c";
inline constexpr const char* kCmacEmpty = "bb1d6929e95937287fa37d129b756746";
inline constexpr const char* kCmacMessage2 = "6bc1bee22e409f96e93d7e117393172a";
inline constexpr const char* kCmacExample2 = "070a16b46b4d4144f79bdd9dd04a287c";

// ---- AES-128 block modes: NIST SP 800-38A appendix F, first block of
// F.1.1 (ECB), F.2.1 (CBC), F.3.13 (CFB128), F.4.1 (OFB), F.5.1 (CTR).
inline constexpr const char* kSp80038aKey = "2b7e151628aed2a6abf7158809cf4f3c";
inline constexpr const char* kSp80038aIv = "000102030405060708090a0b0c0d0e0f";
inline constexpr const char* kSp80038aCtrIv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
inline constexpr const char* kSp80038aPlain = "6bc1bee22e409f96e93d7e117393172a";
inline constexpr const char* kSp80038aEcb = "3ad77bb40d7a3660a89ecaf32466ef97";
inline constexpr const char* kSp80038aCbc = "7649abac8119b246cee98e9b12e9197d";
inline constexpr const char* kSp80038aCfb = "3b3fd92eb72dad20333449f8e83cfb4a";
inline constexpr const char* kSp80038aOfb = "3b3fd92eb72dad20333449f8e83cfb4a";
inline constexpr const char* kSp80038aCtr = "874d6191b620e3261bef6864990db6ce";

// ---- ChaCha20 keystream: RFC 8439 appendix A.1, test vector #1 (zero key,
// zero nonce, block counter 0 - the counter PSA's stream cipher starts at).
inline constexpr const char* kChacha20ZeroKeystream =
    "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc"
    "387b669b2ee6586";

// ---- AES-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation",
// test cases 2 and 4 (AES-128, 96-bit IV).
inline constexpr const char* kGcm2Key = "00000000000000000000000000000000";
inline constexpr const char* kGcm2Iv = "000000000000000000000000";
inline constexpr const char* kGcm2Plain = "00000000000000000000000000000000";
inline constexpr const char* kGcm2CipherTag = "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf";
inline constexpr const char* kGcm4Key = "feffe9928665731c6d6a8f9467308308";
inline constexpr const char* kGcm4Iv = "cafebabefacedbaddecaf888";
inline constexpr const char* kGcm4Aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
inline constexpr const char* kGcm4Plain =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba"
    "6"
    "37b39";
inline constexpr const char* kGcm4CipherTag =
    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d"
    "5"
    "8e091"
    "5bc94fbc3221a5db94fae95ae7121a47";

// ---- AES-CCM: RFC 3610 §8 packet vector #1 (8-byte tag, 13-byte nonce) and
// NIST SP 800-38C appendix C.1 example 1 (4-byte tag, 7-byte nonce).
inline constexpr const char* kCcm3610Key = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
inline constexpr const char* kCcm3610Nonce = "00000003020100a0a1a2a3a4a5";
inline constexpr const char* kCcm3610Aad = "0001020304050607";
inline constexpr const char* kCcm3610Plain = "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e";
inline constexpr const char* kCcm3610CipherTag = "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0";
inline constexpr const char* kCcm38cKey = "404142434445464748494a4b4c4d4e4f";
inline constexpr const char* kCcm38cNonce = "10111213141516";
inline constexpr const char* kCcm38cAad = "0001020304050607";
inline constexpr const char* kCcm38cPlain = "20212223";
inline constexpr const char* kCcm38cCipherTag = "7162015b4dac255d";

// ---- ChaCha20-Poly1305: RFC 8439 §2.8.2.
inline constexpr const char* kChachaPolyKey = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
inline constexpr const char* kChachaPolyNonce = "070000004041424344454647";
inline constexpr const char* kChachaPolyAad = "50515253c0c1c2c3c4c5c6c7";
inline constexpr const char* kChachaPolyPlain =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be "
    "it.";
inline constexpr const char* kChachaPolyCipherTag =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905"
    "d"
    "6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
    "1ae10b594f09e26a7e902ecbd0600691";

// ---- ECDSA: RFC 6979 appendix A.2.5 (P-256) and A.2.7 (P-521),
// deterministic signatures of "sample" (and "test"); signatures are r || s.
inline constexpr const char* kRfc6979P256Private = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
inline constexpr const char* kRfc6979P256Public =
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f51"
    "77a3c294d4462299";
inline constexpr const char* kRfc6979P256Sha256Sample =
    "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
inline constexpr const char* kRfc6979P256Sha256Test =
    "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
    "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083";
inline constexpr const char* kRfc6979P521Private =
    "00fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89"
    "e"
    "c0c08b0e996b83538";
inline constexpr const char* kRfc6979P521Sha512Sample =
    "00c328fafcbd79dd77850370c46325d987cb525569fb63c5d3bc53950e6d4c5f174e25a1ee9017b5d450606add152b534931d7d4e8455cc91f"
    "9b15bf05ec36e377fa"
    "00617cce7cf5064806c467f678d3b4080d6f1cc50af26ca209417308281b68af282623eaa63e5b5c0723d8b8c37ff0777b1a20f8ccb1dccc4"
    "3997f1ee0e44da4a67a";
inline constexpr const char* kSample = "sample";
inline constexpr const char* kTest = "test";

// ---- RSA, from the RSA Laboratories PKCS #1 v2.1 test vectors as carried by
// Mbed TLS 2.28's tests/suites/test_suite_pkcs1_v15.data and
// test_suite_pkcs1_v21.data.
// RSASSA-PKCS1-v1_5 "Int" vector: 1024-bit key, e = 65537, SHA-1.
inline constexpr const char* kPkcs1SignN =
    "a2ba40ee07e3b2bd2f02ce227f36a195024486e49c19cb41bbbdfbba98b22b0e577c2eeaffa20d883a76e65e394c69d4b3c05a1e8fadda27ed"
    "b"
    "2a42bc000fe888b9b32c22d15add0cd76b3e7936e19955b220dd17d4ea904b1ec102b2e4de7751222aa99151024c7cb41cc5ea21d00eeb41f7"
    "c800834d2c6e06bce3bce7ea9a5";
inline constexpr const char* kPkcs1SignE = "010001";
inline constexpr const char* kPkcs1SignP =
    "d17f655bf27c8b16d35462c905cc04a26f37e2a67fa9c0ce0dced472394a0df743fe7f929e378efdb368eddff453cf007af6d948e0ade75737"
    "1f8a711e278f6b";
inline constexpr const char* kPkcs1SignQ =
    "c6d92b6fee7414d1358ce1546fb62987530b90bd15e0f14963a5e2635adb69347ec0c01b2ab1763fd8ac1a592fb22757463a982425bb97a3a4"
    "37c5bf86d03f2f";
inline constexpr const char* kPkcs1SignMessage =
    "859eef2fd78aca00308bdc471193bf55bf9d78db8f8a672b484634f3c9c26e6478ae10260fe0dd8c082e53a5293af2173cd50c6d5d354febf7"
    "8b26021c25c02712e78cd4694c9f469777e451e7f8e9e04cd3739c6bbfedae487fb55644e9ca74ff77a53cb729802f6ed4a5ffa8ba159890f"
    "c";
inline constexpr const char* kPkcs1SignSignature =
    "2154f928615e5101fcdeb57bc08fc2f35c3d5996403861ae3efb1d0712f8bb05cc21f7f5f11f62e5b6ea9f0f2b62180e5cbe7ba535032d6ac"
    "8068fff7f362f73d2c3bf5eca6062a1723d7cfd5abb6dcf7e405f2dc560ffe6fc37d38bee4dc9e24fe2bece3e3b4a3f032701d3f0947b42930"
    "083dd4ad241b3309b514595482d42";
// RSASSA-PSS Example 1.1: 1024-bit key, e = 65537, SHA-1, MGF1-SHA-1, 20-byte salt.
inline constexpr const char* kPssN =
    "a56e4a0e701017589a5187dc7ea841d156f2ec0e36ad52a44dfeb1e61f7ad991d8c51056ffedb162b4c0f283a12a88a394dff526ab7291cbb3"
    "07ceabfce0b1dfd5cd9508096d5b2b8b6df5d671ef6377c0921cb23c270a70e2598e6ff89d19f105acc2d3f0cb35f29280e1386b6f64c4ef22"
    "e1e1f20d0ce8cffb2249bd9a2137";
inline constexpr const char* kPssE = "010001";
inline constexpr const char* kPssMessage =
    "cdc87da223d786df3b45e0bbbc721326d1ee2af806cc315475cc6f0d9c66e1b62371d45ce2392e1ac92844c310102f156a0d8d52c1f4c40ba3"
    "aa65095786cb769757a6563ba958fed0bcc984e8b517a3d5f515b23b8a41e74aa867693f90dfb061a6e86dfaaee64472c00e5f20945729cbeb"
    "e77f06ce78e08f4098fba41f9d6193c0317e8b60d4b6084acb42d29e3808a3bc372d85e331170fcbf7cc72d0b71c296648b3a4d10f416295d"
    "0807aa625cab2744fd9ea8fd223c42537029828bd16be02546f130fd2e33b936d2676e08aed1b73318b750a0167d0";
inline constexpr const char* kPssSignature =
    "9074308fb598e9701b2294388e52f971faac2b60a5145af185df5287b5ed2887e57ce7fd44dc8634e407c8e0e4360bc226f3ec227f9d9e546"
    "38e8d31f5051215df6ebb9c2f9579aa77598a38f914b5b9c1bd83c4e2f9f382a0d0aa3542ffee65984a601bc69eb28deb27dca12c82c2d4c3"
    "f66cd500f1ff2b994d8a4e30cbb33c";
// RSAES "Int" vectors: 1024-bit key with e = 17 given by its primes;
// PKCS#1 v1.5 and OAEP (SHA-1, empty label) encryptions of one message.
inline constexpr const char* kEncP =
    "eecfae81b1b9b3c908810b10a1b5600199eb9f44aef4fda493b81a9e3d84f632124ef0236e5d1e3b7e28fae7aa040a2d5b252176459d1f39"
    "7541ba2a58fb6599";
inline constexpr const char* kEncQ =
    "c97fb1f027f453f6341233eaaad1d9353f6c42d08866b1d05a0f2035028b9d869840b41666b42e92ea0da3b43204b5cfce3352524d0416a5"
    "a441e700af461503";
inline constexpr const char* kEncN =
    "bbf82f090682ce9c2338ac2b9da871f7368d07eed41043a440d6b6f07454f51fb8dfbaaf035c02ab61ea48ceeb6fcd4876ed520d60e1ec461"
    "9719d8a5b8b807fafb8e0a3dfc737723ee6b4b7d93a2584ee6a649d060953748834b2454598394ee0aab12d7b61a51f527a9a41f6c1687fe2"
    "537298ca2a8f5946f8e5fd091dbdcb";
inline constexpr const char* kEncE = "11";
inline constexpr const char* kEncMessage = "d436e99569fd32a7c8a05bbc90d32c49";
inline constexpr const char* kPkcs1EncCiphertext =
    "28818cb14236ad18f4527e7f1f7633e96cef021bc3234475d7f61e88702b6335b42a352ed3f3267ac7c3e9ba4af17e45096c63eefd8d9a7cb"
    "42dfc52fffb2f5b8afb305b46312c2eb50634123b4437a2287ac57b7509d59a583fb741989a49f32625e9267b4641a6607b7303d35c68489d"
    "b53c8d387b620d0d46a852e72ea43c";
inline constexpr const char* kOaepSha1Ciphertext =
    "1253e04dc0a5397bb44a7ab87e9bf2a039a33d1e996fc82a94ccd30074c95df763722017069e5268da5d1c0b4f872cf653c11df82314a6796"
    "8dfeae28def04bb6d84b1c31d654a1970e5783bd6eb96a024c2ca2f4a90fe9f2ef5c9c140e5bb48da9536ad8700c84fc9130adea74e558d51"
    "a74ddf85d8b50de96838d6063e0955";

// ---- ECDH: RFC 5903 §8.1 (P-256; the shared secret is the x-coordinate) and
// RFC 7748 §6.1 (X25519).
inline constexpr const char* kRfc5903Private = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
inline constexpr const char* kRfc5903PeerPublic =
    "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf6356fbf3ca366cc23e8157854c13c58d6aac23f046ada30f83"
    "53e74f33039872ab";
inline constexpr const char* kRfc5903Shared = "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de";
inline constexpr const char* kX25519AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
inline constexpr const char* kX25519AlicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
inline constexpr const char* kX25519BobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
inline constexpr const char* kX25519Shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

// ---- helpers -------------------------------------------------------------

// unhex decodes a hex string (throws on a malformed one: a broken vector is
// a test bug).
inline std::string unhex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    throw std::invalid_argument("bad hex digit");
  };
  if (hex.size() % 2 != 0) {
    throw std::invalid_argument("odd hex length");
  }
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

inline std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

namespace detail {

inline std::string der_length(size_t n) {
  if (n < 0x80) {
    return std::string(1, static_cast<char>(n));
  }
  std::string bytes;
  for (size_t v = n; v != 0; v >>= 8) {
    bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
  }
  return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

inline std::string der_integer(const BIGNUM* v) {
  std::string body(static_cast<size_t>(BN_num_bytes(v)), '\0');
  BN_bn2bin(v, reinterpret_cast<unsigned char*>(body.data()));
  if (body.empty() || (static_cast<unsigned char>(body[0]) & 0x80) != 0) {
    body.insert(body.begin(), '\0');
  }
  return "\x02" + der_length(body.size()) + body;
}

inline std::string der_sequence(const std::string& content) {
  return "\x30" + der_length(content.size()) + content;
}

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

inline Bn bn_hex(const char* h) {
  BIGNUM* b = nullptr;
  BN_hex2bn(&b, h);
  return Bn(b);
}

}  // namespace detail

// rsa_public_der is the PKCS#1 RSAPublicKey DER (the PSA import format) of
// (n, e) given in hex.
inline std::string rsa_public_der(const char* n_hex, const char* e_hex) {
  detail::Bn n = detail::bn_hex(n_hex);
  detail::Bn e = detail::bn_hex(e_hex);
  return detail::der_sequence(detail::der_integer(n.get()) + detail::der_integer(e.get()));
}

// rsa_private_der is the PKCS#1 RSAPrivateKey DER (the PSA import format) of
// the key with primes p, q and public exponent e (hex); d = e^-1 mod
// lcm(p-1, q-1) would also do, PKCS#1 vectors use phi(n).
inline std::string rsa_private_der(const char* p_hex, const char* q_hex, const char* e_hex) {
  using detail::Bn;
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), &BN_CTX_free);
  Bn p = detail::bn_hex(p_hex), q = detail::bn_hex(q_hex), e = detail::bn_hex(e_hex);
  Bn n(BN_new()), p1(BN_new()), q1(BN_new()), phi(BN_new()), d(BN_new()), dp(BN_new()), dq(BN_new()), qinv(BN_new());
  BN_mul(n.get(), p.get(), q.get(), ctx.get());
  BN_sub(p1.get(), p.get(), BN_value_one());
  BN_sub(q1.get(), q.get(), BN_value_one());
  BN_mul(phi.get(), p1.get(), q1.get(), ctx.get());
  BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get());
  BN_mod(dp.get(), d.get(), p1.get(), ctx.get());
  BN_mod(dq.get(), d.get(), q1.get(), ctx.get());
  BN_mod_inverse(qinv.get(), q.get(), p.get(), ctx.get());
  BIGNUM* zero = BN_new();
  BN_zero(zero);
  std::string body = detail::der_integer(zero);
  BN_free(zero);
  for (const BIGNUM* v : {n.get(), e.get(), d.get(), p.get(), q.get(), dp.get(), dq.get(), qinv.get()}) {
    body += detail::der_integer(v);
  }
  return detail::der_sequence(body);
}

}  // namespace parsec::kat
