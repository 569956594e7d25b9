package org.parsec.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * TestCa: a throwaway certificate authority made with the openssl command (the JDK has no public
 * API to issue certificates): an EC P-256 CA key and self-signed certificate in a temporary
 * folder, and {@link #sign} to issue a certificate for a PKCS#10 request (DER).
 */
public final class TestCa {
  private final Path dir;
  private final X509Certificate cert;
  private int serial = 1;

  public TestCa(String name) throws IOException {
    dir = Files.createTempDirectory("parsec-test-ca");
    dir.toFile().deleteOnExit();
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            dir.resolve("ca.key").toString(), "-out", dir.resolve("ca.pem").toString(), "-days", "2", "-subj",
            "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign");
    cert = read(Files.readAllBytes(dir.resolve("ca.pem"))).get(0);
  }

  public X509Certificate certificate() {
    return cert;
  }

  /** sign issues a certificate for the request; {@code server}: serverAuth + SAN 127.0.0.1, else clientAuth. */
  public synchronized X509Certificate sign(byte[] csrDer, boolean server) throws IOException {
    int n = serial++;
    Path csr = dir.resolve("req" + n + ".der");
    Path out = dir.resolve("cert" + n + ".pem");
    Path ext = dir.resolve("ext" + n + ".cnf");
    Files.write(csr, csrDer);
    Files.writeString(ext, server ? "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                  : "extendedKeyUsage=clientAuth\n");
    openssl("x509", "-req", "-inform", "DER", "-in", csr.toString(), "-CA", dir.resolve("ca.pem").toString(),
            "-CAkey", dir.resolve("ca.key").toString(), "-set_serial", Integer.toString(1000 + n), "-days", "1",
            "-extfile", ext.toString(), "-out", out.toString());
    return read(Files.readAllBytes(out)).get(0);
  }

  private void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    try {
      if (p.waitFor() != 0) {
        throw new IOException("openssl " + args[0] + " failed: " + new String(output));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static List<X509Certificate> read(byte[] pem) throws IOException {
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (java.security.cert.CertificateException e) {
      throw new IOException(e);
    }
  }
}
