package org.parsec.client;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.ConcurrentHashMap;
import org.parsec.client.jni.Key;

/**
 * ParsecKey is a handle on one key held by the Parsec service: its name and a snapshot of its
 * attributes; the key material never leaves the service. Each method is one request through the
 * {@link ParsecClient} it came from (and follows that client's provider setting). Algorithms
 * default to the key's policy: a policy with {@link Hash#ANY} is made concrete per call (from the
 * digest length for signHash, from the key size for sign). Thread-safe: any number of threads
 * may use one handle at once.
 */
public final class ParsecKey {
  private final ParsecClient client;
  private final Key key;
  private final String name;
  private final KeyAttributes attributes;
  // Native algorithm values by Java value: a signature costs no algorithm conversion (and no
  // finalizable SWIG object) after the first. A key takes a handful of algorithms at most; the
  // cap only guards against a caller cycling through arbitrary ones. Const values: shareable.
  private final ConcurrentHashMap<Algorithm, org.parsec.client.jni.Algorithm> nativeAlgorithms =
      new ConcurrentHashMap<>();
  private static final int MAX_CACHED_ALGORITHMS = 16;

  ParsecKey(ParsecClient client, Key key) {
    this.client = client;
    this.key = key;
    this.name = key.name();
    this.attributes = Native.fromNative(key.attributes());
  }

  public String name() {
    return name;
  }

  /** call runs {@code f} with the native form of {@code alg}, cached per key. */
  private <T> T withNative(Algorithm alg, ParsecClient.AlgCall<T> f) {
    org.parsec.client.jni.Algorithm a = nativeAlgorithms.get(alg);
    if (a == null) {
      if (nativeAlgorithms.size() >= MAX_CACHED_ALGORITHMS) {
        return ParsecClient.withAlg(alg, f);
      }
      a = nativeAlgorithms.computeIfAbsent(alg, Native::toNative);
    }
    org.parsec.client.jni.Algorithm nat = a;
    return Native.call(() -> f.apply(nat));
  }

  public KeyAttributes attributes() {
    return attributes;
  }

  public ParsecClient client() {
    return client;
  }

  /** signatureAlgorithm: the policy with a concrete hash (digestLength 0: the hash for the key size). */
  public Algorithm signatureAlgorithm(int digestLength) {
    return Native.call(() -> Native.fromNative(key.signature_algorithm(digestLength)));
  }

  /** sign: the service hashes {@code message} (PsaSignMessage); der: ECDSA as DER (X.509, TLS), else r||s. */
  public byte[] sign(byte[] message, boolean der) {
    return sign(message, Algorithm.none(), der);
  }

  /** sign with an explicit algorithm ({@code Algorithm.none()}: the policy's). */
  public byte[] sign(byte[] message, Algorithm alg, boolean der) {
    return withNative(alg, a -> key.sign(message, a, der));
  }

  /** signHash: PsaSignHash of a digest; the hash is taken from the digest length under an ANY policy. */
  public byte[] signHash(byte[] digest, boolean der) {
    return signHash(digest, Algorithm.none(), der);
  }

  public byte[] signHash(byte[] digest, Algorithm alg, boolean der) {
    return withNative(alg, a -> key.sign_hash(digest, a, der));
  }

  /** verify: false when the signature does not match (or a DER one does not parse). */
  public boolean verify(byte[] message, byte[] signature, boolean der) {
    return withNative(Algorithm.none(), a -> key.verify(message, signature, a, der));
  }

  public boolean verifyHash(byte[] digest, byte[] signature, boolean der) {
    return withNative(Algorithm.none(), a -> key.verify_hash(digest, signature, a, der));
  }

  /** encrypt with the key's RSA encryption policy; {@code label}: OAEP label (null: none). */
  public byte[] encrypt(byte[] plaintext, byte[] label) {
    return Native.call(() -> key.encrypt(plaintext, ParsecClient.orEmpty(label)));
  }

  /** decrypt: the plaintext, a secret the caller must wipe. */
  public byte[] decrypt(byte[] ciphertext, byte[] label) {
    return Native.call(() -> key.decrypt(ciphertext, ParsecClient.orEmpty(label)));
  }

  /** exportPublicKey in the PSA format. */
  public byte[] exportPublicKey() {
    return Native.call(key::export_public_key);
  }

  /** publicKeyDer: the X.509 SubjectPublicKeyInfo. */
  public byte[] publicKeyDer() {
    return Native.call(key::public_key_der);
  }

  public String publicKeyPem() {
    return Native.call(key::public_key_pem);
  }

  /** publicKey: the JDK's PublicKey (ECPublicKey or RSAPublicKey) of this key. */
  public PublicKey publicKey() {
    byte[] spki = publicKeyDer();
    try {
      return KeyFactory.getInstance(attributes.type().isEcc() ? "EC" : "RSA").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK does not accept the service's public key of " + name, e);
    }
  }

  /** createCsr: a PKCS#10 request (DER) for this key, signed by the service. */
  public byte[] createCsr(CsrSubject subject) {
    org.parsec.client.jni.CsrSubject s = new org.parsec.client.jni.CsrSubject();
    try {
      s.setCommon_name(orEmpty(subject.commonName));
      s.setOrganizational_unit(orEmpty(subject.organizationalUnit));
      s.setOrganization(orEmpty(subject.organization));
      s.setLocality(orEmpty(subject.locality));
      s.setState(orEmpty(subject.state));
      s.setCountry(orEmpty(subject.country));
      s.setSerial_number(orEmpty(subject.serialNumber));
      for (String san : subject.subjectAltNames) {
        s.add_subject_alt_name(san);
      }
      return Native.call(() -> key.create_csr(s));
    } finally {
      s.delete();
    }
  }

  /** destroy: PsaDestroyKey; the handle then names a key that no longer exists. */
  public void destroy() {
    Native.run(key::destroy);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public String toString() {
    return "ParsecKey(" + name + ", " + attributes + ")";
  }
}
