package org.parsec.client;

/** PSA elliptic curve families (wire values). NIST P-256/P-384/P-521 are SECP_R1. */
public enum EccFamily {
  NONE(0), SECP_K1(1), SECP_R1(2), SECP_R2(3), SECT_K1(4), SECT_R1(5), SECT_R2(6), BRAINPOOL_P_R1(7), FRP(8),
  MONTGOMERY(9);

  private final int value;

  EccFamily(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  public static EccFamily of(int value) {
    for (EccFamily f : values()) {
      if (f.value == value) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown ECC family " + value);
  }
}
