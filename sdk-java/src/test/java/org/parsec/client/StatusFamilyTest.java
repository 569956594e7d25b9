package org.parsec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The family table of every wire status (the README's table); the daemon-made ones are in ExceptionMappingTest. */
class StatusFamilyTest {
  @Test
  void everyStatusHasItsFamily() {
    Map<Class<? extends ParsecException>, int[]> table = Map.of(
        ServiceConnectionException.class, new int[] {15},
        ProviderException.class, new int[] {1, 5, 6, 18},
        AuthenticationException.class, new int[] {11, 12, 13, 19},
        ProtocolException.class, new int[] {2, 3, 4, 7, 8, 9, 10, 16, 17, 20},
        KeyNotFoundException.class, new int[] {1136, 1140},
        KeyAlreadyExistsException.class, new int[] {1139},
        NotPermittedException.class, new int[] {21, 1133},
        NotSupportedException.class, new int[] {22, 1134},
        InvalidArgumentException.class, new int[] {1135, 1137, 1138, 1143, 1149, 1150},
        ServiceFailureException.class, new int[] {14, 1132, 1141, 1142, 1145, 1146, 1147, 1148, 1151, 1152, 1153});
    int count = 0;
    for (var e : table.entrySet()) {
      for (int status : e.getValue()) {
        ParsecException ex = ParsecException.of(status, "S" + status, "Op", "detail", null);
        assertInstanceOf(e.getKey(), ex, "status " + status);
        assertEquals(status, ex.status());
        assertEquals("Op failed: S" + status + " (detail)", ex.getMessage());
        count++;
      }
    }
    assertEquals(43, count);  // every status of the wire spec but Success (1-22, 1132-1153 without 1144)
  }
}
