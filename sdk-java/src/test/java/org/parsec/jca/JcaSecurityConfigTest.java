package org.parsec.jca;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.parsec.testing.SecurityConfigProbe;
import org.parsec.testing.Testbed;

/** The provider registered by java.security configuration only (a child JVM with -Djava.security.properties). */
class JcaSecurityConfigTest {
  @Test
  void registeredByJavaSecurityProperties() throws Exception {
    Path dir = Files.createTempDirectory("jsec");
    Path props = dir.resolve("java.security");
    // The JDK reads security.provider.1, .2, ... up to the first gap: take the next free number.
    int n = 1;
    while (java.security.Security.getProperty("security.provider." + n) != null) {
      n++;
    }
    Files.writeString(props, "security.provider." + n + "=org.parsec.jca.ParsecProvider endpoint=" + Testbed.get().endpoint()
                                 + ",appName=java-config,provider=3,chainDir=" + dir.resolve("chains") + "\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                                           "-Djava.security.properties=" + props, SecurityConfigProbe.class.getName()))
                    .redirectErrorStream(true)
                    .start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), out);
    assertEquals("ok Parsec true", out.lines().reduce((a, b) -> b).orElse(""));
  }
}
