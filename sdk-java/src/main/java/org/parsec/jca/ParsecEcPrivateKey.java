package org.parsec.jca;

import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import org.parsec.client.ParsecKey;

/** An EC key held by parsecd (see {@link ParsecPrivateKey}); getParams() gives the curve. */
public final class ParsecEcPrivateKey implements ParsecPrivateKey, ECKey {
  private static final long serialVersionUID = 1L;
  private final transient ParsecKey key;
  private final transient ECPublicKey publicKey;

  ParsecEcPrivateKey(ParsecKey key) {
    this.key = key;
    this.publicKey = (ECPublicKey) key.publicKey();
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
  public ECParameterSpec getParams() {
    return publicKey.getParams();
  }

  @Override
  public String getAlgorithm() {
    return "EC";
  }

  /** No encoding: the key cannot leave the service. */
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
    return "ParsecEcPrivateKey(" + key.name() + ")";
  }
}
