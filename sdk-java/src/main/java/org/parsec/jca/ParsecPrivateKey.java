package org.parsec.jca;

import java.security.PrivateKey;
import java.security.PublicKey;
import org.parsec.client.ParsecKey;

/**
 * ParsecPrivateKey is a JCA PrivateKey that is only a handle on a key held by parsecd: it has no
 * encoding ({@code getEncoded()} and {@code getFormat()} return null) and its secret never
 * leaves the service. EC handles also implement {@link java.security.interfaces.ECKey}, RSA handles
 * {@link java.security.interfaces.RSAKey}, with the public parameters only, so that JSSE can pick
 * a signature scheme. Immutable; thread-safe.
 */
public interface ParsecPrivateKey extends PrivateKey {
  /** The handle used for every operation. */
  ParsecKey parsecKey();

  /** The Parsec key name (the KeyStore alias). */
  default String keyName() {
    return parsecKey().name();
  }

  /** The public half, as the JDK's PublicKey. */
  PublicKey publicKey();

  /** of wraps a handle in the private key class of its type. */
  static ParsecPrivateKey of(ParsecKey key) {
    return key.attributes().type().isEcc() ? new ParsecEcPrivateKey(key) : new ParsecRsaPrivateKey(key);
  }
}
