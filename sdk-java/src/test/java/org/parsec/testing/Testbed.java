package org.parsec.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;

/**
 * Testbed: one real parsecd for the whole test JVM, with the software provider, a SoftHSM token
 * and swtpm, started by tests/testbed/parsec-testbed.sh in a temporary folder on first use and
 * stopped (folder removed) when the JVM exits. When the JVM already runs inside
 * {@code parsec-testbed.sh run} (PARSEC_TESTBED_DIR set), that daemon is used. The daemon binary
 * is $PARSECD, else the staged one (build/stage/bin/parsecd), else the testbed's default.
 */
public final class Testbed {
  private static Testbed instance;

  private final Path root;
  private final Path dir;
  private final Map<String, String> env;
  private final boolean owned;

  private Testbed(Path root, Path dir, Map<String, String> env, boolean owned) {
    this.root = root;
    this.dir = dir;
    this.env = env;
    this.owned = owned;
  }

  public static synchronized Testbed get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  static Path repositoryRoot() {
    String p = System.getProperty("parsec.root");
    Path r = p != null ? Path.of(p) : Path.of("..");
    return r.toAbsolutePath().normalize();
  }

  private static Testbed start() {
    Path root = repositoryRoot();
    String existing = System.getenv("PARSEC_TESTBED_DIR");
    try {
      if (existing != null && !existing.isEmpty()) {
        Path d = Path.of(existing);
        return new Testbed(root, d, readEnv(d.resolve("env")), false);
      }
      Path d = Files.createTempDirectory("parsec-java-testbed");
      Testbed t = new Testbed(root, d, Map.of(), true);
      t.script("start", d.toString());
      Testbed started = new Testbed(root, d, readEnv(d.resolve("env")), true);
      Runtime.getRuntime().addShutdownHook(new Thread(started::shutdown));
      return started;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the testbed", e);
    }
  }

  private static Map<String, String> readEnv(Path f) throws IOException {
    Map<String, String> m = new HashMap<>();
    for (String line : Files.readAllLines(f)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        String v = line.substring(eq + 1);
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        m.put(line.substring(0, eq), v);
      }
    }
    return m;
  }

  private void script(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(root.resolve("tests/testbed/parsec-testbed.sh").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    String parsecd = System.getenv("PARSECD");
    Path staged = root.resolve("build/stage/bin/parsecd");
    if ((parsecd == null || parsecd.isEmpty()) && Files.isExecutable(staged)) {
      pb.environment().put("PARSECD", staged.toString());
    }
    // Output to a file: the daemon it starts must not hold a pipe of ours open.
    File log = dir.resolve("testbed-script.log").toFile();
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    try {
      int rc = pb.start().waitFor();
      if (rc != 0) {
        throw new IllegalStateException("parsec-testbed.sh " + String.join(" ", args) + " failed (" + rc + "): "
                                        + Files.readString(log.toPath()));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** restart: stops parsecd and starts it again on the same store, token and TPM. */
  public void restart() {
    script("restart", dir.toString());
  }

  private void shutdown() {
    if (!owned) {
      return;
    }
    try {
      script("stop", dir.toString());
    } catch (RuntimeException e) {
      System.err.println("testbed stop: " + e.getMessage());
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  public String endpoint() {
    return env.get("PARSEC_SERVICE_ENDPOINT");
  }

  public Path dir() {
    return dir;
  }

  public String admin() {
    return env.getOrDefault("PARSEC_TESTBED_ADMIN", "admin");
  }

  /** The provider ids the daemon serves, in order. */
  public static List<ProviderId> providers() {
    List<ProviderId> out = new ArrayList<>();
    for (String s : get().env.getOrDefault("PARSEC_TESTBED_PROVIDERS", "1 2 3").trim().split("\\s+")) {
      out.add(ProviderId.of(Integer.parseInt(s)));
    }
    return out;
  }

  /** A fresh client of a fresh application (its own key namespace) on {@code provider}. */
  public ParsecClient client(ProviderId provider) {
    return client(provider, "java-" + UUID.randomUUID().toString().substring(0, 8));
  }

  public ParsecClient client(ProviderId provider, String appName) {
    return ParsecClient.builder().endpoint(endpoint()).appName(appName).provider(provider).build();
  }

  public Path root() {
    return root;
  }
}
