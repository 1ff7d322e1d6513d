package io.headersync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rules of the house from docs/architecture.md, checked on the sources. */
class ArchitectureRulesTest {
  private static final Path MAIN = Path.of("src/main/java");

  @Test
  void onlyTheStorePackageImportsRocksDb() {
    assertEquals(List.of(), violations("org.rocksdb", "io/headersync/store/"));
  }

  @Test
  void onlyLibp2pPackagesImportNetty() {
    assertEquals(List.of(), violations("io.netty", "io/headersync/libp2p/"));
  }

  /**
   * The shared codecs (the one varint codec, base58/32, multibase) are used by every layer, store and
   * evnode included, so they must depend on nothing of headersync but the annotations.
   */
  @Test
  void sharedEncodingPackageDependsOnNothingOfHeadersync() {
    // The shared codecs (the one varint codec, base58/32, multibase) are used by every layer, store and
    // evnode included, so they depend on nothing of headersync but the annotations.
    assertEquals(
        List.of(),
        imports(
            rel -> rel.startsWith("io/headersync/libp2p/internal/encoding/"),
            line -> line.startsWith("import io.headersync.")
                && !line.startsWith("import io.headersync.annotation.")
                && !line.startsWith("import io.headersync.libp2p.internal.encoding.")));
  }

  @Test
  void everyPublicPackageHasPackageInfo() {
    Set<Path> missing = new TreeSet<>();
    for (Path file : javaFiles()) {
      Path dir = file.getParent();
      if (!dir.toString().contains("internal") && !Files.exists(dir.resolve("package-info.java"))) {
        missing.add(MAIN.relativize(dir));
      }
    }
    assertTrue(missing.isEmpty(), "packages without package-info.java: " + missing);
  }

  private static List<String> violations(String importPrefix, String allowedDir) {
    return imports(
        rel -> !rel.startsWith(allowedDir),
        line -> line.startsWith("import " + importPrefix) || line.startsWith("import static " + importPrefix));
  }

  /** The import lines matching {@code line} in the main sources whose relative path matches {@code file}. */
  private static List<String> imports(Predicate<String> file, Predicate<String> line) {
    List<String> out = new ArrayList<>();
    for (Path path : javaFiles()) {
      String rel = MAIN.relativize(path).toString().replace('\\', '/');
      if (!file.test(rel)) {
        continue;
      }
      try {
        for (String l : Files.readAllLines(path)) {
          if (line.test(l)) {
            out.add(rel + ": " + l);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static List<Path> javaFiles() {
    try (Stream<Path> s = Files.walk(MAIN)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
