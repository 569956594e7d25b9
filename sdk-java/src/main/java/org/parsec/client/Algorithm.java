package org.parsec.client;

import java.util.Objects;

/**
 * Algorithm is a PSA algorithm identifier (the core's flat model, parsec/psa/algorithm.h): a
 * {@link Kind} naming the variant plus the parameters that variant uses. Build values with the
 * static factories, e.g. {@code Algorithm.ecdsa(Hash.SHA_256)} (an operation or a policy) or
 * {@code Algorithm.rsaPss(Hash.ANY)} (a policy allowing any hash). Immutable; thread-safe.
 */
public final class Algorithm {
  /** The variant (values equal the core's AlgorithmKind). */
  public enum Kind {
    NONE, HASH, HMAC, CBC_MAC, CMAC, CIPHER, AEAD, RSA_PKCS1V15_SIGN, RSA_PKCS1V15_SIGN_RAW, RSA_PSS, ECDSA, ECDSA_ANY,
    DETERMINISTIC_ECDSA, RSA_PKCS1V15_CRYPT, RSA_OAEP, RAW_KEY_AGREEMENT, KEY_AGREEMENT_WITH_DERIVATION, HKDF,
    TLS12_PRF, TLS12_PSK_TO_MS
  }

  /** Unauthenticated cipher modes (wire values equal ordinal). */
  public enum CipherMode {
    NONE, STREAM_CIPHER, CTR, CFB, OFB, XTS, ECB_NO_PADDING, CBC_NO_PADDING, CBC_PKCS7
  }

  /** AEAD algorithms (wire values equal ordinal). */
  public enum Aead {
    NONE, CCM, GCM, CHACHA20_POLY1305
  }

  /** Raw key agreements (wire values equal ordinal). */
  public enum KeyAgreement {
    NONE, FFDH, ECDH
  }

  private final Kind kind;
  private final Hash hash;
  private final boolean truncated;
  private final int length;
  private final CipherMode cipher;
  private final Aead aead;
  private final KeyAgreement keyAgreement;
  private final Kind kdf;

  Algorithm(Kind kind, Hash hash, boolean truncated, int length, CipherMode cipher, Aead aead,
            KeyAgreement keyAgreement, Kind kdf) {
    this.kind = kind;
    this.hash = hash;
    this.truncated = truncated;
    this.length = length;
    this.cipher = cipher;
    this.aead = aead;
    this.keyAgreement = keyAgreement;
    this.kdf = kdf;
  }

  private static Algorithm of(Kind kind, Hash hash) {
    return new Algorithm(kind, hash, false, 0, CipherMode.NONE, Aead.NONE, KeyAgreement.NONE, Kind.NONE);
  }

  public static Algorithm none() {
    return of(Kind.NONE, Hash.NONE);
  }

  public static Algorithm hash(Hash h) {
    return of(Kind.HASH, h);
  }

  public static Algorithm hmac(Hash h) {
    return of(Kind.HMAC, h);
  }

  public static Algorithm cbcMac() {
    return of(Kind.CBC_MAC, Hash.NONE);
  }

  public static Algorithm cmac() {
    return of(Kind.CMAC, Hash.NONE);
  }

  /** truncatedMac: a full-length MAC (hmac, cbcMac, cmac) truncated to {@code macLength} bytes. */
  public static Algorithm truncatedMac(Algorithm fullLengthMac, int macLength) {
    return new Algorithm(fullLengthMac.kind, fullLengthMac.hash, true, macLength, CipherMode.NONE, Aead.NONE,
                         KeyAgreement.NONE, Kind.NONE);
  }

  public static Algorithm cipher(CipherMode mode) {
    return new Algorithm(Kind.CIPHER, Hash.NONE, false, 0, mode, Aead.NONE, KeyAgreement.NONE, Kind.NONE);
  }

  /** aead with its default tag length. */
  public static Algorithm aead(Aead a) {
    return new Algorithm(Kind.AEAD, Hash.NONE, false, 0, CipherMode.NONE, a, KeyAgreement.NONE, Kind.NONE);
  }

  public static Algorithm aeadShortenedTag(Aead a, int tagLength) {
    return new Algorithm(Kind.AEAD, Hash.NONE, true, tagLength, CipherMode.NONE, a, KeyAgreement.NONE, Kind.NONE);
  }

  public static Algorithm rsaPkcs1v15Sign(Hash h) {
    return of(Kind.RSA_PKCS1V15_SIGN, h);
  }

