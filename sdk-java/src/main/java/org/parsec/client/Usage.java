package org.parsec.client;

/** PSA key usage flags, with their PSA bit values. */
public enum Usage {
  EXPORT(0x0001), COPY(0x0002), CACHE(0x0004), ENCRYPT(0x0100), DECRYPT(0x0200), SIGN_MESSAGE(0x0400),
  VERIFY_MESSAGE(0x0800), SIGN_HASH(0x1000), VERIFY_HASH(0x2000), DERIVE(0x4000);

  private final int bit;

  Usage(int bit) {
    this.bit = bit;
  }

  public int bit() {
    return bit;
  }

  static int bits(java.util.Set<Usage> usages) {
    int b = 0;
    for (Usage u : usages) {
      b |= u.bit;
    }
    return b;
  }

  static java.util.EnumSet<Usage> of(long bits) {
    java.util.EnumSet<Usage> s = java.util.EnumSet.noneOf(Usage.class);
    for (Usage u : values()) {
      if ((bits & u.bit) != 0) {
        s.add(u);
      }
    }
    return s;
  }
}
