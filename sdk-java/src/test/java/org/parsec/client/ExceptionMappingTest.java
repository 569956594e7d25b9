package org.parsec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.parsec.testing.Testbed;

/** Each exception family, from a real answer of parsecd (status, name and operation checked). */
class ExceptionMappingTest {
  private static <T extends ParsecException> T expect(Class<T> type, int status, String name, String operation,
                                                      Executable call) {
    T e = assertThrows(type, call);
    assertEquals(status, e.status(), e.getMessage());
    assertEquals(name, e.statusName());
    assertEquals(operation, e.operation());
    assertTrue(e.getMessage().contains(name), e.getMessage());
    assertTrue(!e.detail().isEmpty());
    return e;
  }

  @Test
  void keyNotFoundAndAlreadyExists() {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      expect(KeyNotFoundException.class, 1140, "PsaErrorDoesNotExist", "PsaSignHash",
             () -> c.signHash("missing", Algorithm.ecdsa(Hash.SHA_256), new byte[32]));
      KeyAttributes a = KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256));
      c.generateKey("twice", a);
      expect(KeyAlreadyExistsException.class, 1139, "PsaErrorAlreadyExists", "PsaGenerateKey",
             () -> c.generateKey("twice", a));
    }
  }

  @Test
  void notPermitted() {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      // A key that may verify but not sign.
      c.generateKey("verify-only", KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256))
                                       .withUsages(EnumSet.of(Usage.VERIFY_HASH, Usage.VERIFY_MESSAGE)));
      expect(NotPermittedException.class, 1133, "PsaErrorNotPermitted", "PsaSignHash",
             () -> c.signHash("verify-only", Algorithm.ecdsa(Hash.SHA_256), new byte[32]));
      // Admin operations as a plain application.
      expect(NotPermittedException.class, 21, "AdminOperation", "ListClients", c::listClients);
    }
  }

  @Test
  void notSupportedAndInvalidArgument() {
    try (ParsecClient tpm = Testbed.get().client(ProviderId.TPM);
         ParsecClient sw = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      expect(NotSupportedException.class, 1134, "PsaErrorNotSupported", "PsaGenerateKey",
             () -> tpm.generateKey("big", KeyAttributes.rsaKeyPair(4096, Algorithm.rsaPss(Hash.ANY))));
      expect(NotSupportedException.class, 1134, "PsaErrorNotSupported", "PsaAeadEncrypt",
             () -> tpm.aeadEncrypt("k", Algorithm.aead(Algorithm.Aead.GCM), new byte[12], null, new byte[4]));
      expect(InvalidArgumentException.class, 1135, "PsaErrorInvalidArgument", "PsaImportKey",
             () -> sw.importKey("bad", KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256)), new byte[5]));
      sw.generateKey("rsa", KeyAttributes.rsaKeyPair(2048, Algorithm.rsaPkcs1v15Crypt()));
      expect(InvalidArgumentException.class, 1150, "PsaErrorInvalidPadding", "PsaAsymmetricDecrypt",
             () -> sw.asymmetricDecrypt("rsa", Algorithm.rsaPkcs1v15Crypt(), new byte[256], null));
    }
  }

  @Test
  void authenticationAndProvider() {
    Testbed t = Testbed.get();
    try (ParsecClient noAuth = ParsecClient.builder().endpoint(t.endpoint()).authenticator(AuthType.NO_AUTH).build();
         ParsecClient noName = ParsecClient.builder().endpoint(t.endpoint()).authenticator(AuthType.DIRECT).build();
         ParsecClient ts = ParsecClient.builder().endpoint(t.endpoint()).appName("java-ts")
                               .provider(ProviderId.TRUSTED_SERVICE).build()) {
      expect(AuthenticationException.class, 19, "NotAuthenticated", "ListKeys", noAuth::listKeys);
      expect(AuthenticationException.class, 11, "AuthenticationError", "ListKeys", noName::listKeys);
      expect(ProviderException.class, 5, "ProviderNotRegistered", "PsaGenerateRandom", () -> ts.generateRandom(4));
    }
  }

  @Test
  void protocolAndConnection() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      expect(ProtocolException.class, 10, "ResponseTooLarge", "PsaGenerateRandom", () -> c.generateRandom(1L << 32));
    }
    String nowhere = "unix:" + Files.createTempDirectory("nowhere").resolve("none.sock");
    try (ParsecClient c = ParsecClient.builder().endpoint(nowhere).build()) {
      ServiceConnectionException e = assertThrows(ServiceConnectionException.class, c::ping);
      assertEquals(15, e.status());
      assertEquals("Ping", e.operation());
    }
  }

  @Test
  void serviceFailureWhenTheTpmIsGone() throws Exception {
    Testbed t = Testbed.get();
    try (ParsecClient tpm = t.client(ProviderId.TPM)) {
      tpm.generateKey("k", KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256)));
      // Stop the simulator under the daemon: its answer is a back-end failure.
      long pid = Long.parseLong(Files.readString(t.dir().resolve("swtpm.pid")).trim());
      ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
      h.destroy();
      h.onExit().get();
      try {
        ServiceFailureException e = assertThrows(ServiceFailureException.class,
                                                 () -> tpm.signHash("k", Algorithm.ecdsa(Hash.SHA_256), new byte[32]));
        assertEquals("PsaSignHash", e.operation());
        assertTrue(e.status() >= 1132, e.getMessage());
      } finally {
        t.restart();  // starts swtpm again on the same state, then parsecd
      }
      assertEquals(64, tpm.signHash("k", Algorithm.ecdsa(Hash.SHA_256), new byte[32]).length);
    }
  }
}
