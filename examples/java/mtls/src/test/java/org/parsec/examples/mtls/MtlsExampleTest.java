package org.parsec.examples.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.security.Security;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.jca.ParsecProvider;

/**
 * Runs the example against the parsecd of PARSEC_SERVICE_ENDPOINT (sdk-java/run-tests.sh starts one
 * with tests/testbed/parsec-testbed.sh): TLS 1.2 and 1.3 handshakes on 127.0.0.1, each side
 * checking the other's certificate, with the keys on the software provider, SoftHSM and the TPM.
 */
class MtlsExampleTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void handshakesOnEveryProvider(int provider) throws Exception {
    assertFalse(System.getenv().getOrDefault("PARSEC_SERVICE_ENDPOINT", "").isEmpty(),
                "run under tests/testbed/parsec-testbed.sh run");
    try (ParsecClient client = ParsecClient.builder().appName("mtls-example-test").provider(ProviderId.of(provider))
                                   .build()) {
      ParsecProvider parsec = new ParsecProvider(client, Files.createTempDirectory("chains"));
      Security.addProvider(parsec);
      try {
        System.out.println("provider " + provider + ":");
        List<Mtls.Outcome> outcomes = Mtls.run(parsec, "TLSv1.2", "TLSv1.3");
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), outcomes.stream().map(Mtls.Outcome::protocol).toList());
        for (Mtls.Outcome o : outcomes) {
          assertEquals("CN=mtls-server", o.clientSawServer());
          assertEquals("CN=mtls-client", o.serverSawClient());
          assertEquals("hello CN=mtls-client (ping!)", o.answer());
        }
      } finally {
        Security.removeProvider(ParsecProvider.NAME);
      }
    }
  }

  /** A server that trusts another CA refuses the daemon-held client certificate: the check can fail. */
  @Test
  void foreignCaIsRefused() throws Exception {
    try (ParsecClient client = ParsecClient.builder().appName("mtls-example-foreign").build()) {
      ParsecProvider parsec = new ParsecProvider(client, Files.createTempDirectory("chains"));
      Security.addProvider(parsec);
      ThrowawayCa ca = new ThrowawayCa("Real CA");
      ThrowawayCa other = new ThrowawayCa("Other CA");
      try {
        SSLContext server = Mtls.context(parsec, Mtls.identity(parsec, "mtls-server", true, ca), other.certificate());
        SSLContext clientCtx = Mtls.context(parsec, Mtls.identity(parsec, "mtls-client", false, ca), ca.certificate());
        SSLHandshakeException e =
            assertThrows(SSLHandshakeException.class, () -> Mtls.handshake(server, clientCtx, "TLSv1.3"));
        System.out.println("foreign CA: server refused the client: " + e.getMessage());
      } finally {
        Security.removeProvider(ParsecProvider.NAME);
        ca.destroy();
        other.destroy();
      }
    }
  }
}
