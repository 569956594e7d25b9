package org.parsec.jca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.MGF1ParameterSpec;
import java.util.List;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.KeyAttributes;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.testing.Testbed;

/** Cipher RSA of the Parsec provider: every ciphertext made by the JDK (SunJCE) is decrypted by the daemon. */
class JcaCipherTest {
  static List<ProviderId> providers() {
    return Testbed.providers();
  }

  static KeyPair rsa(ParsecProvider p, String name, Algorithm policy) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", p);
    g.initialize(new ParsecKeyGenParameterSpec(name, 2048, policy));
    return g.generateKeyPair();
  }

  /** pkcs1: the PKCS#1 RSAPrivateKey inside the JDK's PKCS#8 encoding of a 2048-bit key (PSA's import format). */
  static byte[] pkcs1(java.security.PrivateKey k) {
    byte[] p8 = k.getEncoded();
    // 30 82 LL LL | 02 01 00 | 30 0d <rsaEncryption OID, NULL> | 04 82 LL LL <RSAPrivateKey>
    assertEquals(0x04, p8[22] & 0xFF);
    assertEquals(0x82, p8[23] & 0xFF);
    return java.util.Arrays.copyOfRange(p8, 26, p8.length);
  }

  static final OAEPParameterSpec SHA256_SPEC =
      new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  @ParameterizedTest
  @MethodSource("providers")
  void jdkCiphertextsDecryptedByTheDaemon(ProviderId id) throws Exception {
    try (ParsecClient c = Testbed.get().client(id)) {
      ParsecProvider p = new ParsecProvider(c, Files.createTempDirectory("chains"));
      byte[] secret = "a session key of 32 bytes.......".getBytes(StandardCharsets.US_ASCII);

      KeyPair oaep256 = rsa(p, "oaep256", Algorithm.rsaOaep(Hash.SHA_256));
      Cipher enc = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
      enc.init(Cipher.ENCRYPT_MODE, oaep256.getPublic(), SHA256_SPEC);
      byte[] ct = enc.doFinal(secret);
      Cipher dec = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", p);
      dec.init(Cipher.DECRYPT_MODE, oaep256.getPrivate());
      assertArrayEquals(secret, dec.doFinal(ct));
      // Same, with the parameters given explicitly.
      Cipher dec2 = Cipher.getInstance("RSA/ECB/OAEPPadding", p);
      dec2.init(Cipher.DECRYPT_MODE, oaep256.getPrivate(), SHA256_SPEC);
      assertArrayEquals(secret, dec2.doFinal(ct));
      // The Parsec Cipher encrypts with the public key (JDK underneath) using PSA's OAEP parameters.
      Cipher enc2 = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", p);
      enc2.init(Cipher.ENCRYPT_MODE, oaep256.getPublic());
      assertArrayEquals(secret, dec.doFinal(enc2.doFinal(secret)));
      // SunJCE's OAEP-SHA-256 default uses MGF1-SHA-1, which PSA does not: refused up front.
      Cipher mixed = Cipher.getInstance("RSA/ECB/OAEPPadding", p);
      assertThrows(InvalidAlgorithmParameterException.class,
                   () -> mixed.init(Cipher.DECRYPT_MODE, oaep256.getPrivate(),
                                    new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA1,
                                                          PSource.PSpecified.DEFAULT)));
      // A tampered ciphertext is a padding failure.
      ct[10] ^= 1;
      Cipher dec3 = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", p);
      dec3.init(Cipher.DECRYPT_MODE, oaep256.getPrivate());
      assertThrows(BadPaddingException.class, () -> dec3.doFinal(ct));

      // OAEP with SHA-1: parsecd refuses to generate SHA-1 keys (DeprecatedPrimitive unless
      // allow_deprecated) but imports them; the TPM provider imports no private keys.
      org.parsec.client.NotSupportedException refused = assertThrows(
          org.parsec.client.NotSupportedException.class,
          () -> c.generateKey("oaep1-gen", KeyAttributes.rsaKeyPair(2048, Algorithm.rsaOaep(Hash.SHA_1))));
      assertEquals(22, refused.status());
      if (id != ProviderId.TPM) {
        KeyPairGenerator jdk = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
        jdk.initialize(2048);
        KeyPair soft = jdk.generateKeyPair();
        c.importKey("oaep1", KeyAttributes.rsaKeyPair(2048, Algorithm.rsaOaep(Hash.SHA_1)), pkcs1(soft.getPrivate()));
        ParsecPrivateKey oaep1 = ParsecPrivateKey.of(c.key("oaep1"));
        assertEquals(soft.getPublic(), oaep1.publicKey());
        Cipher enc1 = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding", "SunJCE");
        enc1.init(Cipher.ENCRYPT_MODE, soft.getPublic());
        Cipher d1 = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding", p);
        d1.init(Cipher.DECRYPT_MODE, oaep1);
        assertArrayEquals(secret, d1.doFinal(enc1.doFinal(secret)));
        // The key's policy is OAEP-SHA-1: OAEP-SHA-256 is refused at init.
        Cipher wrong = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", p);
        assertThrows(InvalidKeyException.class, () -> wrong.init(Cipher.DECRYPT_MODE, oaep1));
      }

      KeyPair pkcs1 = rsa(p, "pkcs1", Algorithm.rsaPkcs1v15Crypt());
      Cipher encP = Cipher.getInstance("RSA/ECB/PKCS1Padding", "SunJCE");
      encP.init(Cipher.ENCRYPT_MODE, pkcs1.getPublic());
      Cipher decP = Cipher.getInstance("RSA/ECB/PKCS1Padding", p);
      decP.init(Cipher.DECRYPT_MODE, pkcs1.getPrivate());
      assertArrayEquals(secret, decP.doFinal(encP.doFinal(secret)));
    }
  }

  @Test
  void oaepLabelOnSoftwareProvider() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      ParsecProvider p = new ParsecProvider(c, Files.createTempDirectory("chains"));
      KeyPair kp = rsa(p, "label", Algorithm.rsaOaep(Hash.SHA_256));
      OAEPParameterSpec spec = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                                                     new PSource.PSpecified("context".getBytes(StandardCharsets.UTF_8)));
      Cipher enc = Cipher.getInstance("RSA/ECB/OAEPPadding", "SunJCE");
      enc.init(Cipher.ENCRYPT_MODE, kp.getPublic(), spec);
      byte[] ct = enc.doFinal(new byte[] {1, 2, 3});
      Cipher dec = Cipher.getInstance("RSA/ECB/OAEPPadding", p);
      dec.init(Cipher.DECRYPT_MODE, kp.getPrivate(), spec);
      assertArrayEquals(new byte[] {1, 2, 3}, dec.doFinal(ct));
      Cipher noLabel = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding", p);
      noLabel.init(Cipher.DECRYPT_MODE, kp.getPrivate());
      assertThrows(BadPaddingException.class, () -> noLabel.doFinal(ct));
    }
  }
}
