package org.parsec.jca;

import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.interfaces.RSAKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidParameterSpecException;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.ParsecException;

/**
 * Cipher "RSA" of the Parsec provider: RSA/ECB/PKCS1Padding and RSA/ECB/OAEPWith{SHA-1,SHA-256}
 * AndMGF1Padding (and OAEPPadding with an {@link OAEPParameterSpec}). Decryption with a
 * {@link ParsecPrivateKey} runs in the service (PsaAsymmetricDecrypt); encryption with a public
 * key is delegated to the JDK.
 *
 * <p>OAEP parameters follow PSA: the MGF1 hash is the OAEP hash. Beware that SunJCE's
 * "OAEPWithSHA-256AndMGF1Padding" without parameters uses MGF1 with SHA-1: pass
 * {@code new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT)}
 * to the JDK encrypting for a Parsec key. A spec with different hashes is refused
 * (InvalidAlgorithmParameterException). A label (PSource.PSpecified) is passed to the service as
 * the OAEP label. Not thread-safe (as any Cipher).
 */
public final class ParsecRsaCipher extends CipherSpi {
  private boolean oaep;
  private Hash oaepHash = Hash.SHA_1;
  private byte[] label = new byte[0];
  private ParsecPrivateKey key;
  private Cipher delegate;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

  ParsecRsaCipher() {}

  @Override
  protected void engineSetMode(String mode) throws NoSuchAlgorithmException {
    if (!mode.equalsIgnoreCase("ECB") && !mode.equalsIgnoreCase("NONE")) {
      throw new NoSuchAlgorithmException("RSA mode " + mode);
    }
  }

  @Override
  protected void engineSetPadding(String padding) throws NoSuchPaddingException {
    String p = padding.toUpperCase(Locale.ROOT);
    switch (p) {
      case "PKCS1PADDING":
        oaep = false;
        break;
      case "OAEPPADDING":
      case "OAEPWITHSHA-1ANDMGF1PADDING":
      case "OAEPWITHSHA1ANDMGF1PADDING":
        oaep = true;
        oaepHash = Hash.SHA_1;
        break;
      case "OAEPWITHSHA-256ANDMGF1PADDING":
        oaep = true;
        oaepHash = Hash.SHA_256;
        break;
      default:
        throw new NoSuchPaddingException("Parsec RSA padding " + padding);
    }
  }

  @Override
  protected int engineGetBlockSize() {
    return 0;
  }

  private int modulusBytes() {
    Key k = key != null ? key : null;
    if (k instanceof RSAKey) {
      return (((RSAKey) k).getModulus().bitLength() + 7) / 8;
    }
    return 512;
  }

  @Override
  protected int engineGetOutputSize(int inputLen) {
    return delegate != null ? delegate.getOutputSize(inputLen) : modulusBytes();
  }

  @Override
  protected byte[] engineGetIV() {
    return null;
  }

  @Override
  protected AlgorithmParameters engineGetParameters() {
    if (!oaep) {
      return null;
    }
    try {
      AlgorithmParameters ap = AlgorithmParameters.getInstance("OAEP");
      ap.init(spec());
      return ap;
    } catch (NoSuchAlgorithmException | InvalidParameterSpecException e) {
      throw new java.security.ProviderException(e);
    }
  }

  private OAEPParameterSpec spec() {
    MGF1ParameterSpec mgf = oaepHash == Hash.SHA_256 ? MGF1ParameterSpec.SHA256 : MGF1ParameterSpec.SHA1;
    return new OAEPParameterSpec(oaepHash.jcaName(), "MGF1", mgf, new PSource.PSpecified(label));
  }

