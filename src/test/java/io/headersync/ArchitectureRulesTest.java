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
    List<String> out = new ArrayList<>();
    for (Path file : javaFiles()) {
      String rel = MAIN.relativize(file).toString().replace('\\', '/');
      if (rel.startsWith(allowedDir)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("import " + importPrefix) || line.startsWith("import static " + importPrefix)) {
            out.add(rel + ": " + line);
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