  public static Algorithm rsaPkcs1v15SignRaw() {
    return of(Kind.RSA_PKCS1V15_SIGN_RAW, Hash.NONE);
  }

  /** rsaPss: RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash. */
  public static Algorithm rsaPss(Hash h) {
    return of(Kind.RSA_PSS, h);
  }

  public static Algorithm ecdsa(Hash h) {
    return of(Kind.ECDSA, h);
  }

  public static Algorithm ecdsaAny() {
    return of(Kind.ECDSA_ANY, Hash.NONE);
  }

  public static Algorithm deterministicEcdsa(Hash h) {
    return of(Kind.DETERMINISTIC_ECDSA, h);
  }

  public static Algorithm rsaPkcs1v15Crypt() {
    return of(Kind.RSA_PKCS1V15_CRYPT, Hash.NONE);
  }

  /** rsaOaep: RSAES-OAEP whose label hash and MGF1 hash are both {@code h}. */
  public static Algorithm rsaOaep(Hash h) {
    return of(Kind.RSA_OAEP, h);
  }

  public static Algorithm rawKeyAgreement(KeyAgreement r) {
    return new Algorithm(Kind.RAW_KEY_AGREEMENT, Hash.NONE, false, 0, CipherMode.NONE, Aead.NONE, r, Kind.NONE);
  }

  /** keyAgreementWithDerivation: {@code kdf} is hkdf, tls12Prf or tls12PskToMs. */
  public static Algorithm keyAgreementWithDerivation(KeyAgreement r, Algorithm kdf) {
    return new Algorithm(Kind.KEY_AGREEMENT_WITH_DERIVATION, kdf.hash, false, 0, CipherMode.NONE, Aead.NONE, r,
                         kdf.kind);
  }

  public static Algorithm hkdf(Hash h) {
    return of(Kind.HKDF, h);
  }

  public static Algorithm tls12Prf(Hash h) {
    return of(Kind.TLS12_PRF, h);
  }

  public static Algorithm tls12PskToMs(Hash h) {
    return of(Kind.TLS12_PSK_TO_MS, h);
  }

  public Kind kind() {
    return kind;
  }

  /** The hash parameter (NONE when the kind has none; ANY for a wildcard policy). */
  public Hash hash() {
    return hash;
  }

  public boolean truncated() {
    return truncated;
  }

  /** MAC or tag length in bytes when truncated, else 0. */
  public int length() {
    return length;
  }

  public CipherMode cipherMode() {
    return cipher;
  }

  public Aead aeadAlgorithm() {
    return aead;
  }

  public KeyAgreement keyAgreement() {
    return keyAgreement;
  }

  /** For KEY_AGREEMENT_WITH_DERIVATION, the derivation kind; NONE otherwise. */
  public Kind kdf() {
    return kdf;
  }

  /** isSignature: one of the asymmetric signature kinds. */
  public boolean isSignature() {
    return kind.ordinal() >= Kind.RSA_PKCS1V15_SIGN.ordinal() && kind.ordinal() <= Kind.DETERMINISTIC_ECDSA.ordinal();
  }

  /** hasSignHash: a hash-and-sign signature whose hash may be ANY. */
  public boolean hasSignHash() {
    return kind == Kind.RSA_PKCS1V15_SIGN || kind == Kind.RSA_PSS || kind == Kind.ECDSA
        || kind == Kind.DETERMINISTIC_ECDSA;
  }

  /** withHash: for a hash-and-sign signature, the same scheme with hash {@code h}; else this. */
  public Algorithm withHash(Hash h) {
    return hasSignHash() ? of(kind, h) : this;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Algorithm)) {
      return false;
    }
    Algorithm a = (Algorithm) o;
    return kind == a.kind && hash == a.hash && truncated == a.truncated && length == a.length && cipher == a.cipher
        && aead == a.aead && keyAgreement == a.keyAgreement && kdf == a.kdf;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, hash, truncated, length, cipher, aead, keyAgreement, kdf);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kind.name());
    if (hash != Hash.NONE) {
      b.append('(').append(hash).append(')');
    }
    if (truncated) {
      b.append("[len=").append(length).append(']');
    }
    if (cipher != CipherMode.NONE) {
      b.append('(').append(cipher).append(')');
    }
    if (aead != Aead.NONE) {
      b.append('(').append(aead).append(')');
    }
    if (keyAgreement != KeyAgreement.NONE) {
      b.append('(').append(keyAgreement).append(kdf != Kind.NONE ? "," + kdf : "").append(')');
    }
    return b.toString();
  }
}
