package org.parsec.jca;

import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import org.parsec.client.ParsecKey;

/** An EC key held by parsecd (see {@link ParsecPrivateKey}); getParams() gives the curve. */
public final class ParsecEcPrivateKey extends ParsecPrivateKeyBase<ECPublicKey> implements ECKey {
  private static final long serialVersionUID = 1L;

  ParsecEcPrivateKey(ParsecKey key) {
    super(key, ECPublicKey.class);
  }

  @Override
  public ECParameterSpec getParams() {
    return publicKey().getParams();
  }

  @Override
  public String getAlgorithm() {
    return "EC";
  }
}
