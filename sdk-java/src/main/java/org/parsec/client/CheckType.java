package org.parsec.client;

/** CanDoCrypto check kinds (wire values). */
public enum CheckType {
  USE(1), GENERATE(2), IMPORT(3), DERIVE(4);

  private final int value;

  CheckType(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }
}
