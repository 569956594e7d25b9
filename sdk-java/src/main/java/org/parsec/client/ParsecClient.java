package org.parsec.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.parsec.client.jni.Client;
import org.parsec.client.jni.NativeException;

/**
 * ParsecClient is the Java client of the Parsec service: every operation of the C++ client core
 * (through the JNI layer SWIG generates from the core's parsec.i), byte arrays in and out, typed
 * {@link Algorithm}s and {@link KeyAttributes}, failures as {@link ParsecException} subclasses.
 *
 * <pre>{@code
 * try (ParsecClient c = ParsecClient.builder().appName("my-service").build()) {
 *   ParsecKey k = c.generate("tls", KeyAttributes.eccKeyPair(256, Algorithm.ecdsa(Hash.ANY)));
 *   byte[] der = k.sign("hello".getBytes(), true);
 * }
 * }</pre>
 *
 * <p>Thread safety: one ParsecClient may be used by any number of threads at once; each request
 * uses its own connection and the settings/discovery cache are behind the core's mutex. Keep one
 * client per application (the JCA provider does) rather than one per operation: the provider and
 * authenticator are discovered once and cached. {@link #close()} waits for the calls in flight,
 * then frees the native client; calls made after it throw IllegalStateException.
 *
 * <p>Secrets: results that are secrets (exportKey, asymmetricDecrypt, rawKeyAgreement,
 * generateRandom) are returned in a fresh array that the caller owns and should
 * {@code Arrays.fill(…, (byte) 0)} after use; the native copies are wiped before return.
 */
public final class ParsecClient implements AutoCloseable {
  private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
  private Client client;  // guarded by closing

  private ParsecClient(Client client) {
    this.client = client;
  }

  /** builder with the defaults: endpoint from PARSEC_SERVICE_ENDPOINT (else /run/parsec/parsec.sock). */
  public static Builder builder() {
    return new Builder();
  }

  /** A client with all defaults (Unix peer credentials or whatever the service offers first). */
  public static ParsecClient create() {
    return builder().build();
  }

  /**
   * call runs {@code f} on the live native client under the read side of {@code closing} (so
   * close() waits for calls in flight) and turns a native failure into its ParsecException.
   */
  private <T> T call(Function<Client, T> f) {
    closing.readLock().lock();
    try {
      if (client == null) {
        throw new IllegalStateException("ParsecClient is closed");
      }
      return f.apply(client);
    } catch (NativeException e) {
      throw Native.translate(e);
    } finally {
      closing.readLock().unlock();
    }
  }

  /** close frees the native client once the calls in flight have returned; later calls throw IllegalStateException. */
  @Override
  public void close() {
    closing.writeLock().lock();
    try {
      if (client != null) {
        client.delete();
        client = null;
      }
    } finally {
      closing.writeLock().unlock();
    }
  }

  // ---- settings -----------------------------------------------------------------------------

  /** The endpoint URI ("unix:/path"). */
  public String endpoint() {
    return call(Client::endpoint);
  }

  public Duration timeout() {
    return Duration.ofMillis(call(Client::timeout_ms));
  }

  public String appName() {
    return call(Client::app_name);
  }

  /** The provider cryptographic operations go to (discovered with ListProviders unless set). */
  public ProviderId provider() {
    return ProviderId.of(call(c -> c.provider()).swigValue());
  }

  /** setProvider: later operations (and ParsecKey handles of this client) use {@code p}. */
  public void setProvider(ProviderId p) {
    call(c -> c.set_provider(p.value()));
  }

  /** The authenticator in use (discovered with ListAuthenticators unless forced). */
  public AuthType authType() {
    return AuthType.of(call(c -> c.auth_type()).swigValue());
  }

  // ---- core operations ----------------------------------------------------------------------

  /** ping returns the wire protocol version as {major, minor}. */
  public int[] ping() {
    int v = call(c -> c.ping());
    return new int[] {v >> 8, v & 0xFF};
  }

