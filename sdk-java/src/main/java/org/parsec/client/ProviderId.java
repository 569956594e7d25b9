package org.parsec.client;

/** Parsec provider ids (wire values). */
public enum ProviderId {
  CORE(0), MBED_CRYPTO(1), PKCS11(2), TPM(3), TRUSTED_SERVICE(4), CRYPTOAUTHLIB(5);

  private final int value;

  ProviderId(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  public static ProviderId of(int value) {
    for (ProviderId p : values()) {
      if (p.value == value) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown provider id " + value);
  }
}
