package org.parsec.jca;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import org.parsec.client.KeyInfo;
import org.parsec.client.KeyNotFoundException;
import org.parsec.client.ParsecClient;
import org.parsec.client.ParsecException;
import org.parsec.client.ProviderId;

/**
 * KeyStore "Parsec": the aliases are the names of the caller's keys on the client's current
 * Parsec provider; {@code getKey} returns a {@link ParsecPrivateKey} handle (no password; the
 * key is never exportable). A certificate chain set with {@code setKeyEntry(alias,
 * parsecPrivateKey, null, chain)} is stored beside the key in the {@link ChainStore} directory
 * (files, written at once: {@code store()} has nothing left to do) and is read back after any
 * restart of the JVM or of parsecd. {@code deleteEntry} destroys the key in the service and its
 * chain. Trusted-certificate entries are not supported. Load with {@code load(null)} (the
 * provider's client and chain directory) or a {@link ParsecKeyStoreParameter}. Every call asks the
 * service (no cache), so the store always shows the service's state; thread-safe.
 */
public final class ParsecKeyStore extends KeyStoreSpi {
  private final ParsecProvider provider;
  private ParsecClient client;
  private ChainStore chains;

  ParsecKeyStore(ParsecProvider provider) {
    this.provider = provider;
  }

  @Override
  public void engineLoad(InputStream stream, char[] password) {
    if (stream != null) {
      throw new IllegalArgumentException("KeyStore Parsec has no stream: load(null, null)");
    }
    client = provider.client();
    chains = provider.chainStore();
  }

  @Override
  public void engineLoad(KeyStore.LoadStoreParameter param) {
    if (param == null) {
      engineLoad(null, null);
      return;
    }
    if (!(param instanceof ParsecKeyStoreParameter)) {
      throw new IllegalArgumentException("KeyStore Parsec takes a ParsecKeyStoreParameter");
    }
    ParsecKeyStoreParameter p = (ParsecKeyStoreParameter) param;
    client = p.client() != null ? p.client() : provider.client();
    chains = p.chainDirectory() != null ? new ChainStore(p.chainDirectory()) : provider.chainStore();
  }

  private ParsecClient client() {
    if (client == null) {
      throw new IllegalStateException("KeyStore not loaded");
    }
    return client;
  }

  private int providerId() {
    return client().provider().value();
  }

  private List<String> names() {
    ProviderId p = client().provider();
    List<String> out = new ArrayList<>();
    for (KeyInfo k : client().listKeys()) {
      if (k.provider() == p && (k.attributes().type().isEcc() || k.attributes().type().isRsa())
          && !k.attributes().type().name().endsWith("PUBLIC_KEY")) {
        out.add(k.name());
      }
    }
    return out;
  }

  @Override
  public Key engineGetKey(String alias, char[] password) {
    try {
      return ParsecPrivateKey.of(client().key(alias));
    } catch (KeyNotFoundException e) {
      return null;
    }
  }

  @Override
  public Certificate[] engineGetCertificateChain(String alias) {
    return chains.read(providerId(), alias);
  }

  @Override
  public Certificate engineGetCertificate(String alias) {
    X509Certificate[] c = chains.read(providerId(), alias);
    return c == null || c.length == 0 ? null : c[0];
  }

  @Override
  public Date engineGetCreationDate(String alias) {
    Date d = chains.modified(providerId(), alias);
    if (d == null && engineContainsAlias(alias)) {
      return new Date();  // Parsec keeps no creation time; "now" as KeyStore implementations do for unknown
    }
    return d;
  }

  @Override
  public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain)
      throws KeyStoreException {
    if (!(key instanceof ParsecPrivateKey) || !((ParsecPrivateKey) key).keyName().equals(alias)) {
      throw new KeyStoreException("KeyStore Parsec holds keys generated in parsecd: the key must be the "
                                  + "ParsecPrivateKey named " + alias + " (KeyPairGenerator \"EC\"/\"RSA\" of Parsec)");
    }
    if (chain == null || chain.length == 0) {
      chains.delete(providerId(), alias);
      return;
    }
    X509Certificate[] x = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      if (!(chain[i] instanceof X509Certificate)) {
        throw new KeyStoreException("X.509 certificates only");
      }
      x[i] = (X509Certificate) chain[i];
    }
    if (!x[0].getPublicKey().equals(((ParsecPrivateKey) key).publicKey())) {
      throw new KeyStoreException("the first certificate does not hold the public key of " + alias);
    }
    chains.write(providerId(), alias, x);
  }

  @Override
  public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain) throws KeyStoreException {
    throw new KeyStoreException("KeyStore Parsec cannot take key bytes (use ParsecClient.importKey)");
  }

  @Override
  public void engineSetCertificateEntry(String alias, Certificate cert) throws KeyStoreException {
    throw new KeyStoreException("KeyStore Parsec holds key entries only (no trusted certificates)");
  }

  @Override
  public void engineDeleteEntry(String alias) throws KeyStoreException {
    try {
      client().destroyKey(alias);
    } catch (KeyNotFoundException e) {
      // already gone: still remove a chain left behind
    } catch (ParsecException e) {
      throw new KeyStoreException(e.getMessage(), e);
    }
    chains.delete(providerId(), alias);
  }

  @Override
  public Enumeration<String> engineAliases() {
    return Collections.enumeration(names());
  }

  @Override
  public boolean engineContainsAlias(String alias) {
    return names().contains(alias);
  }

  @Override
  public int engineSize() {
    return names().size();
  }

  @Override
  public boolean engineIsKeyEntry(String alias) {
    return engineContainsAlias(alias);
  }

  @Override
  public boolean engineIsCertificateEntry(String alias) {
    return false;
  }

  @Override
  public String engineGetCertificateAlias(Certificate cert) {
    for (String n : names()) {
      X509Certificate[] c = chains.read(providerId(), n);
      if (c != null && c.length > 0 && c[0].equals(cert)) {
        return n;
      }
    }
    return null;
  }

  /** Nothing to write: chains are stored when set, keys live in the service. */
  @Override
  public void engineStore(OutputStream stream, char[] password) {
    if (stream != null) {
      throw new UnsupportedOperationException("KeyStore Parsec is not serialisable; entries are stored at once");
    }
  }

  @Override
  public void engineStore(KeyStore.LoadStoreParameter param) {}
}
