package org.parsec.client;

import java.util.function.Supplier;
import org.parsec.client.jni.AeadAlgorithm;
import org.parsec.client.jni.AlgorithmKind;
import org.parsec.client.jni.Cipher;
import org.parsec.client.jni.DhFamily;
import org.parsec.client.jni.NativeException;
import org.parsec.client.jni.ParsecNative;
import org.parsec.client.jni.RawKeyAgreement;

/**
 * Native converts between the SDK's value types and the SWIG-generated ones (org.parsec.client.jni,
 * generated from the core's parsec.i) and turns the JNI layer's NativeException into the typed
 * {@link ParsecException} family. Internal; stateless, thread-safe.
 */
final class Native {
  private Native() {}

  static {
    NativeLoader.load();
  }

  static void ensureLoaded() {
    NativeLoader.load();
  }

  static ParsecException translate(NativeException e) {
    return ParsecException.of(e.status, e.statusName, e.operation, e.detail, null);
  }

  /** call runs one facade call, translating its failure. */
  static <T> T call(Supplier<T> f) {
    try {
      return f.get();
    } catch (NativeException e) {
      throw translate(e);
    }
  }

  static void run(Runnable f) {
    try {
      f.run();
    } catch (NativeException e) {
      throw translate(e);
    }
  }

  static org.parsec.client.jni.Algorithm toNative(Algorithm a) {
    return call(() -> ParsecNative.make_algorithm(AlgorithmKind.swigToEnum(a.kind().ordinal()),
                                                  org.parsec.client.jni.Hash.swigToEnum(a.hash().value()),
                                                  a.truncated(), a.length(), Cipher.swigToEnum(a.cipherMode().ordinal()),
                                                  AeadAlgorithm.swigToEnum(a.aeadAlgorithm().ordinal()),
                                                  RawKeyAgreement.swigToEnum(a.keyAgreement().ordinal()),
                                                  AlgorithmKind.swigToEnum(a.kdf().ordinal())));
  }

  static Algorithm fromNative(org.parsec.client.jni.Algorithm a) {
    return new Algorithm(Algorithm.Kind.values()[a.kind().swigValue()], Hash.of(a.hash_alg().swigValue()),
                         a.is_truncated(), (int) a.length(), Algorithm.CipherMode.values()[a.cipher_mode().swigValue()],
                         Algorithm.Aead.values()[a.aead_alg().swigValue()],
                         Algorithm.KeyAgreement.values()[a.key_agreement_alg().swigValue()],
                         Algorithm.Kind.values()[a.kdf_kind().swigValue()]);
  }

  static org.parsec.client.jni.KeyAttributes toNative(KeyAttributes k) {
    org.parsec.client.jni.Algorithm policy = toNative(k.policy());
    try {
      return ParsecNative.make_key_attributes(org.parsec.client.jni.KeyType.swigToEnum(k.type().value()),
                                              org.parsec.client.jni.EccFamily.swigToEnum(k.eccFamily().value()),
                                              DhFamily.Rfc7919, k.bits(), Usage.bits(k.usages()), policy);
    } finally {
      policy.delete();
    }
  }

  static KeyAttributes fromNative(org.parsec.client.jni.KeyAttributes k) {
    org.parsec.client.jni.Algorithm policy = k.getPolicy();
    KeyType type = KeyType.of(k.getType().swigValue());
    return KeyAttributes.builder()
        .type(type)
        .eccFamily(type.isEcc() ? EccFamily.of(k.getFamily().swigValue()) : EccFamily.NONE)
        .bits((int) k.getBits())
        .usages(Usage.of(ParsecNative.usage_bits(k)))
        .policy(fromNative(policy))
        .build();
  }
}
