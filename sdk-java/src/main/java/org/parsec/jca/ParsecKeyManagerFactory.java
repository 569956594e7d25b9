package org.parsec.jca;

import java.net.Socket;
import java.security.InvalidAlgorithmParameterException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * KeyManagerFactory "Parsec": an X509ExtendedKeyManager over the key entries of a KeyStore
 * (normally KeyStore "Parsec") that have a certificate chain. JSSE then signs the handshake
 * (CertificateVerify, ServerKeyExchange) with the Parsec Signature services, so the private key
 * stays in parsecd: TLS 1.2 and 1.3, client and server side, ECDSA and RSA (RSA-PSS keys for
 * TLS 1.3). Entries are read once, at init. Aliases are chosen by key type ("EC", "RSA"; a TLS 1.2
 * "EC_EC" style type by its first part) and, when the peer names acceptable issuers, by an issuer
 * of the chain. Thread-safe after init.
 */
public final class ParsecKeyManagerFactory extends KeyManagerFactorySpi {
  private KeyManager[] managers;

  @Override
  protected void engineInit(KeyStore ks, char[] password)
      throws KeyStoreException, NoSuchAlgorithmException, UnrecoverableKeyException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (String alias : Collections.list(ks.aliases())) {
      if (!ks.isKeyEntry(alias)) {
        continue;
      }
      Certificate[] chain = ks.getCertificateChain(alias);
      if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
        continue;
      }
      Key k = ks.getKey(alias, password);
      if (k instanceof PrivateKey) {
        entries.put(alias, new Entry((PrivateKey) k, Arrays.copyOf(chain, chain.length, X509Certificate[].class)));
      }
    }
    managers = new KeyManager[] {new Manager(entries)};
  }

  @Override
  protected void engineInit(ManagerFactoryParameters spec) throws InvalidAlgorithmParameterException {
    throw new InvalidAlgorithmParameterException("KeyManagerFactory Parsec is initialised with a KeyStore");
  }

  @Override
  protected KeyManager[] engineGetKeyManagers() {
    if (managers == null) {
      throw new IllegalStateException("KeyManagerFactory not initialised");
    }
    return managers.clone();
  }

  private record Entry(PrivateKey key, X509Certificate[] chain) {}

  private static final class Manager extends X509ExtendedKeyManager {
    private final Map<String, Entry> entries;

    Manager(Map<String, Entry> entries) {
      this.entries = entries;
    }

    private List<String> matching(String keyType, Principal[] issuers) {
      String type = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, Entry> e : entries.entrySet()) {
        X509Certificate[] chain = e.getValue().chain();
        if (!chain[0].getPublicKey().getAlgorithm().equalsIgnoreCase(type)) {
          continue;
        }
        if (issuers != null && issuers.length > 0 && !issuedBy(chain, issuers)) {
          continue;
        }
        out.add(e.getKey());
      }
      return out;
    }

    private static boolean issuedBy(X509Certificate[] chain, Principal[] issuers) {
      for (X509Certificate c : chain) {
        for (Principal p : issuers) {
          if (p.equals(c.getIssuerX500Principal()) || p.equals(c.getSubjectX500Principal())) {
            return true;
          }
        }
      }
      return false;
    }

    private String first(String[] keyTypes, Principal[] issuers) {
      if (keyTypes == null) {
        return null;
      }
      for (String t : keyTypes) {
        List<String> m = matching(t, issuers);
        if (!m.isEmpty()) {
          return m.get(0);
        }
      }
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      List<String> m = matching(keyType, issuers);
      return m.isEmpty() ? null : m.toArray(new String[0]);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return first(keyType, issuers);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return first(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return first(new String[] {keyType}, issuers);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return first(new String[] {keyType}, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Entry e = entries.get(alias);
      return e == null ? null : e.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Entry e = entries.get(alias);
      return e == null ? null : e.key();
    }
  }
}
