package org.parsec.jca;

import java.security.ProviderException;
import java.security.SecureRandomSpi;
import java.util.Arrays;
import org.parsec.client.ParsecException;

/**
 * SecureRandom "Parsec": bytes from the service's generator (PsaGenerateRandom), one request per
 * call. setSeed is ignored (the service's generator cannot be seeded by clients; the JCA
 * contract allows supplementing a seed to be a no-op). Thread-safe.
 */
public final class ParsecSecureRandom extends SecureRandomSpi {
  private static final long serialVersionUID = 1L;
  private final transient ParsecProvider provider;

  ParsecSecureRandom(ParsecProvider provider) {
    this.provider = provider;
  }

  @Override
  protected void engineSetSeed(byte[] seed) {}

  @Override
  protected void engineNextBytes(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    byte[] r;
    try {
      r = provider.client().generateRandom(bytes.length);
    } catch (ParsecException e) {
      throw new ProviderException("Parsec SecureRandom: " + e.getMessage(), e);
    }
    System.arraycopy(r, 0, bytes, 0, bytes.length);
    Arrays.fill(r, (byte) 0);
  }

  @Override
  protected byte[] engineGenerateSeed(int numBytes) {
    byte[] b = new byte[numBytes];
    engineNextBytes(b);
    return b;
  }
}
