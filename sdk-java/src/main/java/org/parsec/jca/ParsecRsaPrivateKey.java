package org.parsec.jca;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import org.parsec.client.ParsecKey;

/** An RSA key held by parsecd (see {@link ParsecPrivateKey}); getModulus() is the public modulus. */
public final class ParsecRsaPrivateKey implements ParsecPrivateKey, RSAKey {
  private static final long serialVersionUID = 1L;
  private final transient ParsecKey key;
  private final transient RSAPublicKey publicKey;

  ParsecRsaPrivateKey(ParsecKey key) {
    this.key = key;
    this.publicKey = (RSAPublicKey) key.publicKey();
  }

  @Override
  public ParsecKey parsecKey() {
    return key;
  }

  @Override
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public BigInteger getModulus() {
    return publicKey.getModulus();
  }

  @Override
  public String getAlgorithm() {
    return "RSA";
  }

  @Override
  public String getFormat() {
    return null;
  }

  @Override
  public byte[] getEncoded() {
    return null;
  }

  @Override
  public String toString() {
    return "ParsecRsaPrivateKey(" + key.name() + ")";
  }
}
