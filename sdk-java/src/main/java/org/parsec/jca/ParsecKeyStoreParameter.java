package org.parsec.jca;

import java.nio.file.Path;
import java.security.KeyStore;
import org.parsec.client.ParsecClient;

/**
 * Load parameter of KeyStore "Parsec": the client whose keys the store shows (default: the
 * provider's) and the directory of the certificate chains (default: the provider's).
 */
public final class ParsecKeyStoreParameter implements KeyStore.LoadStoreParameter {
  private final ParsecClient client;
  private final Path chainDirectory;

  public ParsecKeyStoreParameter(ParsecClient client, Path chainDirectory) {
    this.client = client;
    this.chainDirectory = chainDirectory;
  }

  public ParsecClient client() {
    return client;
  }

  public Path chainDirectory() {
    return chainDirectory;
  }

  @Override
  public KeyStore.ProtectionParameter getProtectionParameter() {
    return null;
  }
}