  public List<ProviderInfo> listProviders() {
    return call(c -> {
      org.parsec.client.jni.ProviderList l = c.list_providers();
      List<ProviderInfo> out = new ArrayList<>();
      for (long i = 0; i < l.size(); i++) {
        org.parsec.client.jni.ProviderInfo p = l.get(i);
        out.add(new ProviderInfo(ProviderId.of(p.getId().swigValue()), p.getUuid(), p.getDescription(), p.getVendor(),
                                 p.getVersion_maj(), p.getVersion_min(), p.getVersion_rev()));
      }
      return out;
    });
  }

  /** listOpcodes: the opcodes {@code provider} serves, ascending. */
  public List<Integer> listOpcodes(ProviderId provider) {
    return call(c -> {
      org.parsec.client.jni.OpcodeList l = c.list_opcodes(provider.value());
      List<Integer> out = new ArrayList<>();
      for (long i = 0; i < l.size(); i++) {
        out.add((int) l.get(i));
      }
      return out;
    });
  }

  public List<AuthenticatorInfo> listAuthenticators() {
    return call(c -> {
      org.parsec.client.jni.AuthenticatorList l = c.list_authenticators();
      List<AuthenticatorInfo> out = new ArrayList<>();
      for (long i = 0; i < l.size(); i++) {
        org.parsec.client.jni.AuthenticatorInfo a = l.get(i);
        out.add(new AuthenticatorInfo(AuthType.of(a.getId().swigValue()), a.getDescription(), a.getVersion_maj(),
                                      a.getVersion_min(), a.getVersion_rev()));
      }
      return out;
    });
  }

  /** listKeys: the caller's keys on every provider. */
  public List<KeyInfo> listKeys() {
    return call(c -> {
      org.parsec.client.jni.KeyInfoList l = c.list_keys();
      List<KeyInfo> out = new ArrayList<>();
      for (long i = 0; i < l.size(); i++) {
        org.parsec.client.jni.KeyInfo k = l.get(i);
        out.add(new KeyInfo(ProviderId.of(k.getProvider_id().swigValue()), k.getName(),
                            Native.fromNative(k.getAttributes())));
      }
      return out;
    });
  }

  /** listClients (admin only). */
  public List<String> listClients() {
    return call(c -> {
      org.parsec.client.jni.StringList l = c.list_clients();
      List<String> out = new ArrayList<>();
      for (long i = 0; i < l.size(); i++) {
        out.add(l.get(i));
      }
      return out;
    });
  }

  /** deleteClient (admin only): destroys every key of {@code client}. */
  public void deleteClient(String client) {
    call(c -> c.delete_client(client));
  }

  /** keyAttributes of {@code keyName} (preferring the current provider); KeyNotFoundException if none. */
  public KeyAttributes keyAttributes(String keyName) {
    return call(c -> Native.fromNative(c.key_attributes(keyName)));
  }

  // ---- key handles --------------------------------------------------------------------------

  /** key: a handle on the existing key {@code keyName} (one ListKeys request). */
  public ParsecKey key(String keyName) {
    return call(c -> new ParsecKey(this, c.key(keyName)));
  }

  /** generate: generates {@code keyName} in the service and returns its handle. */
  public ParsecKey generate(String keyName, KeyAttributes attributes) {
    org.parsec.client.jni.KeyAttributes a = Native.toNative(attributes);
    try {
      return call(c -> new ParsecKey(this, c.generate(keyName, a)));
    } finally {
      a.delete();
    }
  }

  // ---- key management -----------------------------------------------------------------------

  public void generateKey(String keyName, KeyAttributes attributes) {
    org.parsec.client.jni.KeyAttributes a = Native.toNative(attributes);
    try {
      call(c -> c.generate_key(keyName, a));
    } finally {
      a.delete();
    }
  }

  /** importKey: data in the PSA format (ECC private: the scalar; RSA: PKCS#1 DER; public ECC: 04||X||Y). */
  public void importKey(String keyName, KeyAttributes attributes, byte[] data) {
    org.parsec.client.jni.KeyAttributes a = Native.toNative(attributes);
    try {
      call(c -> c.import_key(keyName, a, data));
    } finally {
      a.delete();
    }
  }

  /** exportPublicKey in the PSA format (ECC: 04||X||Y; RSA: PKCS#1 RSAPublicKey DER). */
  public byte[] exportPublicKey(String keyName) {
    return call(c -> c.export_public_key(keyName));
  }

