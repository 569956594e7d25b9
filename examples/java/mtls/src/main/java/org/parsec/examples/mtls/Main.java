package org.parsec.examples.mtls;

import java.security.Security;
import org.parsec.client.ParsecClient;
import org.parsec.jca.ParsecProvider;

/**
 * Mutual TLS where both private keys live in parsecd:
 *   PARSEC_SERVICE_ENDPOINT=unix:/run/parsec/parsec.sock mvn -q compile exec:java
 * (application name "mtls-example", the service's first provider unless -Dparsec.provider=N).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    ParsecClient.Builder b = ParsecClient.builder().appName("mtls-example");
    String provider = System.getProperty("parsec.provider");
    if (provider != null) {
      b.provider(org.parsec.client.ProviderId.of(Integer.parseInt(provider)));
    }
    try (ParsecClient client = b.build()) {
      ParsecProvider parsec = new ParsecProvider(client, Mtls.defaultChainDir());
      // JSSE looks Signature up by name: the provider must be registered.
      Security.addProvider(parsec);
      Mtls.run(parsec, "TLSv1.2", "TLSv1.3");
    }
  }
}
