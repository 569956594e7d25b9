package org.parsec.jca;

import java.nio.file.Path;
import java.security.Provider;
import java.security.ProviderException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;

/**
 * ParsecProvider is the JCA provider "Parsec": KeyStore "Parsec", KeyPairGenerator EC/RSA,
 * Signature (SHA256/384/512withECDSA, NONEwithECDSA, SHA256/384/512withRSA, RSASSA-PSS), Cipher RSA
 * (OAEP SHA-1/SHA-256, PKCS#1 v1.5), SecureRandom "Parsec" and KeyManagerFactory "Parsec", all
 * served by keys held in parsecd.
 *
 * <p>One {@link ParsecClient} serves every operation of the provider (its discovery is cached,
 * so a signature is one request), either given to the constructor or built from the
 * configuration: {@code Security.addProvider(new ParsecProvider(client))}, or in
 * java.security {@code security.provider.N=org.parsec.jca.ParsecProvider appName=svc,provider=3}
 * (keys: endpoint, appName, provider (id), chainDir; all optional). Signature and Cipher
 * services declare {@link ParsecPrivateKey} as their only key class, so JCA's delayed provider
 * selection sends Parsec keys here and every other key to the JDK's providers.
 * Thread-safe.
 */
public final class ParsecProvider extends Provider {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "Parsec";

  private final transient Object lock = new Object();
  private transient ParsecClient client;
  private final transient Map<String, String> config;
  private final transient ChainStore chains;

  /** From system properties org.parsec.endpoint, org.parsec.appName, org.parsec.provider, org.parsec.jca.chainDir. */
  public ParsecProvider() {
    this(null, fromProperties());
  }

  /** A provider serving keys through {@code client}; chains in {@link ChainStore#defaultDirectory()}. */
  public ParsecProvider(ParsecClient client) {
    this(client, ChainStore.defaultDirectory());
  }

  public ParsecProvider(ParsecClient client, Path chainDirectory) {
    this(client, Map.of("chainDir", chainDirectory.toString()));
  }

  private ParsecProvider(ParsecClient client, Map<String, String> config) {
    super(NAME, "0.1", "Parsec: keys held by the Parsec service (parsecd)");
    this.client = client;
    this.config = config;
    String dir = config.get("chainDir");
    this.chains = new ChainStore(dir == null || dir.isEmpty() ? ChainStore.defaultDirectory() : Path.of(dir));
    register();
  }

  private static Map<String, String> fromProperties() {
    Map<String, String> m = new HashMap<>();
    put(m, "endpoint", System.getProperty("org.parsec.endpoint"));
    put(m, "appName", System.getProperty("org.parsec.appName"));
    put(m, "provider", System.getProperty("org.parsec.provider"));
    put(m, "chainDir", System.getProperty("org.parsec.jca.chainDir"));
    return m;
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null && !v.isEmpty()) {
      m.put(k, v);
    }
  }

  /** configure: "key=value,key=value" (java.security configuration), a new provider. */
  @Override
  public Provider configure(String arg) {
    Map<String, String> m = fromProperties();
    for (String part : arg.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        m.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      } else if (!part.isBlank()) {
        throw new java.security.InvalidParameterException("Parsec provider option without '=': " + part);
      }
    }
    return new ParsecProvider(null, m);
  }

  @Override
  public boolean isConfigured() {
    return true;
  }

  /** The client every service of this provider uses (built on first use when configured). */
  public ParsecClient client() {
    synchronized (lock) {
      if (client == null) {
        ParsecClient.Builder b = ParsecClient.builder();
        if (config.containsKey("endpoint")) {
          b.endpoint(config.get("endpoint"));
        }
        if (config.containsKey("appName")) {
          b.appName(config.get("appName"));
        }
        if (config.containsKey("provider")) {
          b.provider(ProviderId.of(Integer.parseInt(config.get("provider"))));
        }
        client = b.build();
      }
      return client;
    }
  }

  /** Where certificate chains are stored beside the keys. */
  public ChainStore chainStore() {
    return chains;
  }

  private void register() {
    String keyClasses = ParsecPrivateKey.class.getName();
    Map<String, String> keyAttr = Map.of("SupportedKeyClasses", keyClasses);
    add("KeyStore", "Parsec", p -> new ParsecKeyStore(this), Map.of());
    add("KeyPairGenerator", "EC", p -> new ParsecKeyPairGenerator(this, true), Map.of());
    add("KeyPairGenerator", "RSA", p -> new ParsecKeyPairGenerator(this, false), Map.of());
    for (String h : List.of("256", "384", "512")) {
      add("Signature", "SHA" + h + "withECDSA",
          p -> new ParsecSignature(ParsecSignature.Scheme.ECDSA, "SHA-" + h), keyAttr);
      add("Signature", "SHA" + h + "withRSA",
          p -> new ParsecSignature(ParsecSignature.Scheme.RSA_PKCS1, "SHA-" + h), keyAttr);
    }
    add("Signature", "NONEwithECDSA", p -> new ParsecSignature(ParsecSignature.Scheme.ECDSA_NONE, null), keyAttr);
    add("Signature", "RSASSA-PSS", p -> new ParsecSignature(ParsecSignature.Scheme.RSA_PSS, null), keyAttr);
    add("Cipher", "RSA", p -> new ParsecRsaCipher(),
        Map.of("SupportedKeyClasses", keyClasses, "SupportedModes", "ECB|NONE", "SupportedPaddings",
               "PKCS1PADDING|OAEPPADDING|OAEPWITHSHA-1ANDMGF1PADDING|OAEPWITHSHA1ANDMGF1PADDING"
                   + "|OAEPWITHSHA-256ANDMGF1PADDING"));
    add("SecureRandom", "Parsec", p -> new ParsecSecureRandom(this), Map.of("ThreadSafe", "true"));
    add("KeyManagerFactory", "Parsec", p -> new ParsecKeyManagerFactory(), Map.of());
  }

  private void add(String type, String alg, Function<Object, Object> factory, Map<String, String> attrs) {
    putService(new Service(this, type, alg, ParsecProvider.class.getName() + "$" + type, null, attrs) {
      @Override
      public Object newInstance(Object param) {
        try {
          return factory.apply(param);
        } catch (RuntimeException e) {
          throw new ProviderException("Parsec " + type + "." + alg + ": " + e.getMessage(), e);
        }
      }
    });
  }
}