  /** exportKey: the key material (needs the EXPORT usage); a secret the caller must wipe. */
  public byte[] exportKey(String keyName) {
    return call(c -> c.export_key(keyName));
  }

  public void destroyKey(String keyName) {
    call(c -> c.destroy_key(keyName));
  }

  // ---- signatures ---------------------------------------------------------------------------

  /** signHash: ECDSA signatures are raw r||s (see {@link ParsecKey} for DER). */
  public byte[] signHash(String keyName, Algorithm alg, byte[] hash) {
    return call(c -> withAlg(alg, a -> c.sign_hash(keyName, a, hash)));
  }

  /** verifyHash: false when the signature does not match; other failures throw. */
  public boolean verifyHash(String keyName, Algorithm alg, byte[] hash, byte[] signature) {
    return call(c -> withAlg(alg, a -> c.verify_hash(keyName, a, hash, signature)));
  }

  public byte[] signMessage(String keyName, Algorithm alg, byte[] message) {
    return call(c -> withAlg(alg, a -> c.sign_message(keyName, a, message)));
  }

  public boolean verifyMessage(String keyName, Algorithm alg, byte[] message, byte[] signature) {
    return call(c -> withAlg(alg, a -> c.verify_message(keyName, a, message, signature)));
  }

  // ---- encryption ---------------------------------------------------------------------------

  /** asymmetricEncrypt: RSA PKCS#1 v1.5 or OAEP; {@code salt} is the OAEP label (null or empty: none). */
  public byte[] asymmetricEncrypt(String keyName, Algorithm alg, byte[] plaintext, byte[] salt) {
    return call(c -> withAlg(alg, a -> c.asymmetric_encrypt(keyName, a, plaintext, orEmpty(salt))));
  }

  /** asymmetricDecrypt: returns the plaintext, a secret the caller must wipe. */
  public byte[] asymmetricDecrypt(String keyName, Algorithm alg, byte[] ciphertext, byte[] salt) {
    return call(c -> withAlg(alg, a -> c.asymmetric_decrypt(keyName, a, ciphertext, orEmpty(salt))));
  }

  /** aeadEncrypt: the ciphertext carries the tag at its end. */
  public byte[] aeadEncrypt(String keyName, Algorithm alg, byte[] nonce, byte[] additionalData, byte[] plaintext) {
    return call(c -> withAlg(alg, a -> c.aead_encrypt(keyName, a, nonce, orEmpty(additionalData), plaintext)));
  }

  public byte[] aeadDecrypt(String keyName, Algorithm alg, byte[] nonce, byte[] additionalData, byte[] ciphertext) {
    return call(c -> withAlg(alg, a -> c.aead_decrypt(keyName, a, nonce, orEmpty(additionalData), ciphertext)));
  }

  /** cipherEncrypt: the result is IV || ciphertext. */
  public byte[] cipherEncrypt(String keyName, Algorithm.CipherMode mode, byte[] plaintext) {
    return call(c -> c.cipher_encrypt(
        keyName, org.parsec.client.jni.Cipher.swigToEnum(mode.ordinal()), plaintext));
  }

  public byte[] cipherDecrypt(String keyName, Algorithm.CipherMode mode, byte[] ciphertext) {
    return call(c -> c.cipher_decrypt(
        keyName, org.parsec.client.jni.Cipher.swigToEnum(mode.ordinal()), ciphertext));
  }

  // ---- MAC, hash, key agreement, random ------------------------------------------------------

  public byte[] macCompute(String keyName, Algorithm alg, byte[] input) {
    return call(c -> withAlg(alg, a -> c.mac_compute(keyName, a, input)));
  }

  public boolean macVerify(String keyName, Algorithm alg, byte[] input, byte[] mac) {
    return call(c -> withAlg(alg, a -> c.mac_verify(keyName, a, input, mac)));
  }

  public byte[] hashCompute(Hash alg, byte[] input) {
    return call(c -> c.hash_compute(org.parsec.client.jni.Hash.swigToEnum(alg.value()), input));
  }

  public boolean hashCompare(Hash alg, byte[] input, byte[] hash) {
    return call(
        c -> c.hash_compare(org.parsec.client.jni.Hash.swigToEnum(alg.value()), input, hash));
  }

