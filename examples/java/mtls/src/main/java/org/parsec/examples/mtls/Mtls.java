package org.parsec.examples.mtls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.parsec.client.Algorithm;
import org.parsec.client.CsrSubject;
import org.parsec.client.Hash;
import org.parsec.jca.ParsecKeyGenParameterSpec;
import org.parsec.jca.ParsecPrivateKey;
import org.parsec.jca.ParsecProvider;

/**
 * The example's building blocks: a daemon-held key certified by the CA and put in KeyStore
 * "Parsec" ({@link #identity}); an SSLContext whose KeyManagerFactory is Parsec's ({@link #context});
 * one request/answer over mutual TLS on 127.0.0.1 ({@link #handshake}).
 */
public final class Mtls {
  private Mtls() {}

  /** What each side saw of the other. */
  public record Outcome(String protocol, String cipherSuite, String clientSawServer, String serverSawClient,
                        String answer) {}

  /**
   * identity: generates an ECDSA P-256 key named {@code name} in parsecd (the private key never
   * leaves it), has parsecd sign a CSR for it, lets the CA issue the certificate and stores the chain
   * beside the key in KeyStore "Parsec".
   */
  static KeyStore identity(ParsecProvider parsec, String name, boolean server, ThrowawayCa ca)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("Parsec", parsec);
    ks.load(null);
    if (ks.containsAlias(name)) {
      ks.deleteEntry(name);  // a fresh key for each run of the example
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", parsec);
    g.initialize(new ParsecKeyGenParameterSpec(name, 256, Algorithm.ecdsa(Hash.ANY)));
    ParsecPrivateKey key = (ParsecPrivateKey) g.generateKeyPair().getPrivate();
    X509Certificate cert = ca.issue(key.parsecKey().createCsr(CsrSubject.commonName(name)), server);
    ks.setKeyEntry(name, key, null, new Certificate[] {cert, ca.certificate()});
    return ks;
  }

  /** context: TLS with the Parsec KeyManagerFactory over {@code keys}, trusting only {@code ca}. */
  static SSLContext context(ParsecProvider parsec, KeyStore keys, X509Certificate ca) throws GeneralSecurityException,
                                                                                             IOException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("Parsec", parsec);
    kmf.init(keys, null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** handshake: a server requiring a client certificate and one client, both on 127.0.0.1, one exchange. */
  static Outcome handshake(SSLContext server, SSLContext client, String protocol) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      listener.setNeedClientAuth(true);
      listener.setEnabledProtocols(new String[] {protocol});
      CompletableFuture<String> serverSide = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          byte[] hello = s.getInputStream().readNBytes(5);
          X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
          String who = peer.getSubjectX500Principal().getName();
          s.getOutputStream().write(("hello " + who + " (" + new String(hello) + ")\n").getBytes());
          s.getOutputStream().flush();
          return who;
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(loopback, listener.getLocalPort())) {
        s.setEnabledProtocols(new String[] {protocol});
        s.getOutputStream().write("ping!".getBytes());
        s.getOutputStream().flush();
        String answer = new String(s.getInputStream().readAllBytes()).trim();
        X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
        return new Outcome(s.getSession().getProtocol(), s.getSession().getCipherSuite(),
                           peer.getSubjectX500Principal().getName(), serverSide.get(60, TimeUnit.SECONDS), answer);
      } catch (IOException clientFailure) {
        // A refused handshake shows on the client as a closed connection; the server knows why.
        try {
          serverSide.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable why = e.getCause() instanceof RuntimeException && e.getCause().getCause() != null
                              ? e.getCause().getCause() : e.getCause();
          if (why instanceof IOException) {
            why.addSuppressed(clientFailure);
            throw (IOException) why;
          }
        }
        throw clientFailure;
      }
    }
  }

  /** run: the whole example on one provider object; prints and returns one outcome per protocol. */
  public static java.util.List<Outcome> run(ParsecProvider parsec, String... protocols) throws Exception {
    ThrowawayCa ca = new ThrowawayCa("Parsec mTLS example CA");
    try {
      SSLContext server = context(parsec, identity(parsec, "mtls-server", true, ca), ca.certificate());
      SSLContext client = context(parsec, identity(parsec, "mtls-client", false, ca), ca.certificate());
      java.util.List<Outcome> out = new java.util.ArrayList<>();
      for (String p : protocols) {
        Outcome o = handshake(server, client, p);
        System.out.printf("%s %s: client saw server certificate %s; server saw client certificate %s; answer \"%s\"%n",
                          o.protocol(), o.cipherSuite(), o.clientSawServer(), o.serverSawClient(), o.answer());
        out.add(o);
      }
      return out;
    } finally {
      ca.destroy();
    }
  }

  static Path defaultChainDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "parsec-mtls-example-chains");
  }
}
