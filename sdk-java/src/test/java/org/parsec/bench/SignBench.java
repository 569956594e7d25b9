package org.parsec.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.jca.ParsecKeyGenParameterSpec;
import org.parsec.jca.ParsecProvider;
import org.parsec.testing.Testbed;

/**
 * ECDSA P-256 signing throughput: {@code Signature.sign()} through the Parsec JCA provider beside
 * the same work (sign_hash of a SHA-256 digest, same key, same daemon, one reused client) done by
 * the C++ client core (bench/core_sign_bench.cc), alternating in the same run; medians of the
 * rounds, and the client thread's CPU time per signature (robust to a loaded machine). Not a test (never asserts on time): sdk-java/run-tests.sh runs it with
 * PARSEC_JAVA_BENCH=1.
 *   java -cp target/classes:target/test-classes org.parsec.bench.SignBench CORE_BENCH [COUNT] [ROUNDS]
 */
public final class SignBench {
  private SignBench() {}

  public static void main(String[] args) throws Exception {
    String coreBench = args[0];
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Testbed tb = Testbed.get();
    System.out.printf("ECDSA P-256 sign, %d signatures per round, %d rounds, ops/s (median)%n", count, rounds);
    for (ProviderId id : Testbed.providers()) {
      String app = "java-bench-" + id.value();
      try (ParsecClient client = tb.client(id, app)) {
        ParsecProvider p = new ParsecProvider(client, Files.createTempDirectory("chains"));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
        g.initialize(new ParsecKeyGenParameterSpec("bench", 256, Algorithm.ecdsa(Hash.SHA_256)));
        PrivateKey key = g.generateKeyPair().getPrivate();
        Signature s = Signature.getInstance("SHA256withECDSA", p);
        s.initSign(key);
        byte[] msg = "benchmark message".getBytes(StandardCharsets.US_ASCII);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(msg);
        for (int i = 0; i < 200; i++) {  // JIT warm-up
          s.update(msg);
          s.sign();
          client.signHash("bench", Algorithm.ecdsa(Hash.SHA_256), digest);
        }
        List<Double> jca = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        List<Double> core = new ArrayList<>();
        List<Double> jcaCpu = new ArrayList<>();
        List<Double> coreCpu = new ArrayList<>();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
          long c0 = mx.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          for (int i = 0; i < count; i++) {
            s.update(msg);
            s.sign();
          }
          jca.add(count / ((System.nanoTime() - t0) / 1e9));
          jcaCpu.add((mx.getCurrentThreadCpuTime() - c0) / 1e3 / count);
          t0 = System.nanoTime();
          for (int i = 0; i < count; i++) {
            client.signHash("bench", Algorithm.ecdsa(Hash.SHA_256), digest);
          }
          direct.add(count / ((System.nanoTime() - t0) / 1e9));
          ProcessBuilder pb = new ProcessBuilder(coreBench, app, Integer.toString(id.value()), "bench",
                                                 Integer.toString(count)).redirectErrorStream(true);
          pb.environment().put("PARSEC_SERVICE_ENDPOINT", tb.endpoint());
          Process proc = pb.start();
          String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
          if (proc.waitFor() != 0) {
            throw new IllegalStateException("core bench failed: " + out);
          }
          String[] fields = out.split("\\s+");
          core.add(Double.parseDouble(fields[0]));
          coreCpu.add(Double.parseDouble(fields[1]));
        }
        double mj = median(jca);
        double md = median(direct);
        double mc = median(core);
        System.out.printf("provider %d: JCA Signature.sign() %.0f | ParsecClient.signHash %.0f | C++ core sign_hash "
                              + "%.0f | JCA/core %.2f (rounds JCA %s, core %s); client CPU per signature: JCA %.0f us, "
                              + "core %.0f us%n",
                          id.value(), mj, md, mc, mj / mc, fmt(jca), fmt(core), median(jcaCpu), median(coreCpu));
      }
    }
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  private static String fmt(List<Double> v) {
    StringBuilder b = new StringBuilder();
    for (double d : v) {
      b.append(b.length() == 0 ? "" : "/").append(Math.round(d));
    }
    return b.toString();
  }
}
