package org.parsec.client;

/** PSA key types (wire values of psa_key_attributes.KeyType). */
public enum KeyType {
  NONE(0), RAW_DATA(1), HMAC(2), DERIVE(3), AES(4), DES(5), CAMELLIA(6), ARC4(7), CHACHA20(8),
  RSA_PUBLIC_KEY(9), RSA_KEY_PAIR(10), ECC_KEY_PAIR(11), ECC_PUBLIC_KEY(12), DH_KEY_PAIR(13), DH_PUBLIC_KEY(14);

  private final int value;

  KeyType(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  public boolean isEcc() {
    return this == ECC_KEY_PAIR || this == ECC_PUBLIC_KEY;
  }

  public boolean isRsa() {
    return this == RSA_KEY_PAIR || this == RSA_PUBLIC_KEY;
  }

  public static KeyType of(int value) {
    for (KeyType t : values()) {
      if (t.value == value) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown key type " + value);
  }
}
