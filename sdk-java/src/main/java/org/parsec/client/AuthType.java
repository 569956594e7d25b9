package org.parsec.client;

/** Parsec authenticator types (wire values). The client can use NO_AUTH, DIRECT and UNIX_PEER_CREDENTIALS. */
public enum AuthType {
  NO_AUTH(0), DIRECT(1), JWT(2), UNIX_PEER_CREDENTIALS(3), JWT_SVID(4);

  private final int value;

  AuthType(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }

  public static AuthType of(int value) {
    for (AuthType a : values()) {
      if (a.value == value) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown authenticator " + value);
  }
}
