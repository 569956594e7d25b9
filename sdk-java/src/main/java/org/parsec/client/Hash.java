package org.parsec.client;

/** PSA hash algorithms (wire values). {@link #ANY} is the "any hash" wildcard of signature policies. */
public enum Hash {
  NONE(0, null, 0), MD2(1, "MD2", 16), MD4(2, "MD4", 16), MD5(3, "MD5", 16), RIPEMD160(4, "RIPEMD160", 20),
  SHA_1(5, "SHA-1", 20), SHA_224(6, "SHA-224", 28), SHA_256(7, "SHA-256", 32), SHA_384(8, "SHA-384", 48),
  SHA_512(9, "SHA-512", 64), SHA_512_224(10, "SHA-512/224", 28), SHA_512_256(11, "SHA-512/256", 32),
  SHA3_224(12, "SHA3-224", 28), SHA3_256(13, "SHA3-256", 32), SHA3_384(14, "SHA3-384", 48),
  SHA3_512(15, "SHA3-512", 64), ANY(0xFF, null, 0);

  private final int value;
  private final String jcaName;
  private final int length;

  Hash(int value, String jcaName, int length) {
    this.value = value;
    this.jcaName = jcaName;
    this.length = length;
  }

  /** The wire value. */
  public int value() {
    return value;
  }

  /** The JCA MessageDigest name ("SHA-256"), or null for NONE and ANY. */
  public String jcaName() {
    return jcaName;
  }

  /** Digest length in bytes (0 for NONE and ANY). */
  public int length() {
    return length;
  }

  public static Hash of(int value) {
    for (Hash h : values()) {
      if (h.value == value) {
        return h;
      }
    }
    throw new IllegalArgumentException("unknown hash " + value);
  }

  /** fromJcaName maps "SHA-256" / "SHA256" to SHA_256; null when unknown. */
  public static Hash fromJcaName(String name) {
    String n = name.toUpperCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
    for (Hash h : values()) {
      if (h.jcaName != null && h.jcaName.replace("-", "").equals(n)) {
        return h;
      }
    }
    return null;
  }
}
