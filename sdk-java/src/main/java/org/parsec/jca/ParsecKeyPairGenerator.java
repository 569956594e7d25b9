package org.parsec.jca;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidParameterException;
import java.security.KeyPair;
import java.security.KeyPairGeneratorSpi;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Locale;
import java.util.UUID;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.KeyAttributes;
import org.parsec.client.ParsecException;
import org.parsec.client.ParsecKey;

/**
 * KeyPairGenerator "EC" (P-256, P-384) and "RSA" (2048-4096 bits, exponent 65537) of the Parsec
 * provider: the key pair is generated in the service (PsaGenerateKey) under the name of the
 * {@link ParsecKeyGenParameterSpec} (or a random one); the result holds the JDK PublicKey and a
 * {@link ParsecPrivateKey} handle. The SecureRandom argument is ignored (the service generates).
 */
public final class ParsecKeyPairGenerator extends KeyPairGeneratorSpi {
  private final ParsecProvider provider;
  private final boolean ec;
  private String name;
  private int bits;
  private Algorithm policy;

  ParsecKeyPairGenerator(ParsecProvider provider, boolean ec) {
    this.provider = provider;
    this.ec = ec;
    this.bits = ec ? 256 : 2048;
  }

  private void checkBits(int b) {
    if (ec ? (b != 256 && b != 384) : (b < 2048 || b > 4096 || b % 8 != 0)) {
      throw new InvalidParameterException((ec ? "EC sizes: 256, 384" : "RSA sizes: 2048-4096") + ", not " + b);
    }
  }

  @Override
  public void initialize(int keysize, SecureRandom random) {
    checkBits(keysize);
    bits = keysize;
  }

  @Override
  public void initialize(AlgorithmParameterSpec params, SecureRandom random) throws InvalidAlgorithmParameterException {
    if (params instanceof ParsecKeyGenParameterSpec) {
      ParsecKeyGenParameterSpec s = (ParsecKeyGenParameterSpec) params;
      try {
        checkBits(s.bits());
      } catch (InvalidParameterException e) {
        throw new InvalidAlgorithmParameterException(e.getMessage());
      }
      name = s.keyName();
      bits = s.bits();
      policy = s.policy();
    } else if (ec && params instanceof ECGenParameterSpec) {
      String n = ((ECGenParameterSpec) params).getName().toLowerCase(Locale.ROOT);
      if (n.equals("secp256r1") || n.equals("p-256") || n.equals("prime256v1")) {
        bits = 256;
      } else if (n.equals("secp384r1") || n.equals("p-384")) {
        bits = 384;
      } else {
        throw new InvalidAlgorithmParameterException("Parsec EC curves: secp256r1, secp384r1; not " + n);
      }
    } else if (!ec && params instanceof RSAKeyGenParameterSpec) {
      RSAKeyGenParameterSpec r = (RSAKeyGenParameterSpec) params;
      if (!r.getPublicExponent().equals(RSAKeyGenParameterSpec.F4)) {
        throw new InvalidAlgorithmParameterException("Parsec RSA keys use the exponent 65537");
      }
      try {
        checkBits(r.getKeysize());
      } catch (InvalidParameterException e) {
        throw new InvalidAlgorithmParameterException(e.getMessage());
      }
      bits = r.getKeysize();
    } else {
      throw new InvalidAlgorithmParameterException("unsupported parameters " + params);
    }
  }

  @Override
  public KeyPair generateKeyPair() {
    String keyName = name != null ? name : "jca-" + UUID.randomUUID();
    Algorithm p = policy != null ? policy : ec ? Algorithm.ecdsa(Hash.ANY) : Algorithm.rsaPkcs1v15Sign(Hash.ANY);
    KeyAttributes a = ec ? KeyAttributes.eccKeyPair(bits, p) : KeyAttributes.rsaKeyPair(bits, p);
    try {
      ParsecKey k = provider.client().generate(keyName, a);
      ParsecPrivateKey priv = ParsecPrivateKey.of(k);
      return new KeyPair(priv.publicKey(), priv);
    } catch (ParsecException e) {
      throw new ProviderException("Parsec key generation of " + keyName + ": " + e.getMessage(), e);
    } finally {
      name = null;  // a name is used once
    }
  }
}
