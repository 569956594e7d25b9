package org.parsec.jca;

import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidParameterSpecException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.KeyAttributes;
import org.parsec.client.ParsecException;

/**
 * Signature services of the Parsec provider. Signing hashes the data locally (JDK MessageDigest)
 * and sends only the digest (PsaSignHash): one request per signature through the provider's one
 * client. ECDSA signatures come back DER-encoded as JCA expects. RSASSA-PSS takes a
 * {@link PSSParameterSpec} whose MGF1 hash equals the message hash and whose salt length is the
 * hash length (what PSA's RSA-PSS produces; TLS uses exactly that). NONEwithECDSA signs the
 * given bytes as a digest (20, 28, 32, 48 or 64 bytes). A key whose Parsec policy does not allow
 * the scheme is refused at initSign with InvalidKeyException, so JCA/JSSE can try another.
 * Verification is delegated to the JDK's own providers. Not thread-safe (as any Signature).
 */
public final class ParsecSignature extends SignatureSpi {
  enum Scheme { ECDSA, ECDSA_NONE, RSA_PKCS1, RSA_PSS }

  private final Scheme scheme;
  private String digestName;
  private MessageDigest digest;
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
  private PSSParameterSpec pss;
  private ParsecPrivateKey key;
  private Signature verifier;

  ParsecSignature(Scheme scheme, String digestName) {
    this.scheme = scheme;
    this.digestName = digestName;
  }

  private String jcaName() {
    switch (scheme) {
      case ECDSA: return digestName.replace("-", "") + "withECDSA";
      case ECDSA_NONE: return "NONEwithECDSA";
      case RSA_PKCS1: return digestName.replace("-", "") + "withRSA";
      default: return "RSASSA-PSS";
    }
  }

