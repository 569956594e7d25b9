package org.parsec.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Security;
import java.security.Signature;
import java.util.Collections;
import org.parsec.jca.ParsecPrivateKey;

/**
 * Run in a child JVM by JcaSecurityConfigTest with -Djava.security.properties naming
 * {@code security.provider.N=org.parsec.jca.ParsecProvider <options>}: no code registers the
 * provider. Generates a key, signs through the JDK's provider lookup by name, verifies with SunEC
 * and prints "ok <provider name> <aliases>".
 */
public final class SecurityConfigProbe {
  private SecurityConfigProbe() {}

  public static void main(String[] args) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "Parsec");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    Signature s = Signature.getInstance("SHA256withECDSA");  // delayed selection picks Parsec for its key
    s.initSign(kp.getPrivate());
    byte[] msg = "configured".getBytes(StandardCharsets.US_ASCII);
    s.update(msg);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("SHA256withECDSA", "SunEC");
    v.initVerify(kp.getPublic());
    v.update(msg);
    if (!v.verify(sig) || !s.getProvider().getName().equals("Parsec")) {
      System.out.println("bad signature from " + s.getProvider().getName());
      System.exit(1);
    }
    KeyStore ks = KeyStore.getInstance("Parsec");
    ks.load(null);
    System.out.println("ok " + Security.getProvider("Parsec").getName() + " "
                       + Collections.list(ks.aliases()).contains(((ParsecPrivateKey) kp.getPrivate()).keyName()));
  }
}
