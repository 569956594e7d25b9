package org.parsec.jca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * ChainStore keeps the certificate chain of each key beside it, in a directory of PEM files:
 * {@code <dir>/provider-<id>/<hex of the key name>.pem} (the hex keeps any key name a valid file
 * name). Certificates are public, so plain files are enough; each write goes to a temporary file
 * that is fsynced and renamed, so a crash leaves the old chain or the new one, never half. The
 * files outlive the JVM and the daemon, so a chain survives restarts of both. One directory
 * belongs to one Parsec identity (application name), as key names are per application.
 * Thread-safe (each operation is one file operation).
 */
public final class ChainStore {
  private final Path dir;

  public ChainStore(Path dir) {
    this.dir = dir;
  }

  /** The default directory: system property org.parsec.jca.chainDir, else ~/.parsec/jca-chains. */
  public static Path defaultDirectory() {
    String p = System.getProperty("org.parsec.jca.chainDir");
    if (p != null && !p.isEmpty()) {
      return Path.of(p);
    }
    return Path.of(System.getProperty("user.home"), ".parsec", "jca-chains");
  }

  public Path directory() {
    return dir;
  }

  Path file(int providerId, String keyName) {
    return dir.resolve("provider-" + providerId)
        .resolve(HexFormat.of().formatHex(keyName.getBytes(StandardCharsets.UTF_8)) + ".pem");
  }

  /** read: the chain, or null when none is stored. */
  public X509Certificate[] read(int providerId, String keyName) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(file(providerId, keyName));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      List<? extends java.security.cert.Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)));
      return certs.toArray(new X509Certificate[0]);
    } catch (CertificateException e) {
      throw new IllegalStateException("corrupt chain file " + file(providerId, keyName), e);
    }
  }

  public Date modified(int providerId, String keyName) {
    try {
      return new Date(Files.getLastModifiedTime(file(providerId, keyName)).toMillis());
    } catch (IOException e) {
      return null;
    }
  }

  public void write(int providerId, String keyName, X509Certificate[] chain) {
    Path f = file(providerId, keyName);
    StringBuilder pem = new StringBuilder();
    Base64.Encoder b64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
    try {
      for (X509Certificate c : chain) {
        pem.append("-----BEGIN CERTIFICATE-----\n").append(b64.encodeToString(c.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      }
      Files.createDirectories(f.getParent());
      Path tmp = Files.createTempFile(f.getParent(), ".chain", ".tmp");
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
               tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(pem.toString().getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public void delete(int providerId, String keyName) {
    try {
      Files.deleteIfExists(file(providerId, keyName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
