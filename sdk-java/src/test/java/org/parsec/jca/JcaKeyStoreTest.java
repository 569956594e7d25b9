package org.parsec.jca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.parsec.client.Algorithm;
import org.parsec.client.CsrSubject;
import org.parsec.client.Hash;
import org.parsec.client.KeyNotFoundException;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.testing.TestCa;
import org.parsec.testing.Testbed;

/**
 * KeyStore "Parsec": aliases are key names, keys are handles, chains are stored beside them and
 * survive a restart of parsecd (and a new provider/KeyStore object, as after a JVM restart).
 */
class JcaKeyStoreTest {
  @Test
  void chainsAndKeysSurviveADaemonRestart() throws Exception {
    Testbed tb = Testbed.get();
    Path chains = Files.createTempDirectory("chains");
    TestCa ca = new TestCa("KeyStore Test CA");
    Map<ProviderId, ParsecClient> clients = new HashMap<>();
    Map<ProviderId, X509Certificate> certs = new HashMap<>();
    String app = "java-ks-" + System.nanoTime();
    for (ProviderId id : Testbed.providers()) {
      ParsecClient c = tb.client(id, app);
      clients.put(id, c);
      ParsecProvider p = new ParsecProvider(c, chains);
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
      g.initialize(new ParsecKeyGenParameterSpec("svc", 256, Algorithm.ecdsa(Hash.ANY)));
      KeyPair kp = g.generateKeyPair();

      KeyStore ks = KeyStore.getInstance("Parsec", p);
      ks.load(null);
      assertEquals(List.of("svc"), Collections.list(ks.aliases()));
      assertTrue(ks.isKeyEntry("svc"));
      assertNull(ks.getCertificateChain("svc"));
      ParsecPrivateKey k = (ParsecPrivateKey) ks.getKey("svc", null);
      assertEquals("svc", k.keyName());
      assertNull(ks.getKey("nothing", null));

      CsrSubject subject = CsrSubject.commonName("svc on provider " + id.value());
      X509Certificate cert = ca.sign(k.parsecKey().createCsr(subject), false);
      assertEquals(kp.getPublic(), cert.getPublicKey());
      ks.setKeyEntry("svc", k, null, new Certificate[] {cert, ca.certificate()});
      certs.put(id, cert);
      assertEquals("svc", ks.getCertificateAlias(cert));

      // A chain for another key is refused, and so are software keys and trusted certificates.
      X509Certificate[] wrong = {ca.certificate()};
      assertThrows(KeyStoreException.class, () -> ks.setKeyEntry("svc", k, null, wrong));
      KeyPair soft = KeyPairGenerator.getInstance("EC").generateKeyPair();
      assertThrows(KeyStoreException.class, () -> ks.setKeyEntry("x", soft.getPrivate(), null, new Certificate[] {cert}));
      assertThrows(KeyStoreException.class, () -> ks.setCertificateEntry("ca", ca.certificate()));
    }

    tb.restart();

    for (ProviderId id : Testbed.providers()) {
      // A new provider and KeyStore over the same chain directory, as a restarted JVM would make,
      // with the same (pre-restart) client: one connection context keeps working.
      ParsecProvider p = new ParsecProvider(clients.get(id), chains);
      KeyStore ks = KeyStore.getInstance("Parsec", p);
      ks.load(new ParsecKeyStoreParameter(null, null));
      Certificate[] chain = ks.getCertificateChain("svc");
      assertNotNull(chain, "chain lost on provider " + id);
      assertEquals(2, chain.length);
      assertArrayEquals(certs.get(id).getEncoded(), chain[0].getEncoded());
      assertNotNull(ks.getCreationDate("svc"));
      ParsecPrivateKey k = (ParsecPrivateKey) ks.getKey("svc", null);
      Signature s = Signature.getInstance("SHA256withECDSA", p);
      s.initSign(k);
      byte[] msg = "after restart".getBytes(StandardCharsets.US_ASCII);
      s.update(msg);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance("SHA256withECDSA", "SunEC");
      v.initVerify((X509Certificate) chain[0]);
      v.update(msg);
      assertTrue(v.verify(sig));

      ks.deleteEntry("svc");
      assertFalse(ks.containsAlias("svc"));
      assertEquals(0, ks.size());
      assertNull(ks.getCertificateChain("svc"));
      assertThrows(KeyNotFoundException.class, () -> k.parsecKey().exportPublicKey());
      clients.get(id).close();
    }
  }

  @Test
  void chainFilesLiveInTheConfiguredDirectory() throws Exception {
    Path chains = Files.createTempDirectory("chains");
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      ParsecProvider p = new ParsecProvider(c, chains);
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
      g.initialize(new ParsecKeyGenParameterSpec("name with / and spaces", 256, Algorithm.ecdsa(Hash.ANY)));
      ParsecPrivateKey k = (ParsecPrivateKey) g.generateKeyPair().getPrivate();
      X509Certificate cert = new TestCa("Dir CA").sign(k.parsecKey().createCsr(CsrSubject.commonName("d")), false);
      KeyStore ks = KeyStore.getInstance("Parsec", p);
      ks.load(null);
      ks.setKeyEntry(k.keyName(), k, null, new Certificate[] {cert});
      Path f = p.chainStore().file(1, k.keyName());
      assertTrue(f.startsWith(chains) && Files.isRegularFile(f), f.toString());
      assertTrue(Files.readString(f).startsWith("-----BEGIN CERTIFICATE-----"));
      assertInstanceOf(X509Certificate.class, ks.getCertificate(k.keyName()));
    }
  }
}
