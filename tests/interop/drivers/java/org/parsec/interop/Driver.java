package org.parsec.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.parsec.client.Algorithm;
import org.parsec.client.AuthType;
import org.parsec.client.Hash;
import org.parsec.client.InvalidArgumentException;
import org.parsec.client.KeyAlreadyExistsException;
import org.parsec.client.KeyAttributes;
import org.parsec.client.KeyInfo;
import org.parsec.client.KeyNotFoundException;
import org.parsec.client.NotPermittedException;
import org.parsec.client.NotSupportedException;
import org.parsec.client.ParsecClient;
import org.parsec.client.ParsecException;
import org.parsec.client.ProviderId;

/**
 * The Java SDK's driver of the interop matrix (docs/interop.md): a persistent process reading one
 * flat JSON request per line on stdin and answering one flat JSON line on stdout, through
 * org.parsec.client.ParsecClient (the sdk-java jar). The JDK is its third party: MessageDigest
 * digests, javax.crypto.Cipher RSA-OAEP encryption, KeyFactory for SubjectPublicKeyInfo.
 *
 * <p>Errors carry the uniform code derived from Java's idiom, the exception class
 * (KeyNotFoundException, ...); a failed verification is verifyHash() returning false.
 * Single-threaded.
 */
public final class Driver {
  private Driver() {}

