package org.parsec.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.parsec.client.Algorithm;
import org.parsec.client.CsrSubject;
import org.parsec.client.Hash;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.testing.TestCa;
import org.parsec.testing.Testbed;

/**
 * KeyManagerFactory "Parsec" with JSSE: both the server's and the client's private keys live in
 * parsecd; TLS 1.2 and 1.3, ECDSA P-256 and RSA-PSS (and RSA PKCS#1 v1.5 for TLS 1.2), on every
 * provider. The provider is registered globally because JSSE looks Signature up by name.
 */
class JcaTlsTest {
  private static ParsecProvider registered;
  private static TestCa ca;

  @BeforeAll
  static void register() throws Exception {
    ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO);
    registered = new ParsecProvider(c, Files.createTempDirectory("chains"));
    Security.addProvider(registered);
    ca = new TestCa("TLS Test CA");
  }

  @AfterAll
  static void unregister() {
    Security.removeProvider(ParsecProvider.NAME);
    registered.client().close();
  }

  static List<Arguments> cases() {
    List<Arguments> out = new java.util.ArrayList<>();
    for (ProviderId id : Testbed.providers()) {
      for (String v : List.of("TLSv1.2", "TLSv1.3")) {
        out.add(Arguments.of(id, "EC", v));
        out.add(Arguments.of(id, "RSA-PSS", v));
      }
      out.add(Arguments.of(id, "RSA-PKCS1", "TLSv1.2"));
    }
    return out;
  }

  /** A KeyStore "Parsec" holding one daemon-generated key named {@code name} and its CA-issued chain. */
  static KeyStore keyStore(ParsecClient c, Path chains, String name, String kind, boolean server) throws Exception {
    ParsecProvider p = new ParsecProvider(c, chains);
    boolean ec = kind.equals("EC");
    KeyPairGenerator g = KeyPairGenerator.getInstance(ec ? "EC" : "RSA", p);
    Algorithm policy = ec ? Algorithm.ecdsa(Hash.ANY)
        : kind.equals("RSA-PSS") ? Algorithm.rsaPss(Hash.ANY) : Algorithm.rsaPkcs1v15Sign(Hash.ANY);
    g.initialize(new ParsecKeyGenParameterSpec(name, ec ? 256 : 2048, policy));
    ParsecPrivateKey k = (ParsecPrivateKey) g.generateKeyPair().getPrivate();
    X509Certificate cert = ca.sign(k.parsecKey().createCsr(CsrSubject.commonName(name)), server);
    KeyStore ks = KeyStore.getInstance("Parsec", p);
    ks.load(new ParsecKeyStoreParameter(c, chains));
    ks.setKeyEntry(name, k, null, new Certificate[] {cert, ca.certificate()});
    return ks;
  }

  static SSLContext context(KeyStore ks) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("Parsec", registered);
    kmf.init(ks, null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void mutualTls(ProviderId id, String kind, String version) throws Exception {
    Path chains = Files.createTempDirectory("chains");
    try (ParsecClient c = Testbed.get().client(id)) {
      SSLContext server = context(keyStore(c, chains, "server", kind, true));
      SSLContext client = context(keyStore(c, chains, "client", kind, false));
      try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory()
               .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        ss.setNeedClientAuth(true);
        ss.setEnabledProtocols(new String[] {version});
        CompletableFuture<String> serverSide = CompletableFuture.supplyAsync(() -> {
          try (SSLSocket s = (SSLSocket) ss.accept()) {
            InputStream in = s.getInputStream();
            int b = in.read();
            s.getOutputStream().write(b + 1);
            s.getOutputStream().flush();
            X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
            return s.getSession().getProtocol() + " " + s.getSession().getCipherSuite() + " peer="
                + peer.getSubjectX500Principal().getName();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                                                                               ss.getLocalPort())) {
          s.setEnabledProtocols(new String[] {version});
          OutputStream out = s.getOutputStream();
          out.write(41);
          out.flush();
          assertEquals(42, s.getInputStream().read());
          X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
          assertEquals("CN=server", peer.getSubjectX500Principal().getName());
          assertEquals(version, s.getSession().getProtocol());
          String srv = serverSide.get(60, TimeUnit.SECONDS);
          assertTrue(srv.endsWith("peer=CN=client"), srv);
          System.out.printf("TLS provider %d %s %s: client sees %s (%s), server sees %s%n", id.value(), kind, version,
                            peer.getSubjectX500Principal().getName(), s.getSession().getCipherSuite(), srv);
        }
      }
    }
  }
}
