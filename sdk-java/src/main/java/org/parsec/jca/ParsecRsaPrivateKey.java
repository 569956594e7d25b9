package org.parsec.jca;

import java.math.BigInteger;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import org.parsec.client.ParsecKey;

/** An RSA key held by parsecd (see {@link ParsecPrivateKey}); getModulus() is the public modulus. */
public final class ParsecRsaPrivateKey extends ParsecPrivateKeyBase<RSAPublicKey> implements RSAKey {
  private static final long serialVersionUID = 1L;

  ParsecRsaPrivateKey(ParsecKey key) {
    super(key, RSAPublicKey.class);
  }

  @Override
  public BigInteger getModulus() {
    return publicKey().getModulus();
  }

  @Override
  public String getAlgorithm() {
    return "RSA";
  }
}
