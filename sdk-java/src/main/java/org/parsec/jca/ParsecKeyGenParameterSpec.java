package org.parsec.jca;

import java.security.spec.AlgorithmParameterSpec;
import org.parsec.client.Algorithm;

/**
 * Parameters of the Parsec KeyPairGenerator: the key name (the KeyStore alias), the size
 * (EC 256/384, RSA 2048-4096) and the Parsec policy (the one algorithm the key permits). Defaults:
 * a random name "jca-&lt;uuid&gt;", EC ECDSA with any hash, RSA PKCS#1 v1.5 signatures with any hash
 * (use {@code Algorithm.rsaPss(Hash.ANY)} for TLS 1.3 with RSA, or rsaOaep / rsaPkcs1v15Crypt for
 * decryption). Immutable.
 */
public final class ParsecKeyGenParameterSpec implements AlgorithmParameterSpec {
  private final String keyName;
  private final int bits;
  private final Algorithm policy;

  public ParsecKeyGenParameterSpec(String keyName, int bits, Algorithm policy) {
    this.keyName = keyName;
    this.bits = bits;
    this.policy = policy;
  }

  public String keyName() {
    return keyName;
  }

  public int bits() {
    return bits;
  }

  public Algorithm policy() {
    return policy;
  }
}
