package org.parsec.examples.mtls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway certificate authority for the example, made with the openssl command line (the JDK
 * has no public API to issue certificates). A real deployment sends the CSR that parsecd signed
 * to its own CA instead.
 */
final class ThrowawayCa {
  private final Path dir;
  private final X509Certificate cert;
  private int serial = 1;

  ThrowawayCa(String commonName) throws IOException {
    dir = Files.createTempDirectory("mtls-ca");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            dir.resolve("ca.key").toString(), "-out", dir.resolve("ca.pem").toString(), "-days", "1", "-subj",
            "/CN=" + commonName, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign");
    cert = parse(Files.readAllBytes(dir.resolve("ca.pem")));
  }

  X509Certificate certificate() {
    return cert;
  }

  /** issue: a certificate for a PKCS#10 request (DER), for a TLS server (SAN 127.0.0.1) or client. */
  synchronized X509Certificate issue(byte[] csrDer, boolean server) throws IOException {
    int n = serial++;
    Path csr = dir.resolve("req" + n + ".der");
    Path ext = dir.resolve("ext" + n + ".cnf");
    Path out = dir.resolve("cert" + n + ".pem");
    Files.write(csr, csrDer);
    Files.writeString(ext, server ? "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n"
                                  : "extendedKeyUsage=clientAuth\n");
    openssl("x509", "-req", "-inform", "DER", "-in", csr.toString(), "-CA", dir.resolve("ca.pem").toString(), "-CAkey",
            dir.resolve("ca.key").toString(), "-set_serial", Integer.toString(100 + n), "-days", "1", "-extfile",
            ext.toString(), "-out", out.toString());
    return parse(Files.readAllBytes(out));
  }

  /** destroy removes the CA key and everything issued. */
  void destroy() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  private static X509Certificate parse(byte[] pem) throws IOException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      throw new IOException(e);
    }
  }

  private void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    try {
      if (p.waitFor() != 0) {
        throw new IOException("openssl " + args[0] + ": " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
