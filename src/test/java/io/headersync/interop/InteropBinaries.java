package io.headersync.interop;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the interop profile ({@code mvn -Pinterop verify}) put the Go programs it built from {@code
 * interop/}: {@code target/interop/<name>}. Tests tagged {@code interop} only run in that profile,
 * and fail (never skip) when a program is missing.
 */
public final class InteropBinaries {
  private InteropBinaries() {}

  /** The directory the interop profile builds into. */
  public static Path dir() {
    String dir = System.getProperty("headersync.interop.dir");
    if (dir == null) {
      throw new IllegalStateException(
          "system property headersync.interop.dir is not set; run with mvn -Pinterop");
    }
    return Path.of(dir);
  }

  /** The path of a built Go program or generated file, which must exist. */
  public static Path require(String name) {
    Path p = dir().resolve(name);
    if (!Files.exists(p)) {
      throw new IllegalStateException(
          p + " does not exist; the interop profile builds it (mvn -Pinterop verify)");
    }
    return p;
  }
}