  @Override
  protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
    try {
      engineInit(opmode, key, (AlgorithmParameterSpec) null, random);
    } catch (InvalidAlgorithmParameterException e) {
      throw new InvalidKeyException(e);
    }
  }

  @Override
  protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    try {
      engineInit(opmode, key, params == null ? null : params.getParameterSpec(OAEPParameterSpec.class), random);
    } catch (InvalidParameterSpecException e) {
      throw new InvalidAlgorithmParameterException(e);
    }
  }

  @Override
  protected void engineInit(int opmode, Key k, AlgorithmParameterSpec params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (params != null) {
      if (!oaep || !(params instanceof OAEPParameterSpec)) {
        throw new InvalidAlgorithmParameterException("only OAEP takes parameters (OAEPParameterSpec)");
      }
      OAEPParameterSpec s = (OAEPParameterSpec) params;
      Hash h = Hash.fromJcaName(s.getDigestAlgorithm());
      if (h != Hash.SHA_1 && h != Hash.SHA_256) {
        throw new InvalidAlgorithmParameterException("Parsec OAEP hashes: SHA-1, SHA-256");
      }
      if (!"MGF1".equalsIgnoreCase(s.getMGFAlgorithm()) || !(s.getMGFParameters() instanceof MGF1ParameterSpec)
          || Hash.fromJcaName(((MGF1ParameterSpec) s.getMGFParameters()).getDigestAlgorithm()) != h) {
        throw new InvalidAlgorithmParameterException("Parsec (PSA) OAEP uses MGF1 with the OAEP hash");
      }
      oaepHash = h;
      label = s.getPSource() instanceof PSource.PSpecified ? ((PSource.PSpecified) s.getPSource()).getValue()
                                                            : new byte[0];
    }
    buffer.reset();
    delegate = null;
    this.key = null;
    if (opmode == Cipher.DECRYPT_MODE || opmode == Cipher.UNWRAP_MODE) {
      if (!(k instanceof ParsecPrivateKey) || !(k instanceof RSAKey)) {
        throw new InvalidKeyException("decryption needs a Parsec RSA key");
      }
      ParsecPrivateKey pk = (ParsecPrivateKey) k;
      Algorithm p = pk.parsecKey().attributes().policy();
      boolean fits = oaep ? p.kind() == Algorithm.Kind.RSA_OAEP && p.hash() == oaepHash
                          : p.kind() == Algorithm.Kind.RSA_PKCS1V15_CRYPT;
      if (!fits) {
        throw new InvalidKeyException("the Parsec policy of " + pk.keyName() + " (" + p + ") does not allow "
                                      + (oaep ? "OAEP with " + oaepHash : "PKCS#1 v1.5 encryption"));
      }
      this.key = pk;
      return;
    }
    if (!(k instanceof PublicKey)) {
      throw new InvalidKeyException("encryption needs an RSA public key");
    }
    // Encryption needs no secret: the JDK's provider does it with PSA's parameters.
    String transformation = oaep ? "RSA/ECB/OAEPPadding" : "RSA/ECB/PKCS1Padding";
    try {
      for (Provider prov : Security.getProviders("Cipher.RSA")) {
        if (prov instanceof ParsecProvider) {
          continue;
        }
        Cipher c = Cipher.getInstance(transformation, prov);
        if (oaep) {
          c.init(opmode, k, spec(), random);
        } else {
          c.init(opmode, k, random);
        }
        delegate = c;
        return;
      }
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new InvalidKeyException(e);
    }
    throw new InvalidKeyException("no JDK provider for " + transformation);
  }

  @Override
  protected byte[] engineUpdate(byte[] input, int off, int len) {
    if (delegate != null) {
      return delegate.update(input, off, len);
    }
    buffer.write(input, off, len);
    return new byte[0];
  }

  @Override
  protected int engineUpdate(byte[] input, int off, int len, byte[] output, int outOff) throws ShortBufferException {
    if (delegate != null) {
      return delegate.update(input, off, len, output, outOff);
    }
    buffer.write(input, off, len);
    return 0;
  }

  @Override
  protected byte[] engineDoFinal(byte[] input, int off, int len)
      throws IllegalBlockSizeException, BadPaddingException {
    if (delegate != null) {
      return delegate.doFinal(input, off, len);
    }
    if (key == null) {
      throw new IllegalStateException("Cipher not initialised");
    }
    if (input != null) {
      buffer.write(input, off, len);
    }
    byte[] ct = buffer.toByteArray();
    buffer.reset();
    Algorithm alg = oaep ? Algorithm.rsaOaep(oaepHash) : Algorithm.rsaPkcs1v15Crypt();
    try {
      // Through the key's own client (the one that made the handle).
      return key.parsecKey().client().asymmetricDecrypt(key.keyName(), alg, ct, label);
    } catch (ParsecException e) {
      if (e.status() == 1150 || e.status() == 1135) {  // InvalidPadding, InvalidArgument
        BadPaddingException b = new BadPaddingException(e.getMessage());
        b.initCause(e);
        throw b;
      }
      throw new java.security.ProviderException(e.getMessage(), e);
    }
  }

  @Override
  protected int engineDoFinal(byte[] input, int off, int len, byte[] output, int outOff)
      throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
    byte[] r = engineDoFinal(input, off, len);
    if (output.length - outOff < r.length) {
      Arrays.fill(r, (byte) 0);
      throw new ShortBufferException("need " + r.length + " bytes");
    }
    System.arraycopy(r, 0, output, outOff, r.length);
    Arrays.fill(r, (byte) 0);
    return r.length;
  }

  @Override
  protected int engineGetKeySize(Key k) throws InvalidKeyException {
    if (k instanceof RSAKey) {
      return ((RSAKey) k).getModulus().bitLength();
    }
    throw new InvalidKeyException("not an RSA key");
  }

  @Override
  protected byte[] engineWrap(Key k) throws IllegalBlockSizeException, InvalidKeyException {
    if (delegate == null) {
      throw new IllegalStateException("not in WRAP_MODE");
    }
    return delegate.wrap(k);
  }

  @Override
  protected Key engineUnwrap(byte[] wrapped, String algorithm, int type)
      throws InvalidKeyException, NoSuchAlgorithmException {
    byte[] raw;
    try {
      raw = engineDoFinal(wrapped, 0, wrapped.length);
    } catch (IllegalBlockSizeException | BadPaddingException e) {
      throw new InvalidKeyException(e);
    }
    if (type != Cipher.SECRET_KEY) {
      Arrays.fill(raw, (byte) 0);
      throw new InvalidKeyException("Parsec unwraps secret keys only");
    }
    Key out = new javax.crypto.spec.SecretKeySpec(raw, algorithm);
    Arrays.fill(raw, (byte) 0);
    return out;
  }
}
