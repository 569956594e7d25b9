package org.parsec.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * NativeLoader loads the JNI library (libparsec_jni.so) once per class loader: from the path in
 * the system property {@code org.parsec.native.library} when set, else from the jar's
 * {@code /native/linux-x86_64/} resource, copied to a private temporary file (owner-only,
 * deleted at exit) because the JVM can only load a library from a file. No
 * {@code -Djava.library.path} is needed. Thread-safe.
 */
final class NativeLoader {
  private static final String RESOURCE = "/native/linux-x86_64/libparsec_jni.so";
  private static volatile boolean loaded;

  private NativeLoader() {}

  static void load() {
    if (loaded) {
      return;
    }
    synchronized (NativeLoader.class) {
      if (loaded) {
        return;
      }
      String explicit = System.getProperty("org.parsec.native.library");
      if (explicit != null && !explicit.isEmpty()) {
        System.load(explicit);
      } else {
        System.load(extract().toString());
      }
      loaded = true;
    }
  }

  private static Path extract() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new UnsatisfiedLinkError("the Parsec Java SDK ships a native library for linux-x86_64 only (this is "
                                     + os + "-" + arch + "); set org.parsec.native.library to your own build");
    }
    try (InputStream in = NativeLoader.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new UnsatisfiedLinkError(RESOURCE + " is missing from the jar");
      }
      Path file = Files.createTempFile("parsec_jni", ".so",
                                       PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      UnsatisfiedLinkError err = new UnsatisfiedLinkError("cannot extract " + RESOURCE + ": " + e.getMessage());
      err.initCause(e);
      throw err;
    }
  }
}
