package org.parsec.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.parsec.client.Algorithm;
import org.parsec.client.Hash;
import org.parsec.client.ParsecClient;
import org.parsec.client.ProviderId;
import org.parsec.client.ServiceConnectionException;
import org.parsec.testing.Testbed;

/** One provider (one client) shared by 32 signing threads; and signing across a daemon restart. */
class ConcurrencyTest {
  static KeyPair ecKey(ParsecProvider p, String name) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p);
    g.initialize(new ParsecKeyGenParameterSpec(name, 256, Algorithm.ecdsa(Hash.ANY)));
    return g.generateKeyPair();
  }

  static boolean verify(KeyPair kp, byte[] msg, byte[] sig) throws Exception {
    Signature v = Signature.getInstance("SHA256withECDSA", "SunEC");
    v.initVerify(kp.getPublic());
    v.update(msg);
    return v.verify(sig);
  }

  @Test
  void thirtyTwoThreadsSignAtOnce() throws Exception {
    for (ProviderId id : Testbed.providers()) {
      try (ParsecClient c = Testbed.get().client(id)) {
        ParsecProvider p = new ParsecProvider(c, Files.createTempDirectory("chains"));
        KeyPair kp = ecKey(p, "shared");
        int threads = 32;
        int each = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          final int thread = t;
          results.add(pool.submit(() -> {
            start.await();
            int ok = 0;
            for (int i = 0; i < each; i++) {
              byte[] msg = ("thread " + thread + " message " + i).getBytes(StandardCharsets.UTF_8);
              Signature s = Signature.getInstance("SHA256withECDSA", p);
              s.initSign(kp.getPrivate());
              s.update(msg);
              if (verify(kp, msg, s.sign())) {
                ok++;
              }
            }
            return ok;
          }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : results) {
          total += f.get(300, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(threads * each, total, "verified signatures on provider " + id);
      }
    }
  }

  @Test
  void signersRideThroughADaemonRestart() throws Exception {
    try (ParsecClient c = Testbed.get().client(ProviderId.MBED_CRYPTO)) {
      ParsecProvider p = new ParsecProvider(c, Files.createTempDirectory("chains"));
      KeyPair kp = ecKey(p, "restart");
      int threads = 8;
      AtomicBoolean restarted = new AtomicBoolean();
      AtomicInteger before = new AtomicInteger();
      AtomicInteger after = new AtomicInteger();
      AtomicInteger bad = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      CountDownLatch enoughBefore = new CountDownLatch(threads * 5);
      CountDownLatch enoughAfter = new CountDownLatch(threads * 5);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      AtomicBoolean stop = new AtomicBoolean();
      for (int t = 0; t < threads; t++) {
        final int thread = t;
        pool.submit(() -> {
          int i = 0;
          while (!stop.get()) {
            byte[] msg = ("t" + thread + " m" + i++).getBytes(StandardCharsets.UTF_8);
            boolean afterRestart = restarted.get();
            try {
              Signature s = Signature.getInstance("SHA256withECDSA", p);
              s.initSign(kp.getPrivate());
              s.update(msg);
              byte[] sig = s.sign();
              if (!verify(kp, msg, sig)) {
                bad.incrementAndGet();
              }
              (afterRestart ? after : before).incrementAndGet();
              (afterRestart ? enoughAfter : enoughBefore).countDown();
            } catch (SignatureException e) {
              // While the daemon is down the only acceptable failure is "cannot connect".
              if (e.getCause() instanceof ServiceConnectionException) {
                refused.incrementAndGet();
                Thread.sleep(5);  // a client's retry back-off while the daemon is down
              } else {
                unexpected.add(e);
              }
            } catch (Throwable e) {
              unexpected.add(e);
            }
          }
          return null;
        });
      }
      assertTrue(enoughBefore.await(120, TimeUnit.SECONDS));
      Testbed.get().restart();
      restarted.set(true);
      boolean resumed = enoughAfter.await(120, TimeUnit.SECONDS);
      stop.set(true);
      pool.shutdown();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
      assertTrue(unexpected.isEmpty(), () -> "unexpected failures: " + unexpected);
      assertTrue(resumed, "signing did not resume after the restart");
      assertEquals(0, bad.get());
      assertTrue(after.get() >= threads * 5);
      System.out.printf("restart: %d signatures before, %d ConnectionError while down, %d after, all verified%n",
                        before.get(), refused.get(), after.get());
    }
  }
}