  /** rawKeyAgreement: the shared secret (the caller must wipe it). peerKey: ECC 04||X||Y. */
  public byte[] rawKeyAgreement(Algorithm.KeyAgreement alg, String privateKeyName, byte[] peerKey) {
    return call(c -> c.raw_key_agreement(
        org.parsec.client.jni.RawKeyAgreement.swigToEnum(alg.ordinal()), privateKeyName, peerKey));
  }

  /** generateRandom: {@code size} random bytes from the service. */
  public byte[] generateRandom(long size) {
    return call(c -> c.generate_random(size));
  }

  /** canDoCrypto: true when the provider can, false on PsaErrorNotSupported. */
  public boolean canDoCrypto(CheckType check, KeyAttributes attributes) {
    org.parsec.client.jni.KeyAttributes a = Native.toNative(attributes);
    try {
      return call(
          c -> c.can_do_crypto(org.parsec.client.jni.CheckType.swigToEnum(check.value()), a));
    } finally {
      a.delete();
    }
  }

  // ---- key attestation (TPM) ----------------------------------------------------------------

  /** prepareKeyAttestation; an empty/null attesting key name selects the provider's default. */
  public Attestation prepareKeyAttestation(String attestedKeyName, String attestingKeyName) {
    return call(c -> {
      org.parsec.client.jni.Attestation a =
          c.prepare_key_attestation(attestedKeyName, attestingKeyName == null ? "" : attestingKeyName);
      return new Attestation(a.name(), a.public_area(), a.attesting_key_public());
    });
  }

  public byte[] attestKeyActivateCredential(String attestedKeyName, byte[] credentialBlob, byte[] secret,
                                            String attestingKeyName) {
    return call(c -> c.attest_key_activate_credential(
        attestedKeyName, credentialBlob, secret, attestingKeyName == null ? "" : attestingKeyName));
  }

  // ---- helpers ------------------------------------------------------------------------------

  interface AlgCall<T> {
    T apply(org.parsec.client.jni.Algorithm a);
  }

  static <T> T withAlg(Algorithm alg, AlgCall<T> f) {
    org.parsec.client.jni.Algorithm a = Native.toNative(Objects.requireNonNull(alg, "algorithm"));
    try {
      return f.apply(a);
    } catch (NativeException e) {
      throw Native.translate(e);
    } finally {
      a.delete();
    }
  }

  static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  /**
   * Builder of ParsecClient. Every setting is optional: endpoint (default PARSEC_SERVICE_ENDPOINT,
   * else unix:/run/parsec/parsec.sock), application name (needed for Direct authentication),
   * provider (default: the first the service lists), authenticator (default: the first usable
   * one the service lists), timeout per connect/read/write (default 60 s; zero waits forever).
   */
  public static final class Builder {
    private String endpoint = "";
    private String appName = "";
    private ProviderId provider;
    private AuthType authType;
    private Duration timeout;

    public Builder endpoint(String uri) {
      this.endpoint = Objects.requireNonNull(uri);
      return this;
    }

    public Builder appName(String name) {
      this.appName = Objects.requireNonNull(name);
      return this;
    }

    public Builder provider(ProviderId p) {
      this.provider = p;
      return this;
    }

    public Builder authenticator(AuthType a) {
      this.authType = a;
      return this;
    }

    public Builder timeout(Duration t) {
      if (t.isNegative() || t.toMillis() > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("timeout out of range: " + t);
      }
      this.timeout = t;
      return this;
    }

    /** build: no request is sent (discovery happens on first need). */
    public ParsecClient build() {
      Native.ensureLoaded();
      Client c = Native.call(() -> Client.create(endpoint));
      try {
        if (!appName.isEmpty()) {
          c.set_app_name(appName);
        }
        if (timeout != null) {
          c.set_timeout_ms(timeout.toMillis());
        }
        if (provider != null) {
          Native.run(() -> c.set_provider(provider.value()));
        }
        if (authType != null) {
          Native.run(() -> c.set_auth_type(org.parsec.client.jni.AuthType.swigToEnum(authType.value())));
        }
      } catch (RuntimeException e) {
        c.delete();
        throw e;
      }
      return new ParsecClient(c);
    }
  }
}
