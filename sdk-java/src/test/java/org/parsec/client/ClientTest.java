package org.parsec.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.parsec.testing.Testbed;

/** The client API against a real parsecd: discovery, key life cycle, every family of operation. */
class ClientTest {
  static List<ProviderId> providers() {
    return Testbed.providers();
  }

  @Test
  void discovery() {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      assertArrayEquals(new int[] {1, 0}, c.ping());
      List<ProviderId> ids = c.listProviders().stream().map(ProviderInfo::id).collect(Collectors.toList());
      assertEquals(List.of(ProviderId.MBED_CRYPTO, ProviderId.PKCS11, ProviderId.TPM, ProviderId.CORE), ids);
      List<AuthType> auths = c.listAuthenticators().stream().map(AuthenticatorInfo::id).collect(Collectors.toList());
      assertEquals(List.of(AuthType.DIRECT, AuthType.UNIX_PEER_CREDENTIALS), auths);
      assertEquals(AuthType.DIRECT, c.authType());
      List<Integer> ops = c.listOpcodes(ProviderId.MBED_CRYPTO);
      assertTrue(ops.contains(0x04) && ops.contains(0x02) && ops.contains(0x03), ops.toString());  // sign, generate, destroy
      assertEquals(ProviderId.MBED_CRYPTO, c.provider());
      assertTrue(c.endpoint().startsWith("unix:/"));
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void keyLifeCycleAndSignatures(ProviderId provider) throws Exception {
    try (ParsecClient c = Testbed.get().client(provider)) {
      KeyAttributes attrs = KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256));
      c.generateKey("k1", attrs);
      List<KeyInfo> keys = c.listKeys();
      assertEquals(1, keys.size());
      assertEquals("k1", keys.get(0).name());
      assertEquals(provider, keys.get(0).provider());
      KeyAttributes got = c.keyAttributes("k1");
      assertEquals(KeyType.ECC_KEY_PAIR, got.type());
      assertEquals(EccFamily.SECP_R1, got.eccFamily());
      assertEquals(256, got.bits());
      assertEquals(Algorithm.ecdsa(Hash.SHA_256), got.policy());
      assertTrue(got.usages().containsAll(EnumSet.of(Usage.SIGN_HASH, Usage.VERIFY_HASH)));

      byte[] pub = c.exportPublicKey("k1");
      assertEquals(65, pub.length);
      assertEquals(4, pub[0]);

      byte[] msg = "signed by parsecd".getBytes(StandardCharsets.UTF_8);
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(msg);
      byte[] raw = c.signHash("k1", Algorithm.ecdsa(Hash.SHA_256), hash);
      assertEquals(64, raw.length);
      assertTrue(c.verifyHash("k1", Algorithm.ecdsa(Hash.SHA_256), hash, raw));
      raw[5] ^= 1;
      assertFalse(c.verifyHash("k1", Algorithm.ecdsa(Hash.SHA_256), hash, raw));

      // The handle gives DER for the JDK, which verifies it independently.
      ParsecKey k = c.key("k1");
      byte[] der = k.signHash(hash, true);
      Signature v = Signature.getInstance("SHA256withECDSA", "SunEC");
      v.initVerify(k.publicKey());
      v.update(msg);
      assertTrue(v.verify(der));
      byte[] der2 = k.sign(msg, true);
      v.initVerify(k.publicKey());
      v.update(msg);
      assertTrue(v.verify(der2));

      c.destroyKey("k1");
      assertTrue(c.listKeys().isEmpty());
      assertThrows(KeyNotFoundException.class, () -> c.exportPublicKey("k1"));
    }
  }

  /** close() while other threads call: they finish or see IllegalStateException, never a freed client. */
  @Test
  void closeWaitsForCallsInFlight() throws Exception {
    ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO);
    int threads = 8;
    java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(threads * 3);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(pool.submit(() -> {
        int calls = 0;
        while (true) {
          try {
            assertEquals(16, c.generateRandom(16).length);
            calls++;
            warm.countDown();
          } catch (IllegalStateException closed) {
            return calls;
          }
        }
      }));
    }
    assertTrue(warm.await(60, java.util.concurrent.TimeUnit.SECONDS));
    c.close();
    int total = 0;
    for (java.util.concurrent.Future<Integer> f : done) {
      total += f.get(60, java.util.concurrent.TimeUnit.SECONDS);  // each ended with IllegalStateException
    }
    assertTrue(total >= threads * 3, "calls before close: " + total);
    pool.shutdown();
    assertThrows(IllegalStateException.class, c::ping);
    c.close();  // idempotent
  }

  @Test
  void hashRandomAeadOnSoftware() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      byte[] data = "abc".getBytes(StandardCharsets.US_ASCII);
      byte[] h = c.hashCompute(Hash.SHA_256, data);
      assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), h);
      assertTrue(c.hashCompare(Hash.SHA_256, data, h));

      byte[] r1 = c.generateRandom(32);
      byte[] r2 = c.generateRandom(32);
      assertEquals(32, r1.length);
      assertNotEquals(java.util.Arrays.toString(r1), java.util.Arrays.toString(r2));

      // AES-GCM: the service encrypts, the JDK decrypts with the exported key.
      KeyAttributes aes = KeyAttributes.builder().type(KeyType.AES).bits(128).policy(Algorithm.aead(Algorithm.Aead.GCM))
                              .addUsage(Usage.EXPORT).build();
      c.generateKey("aes", aes);
      byte[] nonce = c.generateRandom(12);
      byte[] ad = "header".getBytes(StandardCharsets.US_ASCII);
      byte[] ct = c.aeadEncrypt("aes", Algorithm.aead(Algorithm.Aead.GCM), nonce, ad, data);
      Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
      jdk.init(Cipher.DECRYPT_MODE, new SecretKeySpec(c.exportKey("aes"), "AES"), new GCMParameterSpec(128, nonce));
      jdk.updateAAD(ad);
      assertArrayEquals(data, jdk.doFinal(ct));
      assertArrayEquals(data, c.aeadDecrypt("aes", Algorithm.aead(Algorithm.Aead.GCM), nonce, ad, ct));

      assertTrue(c.canDoCrypto(CheckType.GENERATE, KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256))));
    }
  }

  @Test
  void importedEcKeyIsUsable() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
      g.initialize(256);
      java.security.KeyPair kp = g.generateKeyPair();
      java.security.interfaces.ECPrivateKey priv = (java.security.interfaces.ECPrivateKey) kp.getPrivate();
      byte[] s = priv.getS().toByteArray();
      byte[] scalar = new byte[32];
      System.arraycopy(s, Math.max(0, s.length - 32), scalar, Math.max(0, 32 - s.length), Math.min(32, s.length));
      c.importKey("imported", KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.SHA_256)), scalar);
      byte[] msg = "imported".getBytes(StandardCharsets.US_ASCII);
      byte[] sig = c.key("imported").sign(msg, true);
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(kp.getPublic());
      v.update(msg);
      assertTrue(v.verify(sig));
      assertEquals(kp.getPublic(), c.key("imported").publicKey());
    }
  }
}
