package org.parsec.client;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * KeyAttributes: a key's type, curve family, size, usage flags and its single permitted
 * algorithm (policy), as PSA defines them. The factories set the usages the policy needs (sign
 * and verify for signatures, encrypt and decrypt for encryption); {@link #builder()} or
 * {@link #withUsages} adjust them (e.g. add EXPORT). Immutable; thread-safe.
 */
public final class KeyAttributes {
  private final KeyType type;
  private final EccFamily eccFamily;
  private final int bits;
  private final Set<Usage> usages;
  private final Algorithm policy;

  private KeyAttributes(KeyType type, EccFamily eccFamily, int bits, Set<Usage> usages, Algorithm policy) {
    this.type = Objects.requireNonNull(type);
    this.eccFamily = Objects.requireNonNull(eccFamily);
    this.bits = bits;
    this.usages = Collections.unmodifiableSet(usages.isEmpty() ? EnumSet.noneOf(Usage.class) : EnumSet.copyOf(usages));
    this.policy = Objects.requireNonNull(policy);
  }

  /** usagesFor: the usages a key needs to be used with {@code policy}. */
  public static EnumSet<Usage> usagesFor(Algorithm policy) {
    switch (policy.kind()) {
      case RSA_PKCS1V15_SIGN: case RSA_PKCS1V15_SIGN_RAW: case RSA_PSS: case ECDSA: case ECDSA_ANY:
      case DETERMINISTIC_ECDSA:
        return EnumSet.of(Usage.SIGN_HASH, Usage.VERIFY_HASH, Usage.SIGN_MESSAGE, Usage.VERIFY_MESSAGE);
      case RSA_PKCS1V15_CRYPT: case RSA_OAEP: case CIPHER: case AEAD:
        return EnumSet.of(Usage.ENCRYPT, Usage.DECRYPT);
      case HMAC: case CBC_MAC: case CMAC:
        return EnumSet.of(Usage.SIGN_MESSAGE, Usage.VERIFY_MESSAGE, Usage.SIGN_HASH, Usage.VERIFY_HASH);
      case RAW_KEY_AGREEMENT: case KEY_AGREEMENT_WITH_DERIVATION: case HKDF: case TLS12_PRF: case TLS12_PSK_TO_MS:
        return EnumSet.of(Usage.DERIVE);
      default:
        return EnumSet.noneOf(Usage.class);
    }
  }

  /** An ECC key pair on a NIST curve (SECP_R1): bits 256, 384 or 521. */
  public static KeyAttributes eccKeyPair(int bits, Algorithm policy) {
    return new KeyAttributes(KeyType.ECC_KEY_PAIR, EccFamily.SECP_R1, bits, usagesFor(policy), policy);
  }

  public static KeyAttributes eccKeyPair(int bits, Algorithm policy, EccFamily family) {
    return new KeyAttributes(KeyType.ECC_KEY_PAIR, family, bits, usagesFor(policy), policy);
  }

  public static KeyAttributes rsaKeyPair(int bits, Algorithm policy) {
    return new KeyAttributes(KeyType.RSA_KEY_PAIR, EccFamily.NONE, bits, usagesFor(policy), policy);
  }

  /** A public key (usable to verify or encrypt only). */
  public static KeyAttributes publicKeyOf(KeyType type, EccFamily family, int bits, Algorithm policy) {
    EnumSet<Usage> u = usagesFor(policy);
    u.removeAll(EnumSet.of(Usage.SIGN_HASH, Usage.SIGN_MESSAGE, Usage.DECRYPT, Usage.DERIVE));
    return new KeyAttributes(type, family, bits, u, policy);
  }

  public static Builder builder() {
    return new Builder();
  }

  public KeyType type() {
    return type;
  }

  /** The curve family of an ECC key (NONE otherwise). */
  public EccFamily eccFamily() {
    return eccFamily;
  }

  /** Size in bits (0: taken from imported data). */
  public int bits() {
    return bits;
  }

  public Set<Usage> usages() {
    return usages;
  }

  public Algorithm policy() {
    return policy;
  }

  public KeyAttributes withUsages(Set<Usage> newUsages) {
    return new KeyAttributes(type, eccFamily, bits, newUsages, policy);
  }

  public Builder toBuilder() {
    return new Builder().type(type).eccFamily(eccFamily).bits(bits).usages(usages).policy(policy);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof KeyAttributes)) {
      return false;
    }
    KeyAttributes k = (KeyAttributes) o;
    return type == k.type && eccFamily == k.eccFamily && bits == k.bits && usages.equals(k.usages)
        && policy.equals(k.policy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, eccFamily, bits, usages, policy);
  }

  @Override
  public String toString() {
    return type + (eccFamily != EccFamily.NONE ? "(" + eccFamily + ")" : "") + " " + bits + " bits " + usages + " "
        + policy;
  }

  /** Builder of KeyAttributes; usages default to those the policy needs. */
  public static final class Builder {
    private KeyType type = KeyType.NONE;
    private EccFamily eccFamily = EccFamily.NONE;
    private int bits;
    private Set<Usage> usages;
    private Algorithm policy = Algorithm.none();

    public Builder type(KeyType t) {
      this.type = t;
      if (t.isEcc() && eccFamily == EccFamily.NONE) {
        eccFamily = EccFamily.SECP_R1;
      }
      return this;
    }

    public Builder eccFamily(EccFamily f) {
      this.eccFamily = f;
      return this;
    }

    public Builder bits(int b) {
      this.bits = b;
      return this;
    }

    public Builder usages(Set<Usage> u) {
      this.usages = EnumSet.noneOf(Usage.class);
      this.usages.addAll(u);
      return this;
    }

    public Builder addUsage(Usage u) {
      if (usages == null) {
        usages = usagesFor(policy);
      }
      usages.add(u);
      return this;
    }

    public Builder policy(Algorithm p) {
      this.policy = p;
      return this;
    }

    public KeyAttributes build() {
      return new KeyAttributes(type, eccFamily, bits, usages != null ? usages : usagesFor(policy), policy);
    }
  }
}
