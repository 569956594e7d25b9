package org.parsec.jca;

import java.security.PublicKey;
import org.parsec.client.ParsecKey;

/**
 * What every {@link ParsecPrivateKey} class shares: the handle, the cached public half (of type
 * {@code P}), no encoding (the key cannot leave the service) and a readable toString. The
 * subclasses add the key type's public parameters. Immutable; thread-safe.
 */
abstract class ParsecPrivateKeyBase<P extends PublicKey> implements ParsecPrivateKey {
  private static final long serialVersionUID = 1L;
  private final transient ParsecKey key;
  private final transient P publicKey;

  ParsecPrivateKeyBase(ParsecKey key, Class<P> publicType) {
    this.key = key;
    this.publicKey = publicType.cast(key.publicKey());
  }

  @Override
  public final ParsecKey parsecKey() {
    return key;
  }

  @Override
  public final P publicKey() {
    return publicKey;
  }

  /** No encoding: the key cannot leave the service. */
  @Override
  public final String getFormat() {
    return null;
  }

  @Override
  public final byte[] getEncoded() {
    return null;
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "(" + key.name() + ")";
  }
}