  @Override
  protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
    if (!(privateKey instanceof ParsecPrivateKey)) {
      throw new InvalidKeyException("not a Parsec key: " + (privateKey == null ? null : privateKey.getClass()));
    }
    ParsecPrivateKey k = (ParsecPrivateKey) privateKey;
    KeyAttributes a = k.parsecKey().attributes();
    boolean ec = scheme == Scheme.ECDSA || scheme == Scheme.ECDSA_NONE;
    if (ec != a.type().isEcc()) {
      throw new InvalidKeyException(jcaName() + " needs an " + (ec ? "EC" : "RSA") + " key, " + k.keyName() + " is "
                                    + a.type());
    }
    Algorithm p = a.policy();
    boolean fits;
    switch (scheme) {
      case ECDSA: case ECDSA_NONE:
        fits = p.kind() == Algorithm.Kind.ECDSA || p.kind() == Algorithm.Kind.DETERMINISTIC_ECDSA
            || (scheme == Scheme.ECDSA_NONE && p.kind() == Algorithm.Kind.ECDSA_ANY);
        break;
      case RSA_PKCS1:
        fits = p.kind() == Algorithm.Kind.RSA_PKCS1V15_SIGN;
        break;
      default:
        fits = p.kind() == Algorithm.Kind.RSA_PSS;
    }
    if (fits && digestName != null && p.hasSignHash() && p.hash() != Hash.ANY) {
      fits = p.hash() == Hash.fromJcaName(digestName);
    }
    if (!fits) {
      throw new InvalidKeyException("the Parsec policy of " + k.keyName() + " (" + p + ") does not allow " + jcaName());
    }
    this.key = k;
    this.verifier = null;
    resetData();
  }

  @Override
  protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
    // Public-key operations need no secret: the JDK's own implementation does them.
    try {
      verifier = null;
      for (Provider p : Security.getProviders("Signature." + jcaName())) {
        if (p instanceof ParsecProvider) {
          continue;
        }
        Signature s = Signature.getInstance(jcaName(), p);
        try {
          if (pss != null) {
            s.setParameter(pss);
          }
          s.initVerify(publicKey);
          verifier = s;
          break;
        } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
          // try the next provider
        }
      }
    } catch (NoSuchAlgorithmException e) {
      throw new InvalidKeyException(e);
    }
    if (verifier == null) {
      throw new InvalidKeyException("no JDK provider verifies " + jcaName() + " with " + publicKey.getAlgorithm());
    }
    key = null;
  }

  private void resetData() throws InvalidKeyException {
    raw.reset();
    if (digestName == null) {
      digest = null;
      return;
    }
    try {
      digest = MessageDigest.getInstance(digestName);
    } catch (NoSuchAlgorithmException e) {
      throw new InvalidKeyException(e);
    }
  }

  @Override
  protected void engineUpdate(byte b) throws SignatureException {
    engineUpdate(new byte[] {b}, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
    if (verifier != null) {
      verifier.update(b, off, len);
    } else if (key == null) {
      throw new SignatureException("not initialised");
    } else if (digest != null) {
      digest.update(b, off, len);
    } else if (scheme == Scheme.RSA_PSS) {
      throw new SignatureException("RSASSA-PSS needs a PSSParameterSpec before data");
    } else {
      raw.write(b, off, len);
    }
  }

  @Override
  protected byte[] engineSign() throws SignatureException {
    if (key == null) {
      throw new SignatureException("not initialised for signing");
    }
    byte[] hash;
    Algorithm alg;
    Algorithm policy = key.parsecKey().attributes().policy();
    if (scheme == Scheme.ECDSA_NONE) {
      hash = raw.toByteArray();
      raw.reset();
      Hash h = byLength(hash.length);
      if (policy.kind() == Algorithm.Kind.ECDSA_ANY) {
        alg = Algorithm.ecdsaAny();
      } else if (h == null) {
        throw new SignatureException("NONEwithECDSA: " + hash.length + " bytes is no digest length of a Parsec hash");
      } else {
        alg = policy.withHash(h);
      }
    } else {
      hash = digest.digest();
      alg = policy.withHash(Hash.fromJcaName(digestName));
    }
    try {
      return key.parsecKey().signHash(hash, alg, scheme == Scheme.ECDSA || scheme == Scheme.ECDSA_NONE);
    } catch (ParsecException e) {
      throw new SignatureException(e.getMessage(), e);
    }
  }

  private static Hash byLength(int n) {
    switch (n) {
      case 20: return Hash.SHA_1;
      case 28: return Hash.SHA_224;
      case 32: return Hash.SHA_256;
      case 48: return Hash.SHA_384;
      case 64: return Hash.SHA_512;
      default: return null;
    }
  }

  @Override
  protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
    if (verifier == null) {
      throw new SignatureException("not initialised for verification");
    }
    return verifier.verify(sigBytes);
  }

  @Override
  protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
    if (scheme != Scheme.RSA_PSS) {
      if (params == null) {
        return;
      }
      throw new InvalidAlgorithmParameterException(jcaName() + " takes no parameters");
    }
    if (!(params instanceof PSSParameterSpec)) {
      throw new InvalidAlgorithmParameterException("RSASSA-PSS needs a PSSParameterSpec");
    }
    PSSParameterSpec s = (PSSParameterSpec) params;
    Hash h = Hash.fromJcaName(s.getDigestAlgorithm());
    if (h == null || h.length() == 0) {
      throw new InvalidAlgorithmParameterException("unsupported PSS digest " + s.getDigestAlgorithm());
    }
    if (!"MGF1".equalsIgnoreCase(s.getMGFAlgorithm()) || !(s.getMGFParameters() instanceof MGF1ParameterSpec)
        || Hash.fromJcaName(((MGF1ParameterSpec) s.getMGFParameters()).getDigestAlgorithm()) != h) {
      throw new InvalidAlgorithmParameterException("Parsec RSA-PSS uses MGF1 with the message hash");
    }
    if (s.getSaltLength() != h.length() || s.getTrailerField() != 1) {
      throw new InvalidAlgorithmParameterException("Parsec RSA-PSS uses a salt as long as the hash ("
                                                   + h.length() + " bytes) and trailer field 1");
    }
    if (key != null) {
      Algorithm p = key.parsecKey().attributes().policy();
      if (p.hash() != Hash.ANY && p.hash() != h) {
        throw new InvalidAlgorithmParameterException("the Parsec policy of " + key.keyName() + " is " + p);
      }
    }
    if (verifier != null) {
      verifier.setParameter(s);
    }
    pss = s;
    digestName = h.jcaName();
    try {
      digest = MessageDigest.getInstance(digestName);
    } catch (NoSuchAlgorithmException e) {
      throw new InvalidAlgorithmParameterException(e);
    }
  }

  @Override
  protected AlgorithmParameters engineGetParameters() {
    if (pss == null) {
      return null;
    }
    try {
      AlgorithmParameters ap = AlgorithmParameters.getInstance("RSASSA-PSS");
      ap.init(pss);
      return ap;
    } catch (NoSuchAlgorithmException | InvalidParameterSpecException e) {
      throw new java.security.ProviderException(e);
    }
  }

  @Override
  @Deprecated
  protected void engineSetParameter(String param, Object value) {
    throw new InvalidParameterException("no string parameters");
  }

  @Override
  @Deprecated
  protected Object engineGetParameter(String param) {
    throw new InvalidParameterException("no string parameters");
  }
}