  /** parse reads a flat JSON object (strings, numbers, booleans, null); values kept as text. */
  static Map<String, String> parse(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = s.indexOf('{') + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '}') {
        break;
      }
      if (c != '"') {
        i++;
        continue;
      }
      StringBuilder key = new StringBuilder();
      i = readString(s, i, key);
      i = s.indexOf(':', i) + 1;
      while (s.charAt(i) == ' ') {
        i++;
      }
      if (s.charAt(i) == '"') {
        StringBuilder value = new StringBuilder();
        i = readString(s, i, value);
        out.put(key.toString(), value.toString());
      } else {
        int end = i;
        while (end < s.length() && s.charAt(end) != ',' && s.charAt(end) != '}') {
          end++;
        }
        out.put(key.toString(), s.substring(i, end).trim());
        i = end;
      }
    }
    return out;
  }

  private static int readString(String s, int i, StringBuilder out) {
    i++;
    while (s.charAt(i) != '"') {
      char c = s.charAt(i);
      if (c == '\\') {
        char e = s.charAt(++i);
        if (e == 'u') {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        } else {
          out.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        }
      } else {
        out.append(c);
      }
      i++;
    }
    return i + 1;
  }

  static String quote(String v) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(' ');
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static String json(Map<String, Object> m) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(quote(e.getKey())).append(": ");
      b.append(e.getValue() instanceof Boolean ? e.getValue().toString() : quote(String.valueOf(e.getValue())));
    }
    return b.append('}').toString();
  }

  static Map<String, Object> ok() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", true);
    return m;
  }

  static Map<String, Object> failure(String code, String status, String idiom, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", false);
    m.put("error", code);
    if (status != null) {
      m.put("status", status);
    }
    if (idiom != null) {
      m.put("idiom", idiom);
    }
    m.put("message", message == null ? "" : message);
    return m;
  }

  /** uniform: the matrix's error code of a ParsecException, from its class (the Java idiom). */
  static Map<String, Object> failure(ParsecException e) {
    String code = "Other";
    if (e instanceof KeyNotFoundException) {
      code = "NotFound";
    } else if (e instanceof KeyAlreadyExistsException) {
      code = "AlreadyExists";
    } else if (e instanceof NotPermittedException) {
      code = "NotPermitted";
    } else if (e instanceof NotSupportedException) {
      code = "NotSupported";
    } else if (e instanceof InvalidArgumentException) {
      // The Java SDK folds InvalidSignature into InvalidArgumentException (sdk-java/README.md); the
      // verify methods return false for it instead of throwing.
      code = e.status() == 1149 ? "InvalidSignature" : "InvalidArgument";
    }
    return failure(code, e.statusName(), "catch (" + e.getClass().getSimpleName() + " e)", e.getMessage());
  }

  static Hash hash(Map<String, String> r) {
    return "sha384".equals(r.get("hash")) ? Hash.SHA_384 : Hash.SHA_256;
  }

  static Algorithm policy(String type, Hash h) {
    switch (type) {
      case "ecdsa-p256":
        return Algorithm.ecdsa(h);
      case "rsa-pss":
        return Algorithm.rsaPss(h);
      case "rsa-oaep":
        return Algorithm.rsaOaep(h);
      default:
        throw new IllegalArgumentException("unknown key type " + type);
    }
  }

  static byte[] digest(Hash h, byte[] message) throws Exception {
    return MessageDigest.getInstance(h == Hash.SHA_384 ? "SHA-384" : "SHA-256").digest(message);
  }

  static byte[] bytes(Map<String, String> r, String k) {
    return Base64.getDecoder().decode(r.getOrDefault(k, ""));
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static ParsecClient clientFor(Map<String, String> r) {
    ParsecClient.Builder b = ParsecClient.builder();
    String app = r.getOrDefault("app", "");
    if (app.isEmpty()) {
      b.authenticator(AuthType.UNIX_PEER_CREDENTIALS);
    } else {
      b.appName(app).authenticator(AuthType.DIRECT);
    }
    String p = r.get("provider");
    if (p != null && !p.equals("null")) {
      b.provider(ProviderId.of(Integer.parseInt(p)));
    }
    return b.build();
  }

  static Map<String, Object> handle(Map<String, String> r) throws Exception {
    String op = r.get("op");
    String name = r.getOrDefault("name", "");
    Map<String, Object> out = ok();
    if ("hello".equals(op)) {
      out.put("driver", "java");
      return out;
    }
    if ("encrypt_local".equals(op)) {
      PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(bytes(r, "spki")));
      Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
      cipher.init(Cipher.ENCRYPT_MODE, pub,
          new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
      out.put("ciphertext", b64(cipher.doFinal(bytes(r, "plaintext"))));
      return out;
    }
    try (ParsecClient c = clientFor(r)) {
      Hash h = hash(r);
      String type = r.getOrDefault("type", "");
      switch (op) {
        case "create": {
          String bits = r.get("bits");
          Algorithm policy = policy(type, h);
          KeyAttributes attrs = type.equals("ecdsa-p256")
              ? KeyAttributes.eccKeyPair(bits == null ? 256 : Integer.parseInt(bits), policy)
              : KeyAttributes.rsaKeyPair(bits == null ? 2048 : Integer.parseInt(bits), policy);
          c.generateKey(name, attrs);
          break;
        }
        case "export_public":
          out.put("format", "psa");
          out.put("public", b64(c.exportPublicKey(name)));
          break;
        case "sign":
          out.put("format", "raw");
          out.put("signature", b64(c.signHash(name, policy(type, h), digest(h, bytes(r, "message")))));
          break;
        case "sign_message": // the service hashes
          out.put("format", "raw");
          out.put("signature", b64(c.signMessage(name, policy(type, h), bytes(r, "message"))));
          break;
        case "verify":
          if (!c.verifyHash(name, policy(type, h), digest(h, bytes(r, "message")), bytes(r, "signature"))) {
            return failure("InvalidSignature", null, "verifyHash() returned false", "");
          }
          break;
        case "decrypt":
          out.put("plaintext", b64(c.asymmetricDecrypt(name, Algorithm.rsaOaep(Hash.SHA_256), bytes(r, "ciphertext"),
                                                       new byte[0])));
          break;
        case "destroy":
          c.destroyKey(name);
          break;
        case "list_keys": {
          List<String> keys = new ArrayList<>();
          for (KeyInfo k : c.listKeys()) {
            keys.add(k.name() + "@" + k.provider().value());
          }
          out.put("keys", String.join(",", keys));
          break;
        }
        default:
          throw new IllegalArgumentException("unknown op " + op);
      }
      return out;
    } catch (ParsecException e) {
      return failure(e);
    }
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, Object> answer;
      try {
        answer = handle(parse(line));
      } catch (Exception e) {
        answer = failure("DriverError", null, null, e.toString());
      }
      out.println(json(answer));
    }
  }
}
