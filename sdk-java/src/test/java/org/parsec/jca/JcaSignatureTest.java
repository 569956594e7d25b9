package org.parsec.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.testing.Testbed;

/** Signature and KeyPairGenerator of the Parsec provider; every signature verified by the JDK's providers. */
class JcaSignatureTest {
  static List<ProviderId> providers() {
    return Testbed.providers();
  }

  static ParsecProvider provider(ParsecClient c) throws Exception {
    return new ParsecProvider(c, Files.createTempDirectory("chains"));
  }

  static KeyPair generate(ParsecProvider p, String alg, String name, int bits, Algorithm policy) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg, p);
    g.initialize(new ParsecKeyGenParameterSpec(name, bits, policy));
    return g.generateKeyPair();
  }

  static void signAndVerify(ParsecProvider p, KeyPair kp, String alg, PSSParameterSpec pss, String jdkProvider)
      throws Exception {
    byte[] msg = ("message for " + alg).getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance(alg, p);
    if (pss != null) {
      s.setParameter(pss);
    }
    s.initSign(kp.getPrivate());
    s.update(msg);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance(alg, jdkProvider);
    if (pss != null) {
      v.setParameter(pss);
    }
    v.initVerify(kp.getPublic());
    v.update(msg);
    assertTrue(v.verify(sig), alg + " signature rejected by " + jdkProvider);
    // A changed message must not verify: the check can fail.
    v.initVerify(kp.getPublic());
    v.update("other".getBytes(StandardCharsets.UTF_8));
    assertFalse(v.verify(sig));
    // The Parsec Signature verifies too (delegated to the JDK).
    Signature pv = Signature.getInstance(alg, p);
    if (pss != null) {
      pv.setParameter(pss);
    }
    pv.initVerify(kp.getPublic());
    pv.update(msg);
    assertTrue(pv.verify(sig));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void ecdsa(ProviderId id) throws Exception {
    try (ParsecClient c = Testbed.get().client(id)) {
      ParsecProvider p = provider(c);
      KeyPair kp = generate(p, "EC", "ec256", 256, Algorithm.ecdsa(Hash.ANY));
      assertInstanceOf(ECPublicKey.class, kp.getPublic());
      assertInstanceOf(ParsecEcPrivateKey.class, kp.getPrivate());
      assertNull(kp.getPrivate().getEncoded());
      assertEquals(256, ((ECKey) kp.getPrivate()).getParams().getCurve().getField().getFieldSize());
      for (String alg : List.of("SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA")) {
        signAndVerify(p, kp, alg, null, "SunEC");
      }
      KeyPair p384 = generate(p, "EC", "ec384", 384, Algorithm.ecdsa(Hash.SHA_384));
      signAndVerify(p, p384, "SHA384withECDSA", null, "SunEC");
      // A policy bound to SHA-384 refuses SHA-256 at init, so JCA/JSSE can choose another key or scheme.
      Signature s = Signature.getInstance("SHA256withECDSA", p);
      assertThrows(InvalidKeyException.class, () -> s.initSign(p384.getPrivate()));
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void noneWithEcdsa(ProviderId id) throws Exception {
    try (ParsecClient c = Testbed.get().client(id)) {
      ParsecProvider p = provider(c);
      KeyPair kp = generate(p, "EC", "ec-none", 256, Algorithm.ecdsa(Hash.ANY));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest("tls".getBytes(StandardCharsets.US_ASCII));
      Signature s = Signature.getInstance("NONEwithECDSA", p);
      s.initSign(kp.getPrivate());
      s.update(digest);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance("NONEwithECDSA", "SunEC");
      v.initVerify(kp.getPublic());
      v.update(digest);
      assertTrue(v.verify(sig));
      Signature bad = Signature.getInstance("NONEwithECDSA", p);
      bad.initSign(kp.getPrivate());
      bad.update(new byte[17]);
      assertThrows(java.security.SignatureException.class, bad::sign);
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void rsaPkcs1(ProviderId id) throws Exception {
    try (ParsecClient c = Testbed.get().client(id)) {
      ParsecProvider p = provider(c);
      KeyPair kp = generate(p, "RSA", "rsa2048", 2048, Algorithm.rsaPkcs1v15Sign(Hash.ANY));
      assertEquals(2048, ((RSAPublicKey) kp.getPublic()).getModulus().bitLength());
      for (String alg : List.of("SHA256withRSA", "SHA384withRSA", "SHA512withRSA")) {
        signAndVerify(p, kp, alg, null, "SunRsaSign");
      }
      // A PKCS#1 key is no PSS key.
      Signature s = Signature.getInstance("RSASSA-PSS", p);
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      assertThrows(InvalidKeyException.class, () -> s.initSign(kp.getPrivate()));
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void rsaPss(ProviderId id) throws Exception {
    try (ParsecClient c = Testbed.get().client(id)) {
      ParsecProvider p = provider(c);
      KeyPair kp = generate(p, "RSA", "pss2048", 2048, Algorithm.rsaPss(Hash.ANY));
      signAndVerify(p, kp, "RSASSA-PSS", new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1),
                    "SunRsaSign");
      signAndVerify(p, kp, "RSASSA-PSS", new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1),
                    "SunRsaSign");
      // Parameters PSA cannot produce are refused, not silently changed.
      Signature s = Signature.getInstance("RSASSA-PSS", p);
      assertThrows(InvalidAlgorithmParameterException.class,
                   () -> s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 20, 1)));
      assertThrows(InvalidAlgorithmParameterException.class,
                   () -> s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA1, 32, 1)));
    }
  }

  @Test
  void largeRsaOnSoftwareProvider() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      ParsecProvider p = provider(c);
      for (int bits : new int[] {3072, 4096}) {
        KeyPair kp = generate(p, "RSA", "rsa" + bits, bits, Algorithm.rsaPkcs1v15Sign(Hash.SHA_256));
        assertEquals(bits, ((RSAPublicKey) kp.getPublic()).getModulus().bitLength());
        signAndVerify(p, kp, "SHA256withRSA", null, "SunRsaSign");
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", p);
      assertThrows(java.security.InvalidParameterException.class, () -> g.initialize(1024));
    }
  }

  /** The java.security form: a no-argument provider configured by a string. */
  @Test
  void configuredFromAString() throws Exception {
    String app = "java-conf-" + System.nanoTime();
    java.security.Provider p = new ParsecProvider().configure(
        "endpoint=" + Testbed.get().endpoint() + ",appName=" + app + ",provider=2,chainDir="
        + Files.createTempDirectory("chains"));
    ParsecProvider parsec = (ParsecProvider) p;
    assertEquals(ProviderId.PKCS11, parsec.client().provider());
    assertEquals(app, parsec.client().appName());
    KeyPair kp = generate(parsec, "EC", "conf", 256, Algorithm.ecdsa(Hash.ANY));
    signAndVerify(parsec, kp, "SHA256withECDSA", null, "SunEC");
    assertEquals(ProviderId.PKCS11, parsec.client().listKeys().get(0).provider());
    assertThrows(java.security.InvalidParameterException.class, () -> new ParsecProvider().configure("nonsense"));
    parsec.client().close();
  }

  @Test
  void defaultsAndSecureRandom() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      ParsecProvider p = provider(c);
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
      g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      KeyPair kp = g.generateKeyPair();
      assertTrue(((ParsecPrivateKey) kp.getPrivate()).keyName().startsWith("jca-"));
      signAndVerify(p, kp, "SHA256withECDSA", null, "SunEC");

      java.security.SecureRandom r = java.security.SecureRandom.getInstance("Parsec", p);
      byte[] a = new byte[64];
      byte[] b = new byte[64];
      r.nextBytes(a);
      r.nextBytes(b);
      assertFalse(java.util.Arrays.equals(a, b));
      assertFalse(java.util.Arrays.equals(a, new byte[64]));
      assertEquals(16, r.generateSeed(16).length);
    }
  }
}
