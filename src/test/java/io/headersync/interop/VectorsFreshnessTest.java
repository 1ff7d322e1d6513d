package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The committed ev-node vectors are exactly what the Go program in {@code interop/vectors} writes
 * today: if ev-node's Go types changed behaviour, or someone edited a vector by hand, this fails.
 */
@Tag("interop")
class VectorsFreshnessTest {
  private static final Path COMMITTED = Path.of("src/test/resources/vectors");

  @Test
  void committedVectorsEqualFreshlyGeneratedOnes() throws IOException {
    Path fresh = InteropBinaries.require("vectors");
    List<String> names = list(COMMITTED);
    assertEquals(names, list(fresh), "the same vector files");
    for (String name : names) {
      assertEquals(
          Files.readString(COMMITTED.resolve(name)),
          Files.readString(fresh.resolve(name)),
          name
              + " differs from what interop/vectors generates now; regenerate with mvn -Pvectors generate-test-resources");
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
