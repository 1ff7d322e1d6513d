package io.headersync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module descriptor exports the API only, and the library runs as a named module. */
class ModuleDescriptorTest {
  private static final Path CLASSES = Path.of("target/classes");

  /**
   * Test-only jars: on a module path they would be resolved with the library's automatic modules.
   */
  private static final Pattern TEST_ONLY =
      Pattern.compile(
          "junit|opentest4j|apiguardian|jspecify|jazzer|opentelemetry-sdk|archunit|jmh|jopt-simple|commons-math");

  private static ModuleDescriptor descriptor() throws IOException {
    try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  @Test
  void exportsTheApiPackagesAndNoInternals() throws IOException {
    ModuleDescriptor d = descriptor();
    assertEquals("io.headersync", d.name());
    Set<String> exported =
        d.exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(
        new TreeSet<>(
            List.of(
                "io.headersync",
                "io.headersync.annotation",
                "io.headersync.instrument",
                "io.headersync.lifecycle",
                "io.headersync.service",
                "io.headersync.store",
                "io.headersync.exchange",
                "io.headersync.subscriber",
                "io.headersync.sync",
                "io.headersync.evnode",
                "io.headersync.metrics",
                "io.headersync.testkit",
                "io.headersync.libp2p",
                "io.headersync.libp2p.pubsub",
                "io.headersync.libp2p.dht")),
        exported);
    // Every package with a package-info (our mark of a public package) is exported, but the command
    // line.
    Set<String> documented = new TreeSet<>();
    try (var files = Files.walk(CLASSES)) {
      files
          .filter(p -> p.getFileName().toString().equals("package-info.class"))
          .forEach(
              p -> documented.add(CLASSES.relativize(p.getParent()).toString().replace('/', '.')));
    }
    documented.remove("io.headersync.cli");
    documented.removeIf(p -> p.contains(".internal"));
    assertEquals(documented, exported);
    // The optional dependencies stay optional for users of the module path too.
    for (ModuleDescriptor.Requires r : d.requires()) {
      if (r.name().startsWith("info.picocli")
          || r.name().startsWith("io.opentelemetry")
          || r.name().startsWith("io.prometheus")
          || r.name().startsWith("org.junit")) {
        assertTrue(r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC), r.toString());
      }
    }
  }

  @Test
  void theCommandLineRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    List<String> modulePath = new ArrayList<>();
    modulePath.add(CLASSES.toAbsolutePath().toString());
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (entry.endsWith(".jar")
          && !TEST_ONLY.matcher(Path.of(entry).getFileName().toString()).find()) {
        modulePath.add(entry);
      }
    }
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                javaBin.toString(),
                "-p",
                String.join(java.io.File.pathSeparator, modulePath),
                "--add-modules",
                "ALL-MODULE-PATH",
                "-m",
                "io.headersync/io.headersync.cli.Main",
                "chain",
                "--count",
                "20",
                "--data-dir",
                dir.resolve("c").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    // Signed with Bouncy Castle, stored in RocksDB, read back: the whole module resolved and ran.
    assertTrue(out.contains("done: 20 headers"), out);
    assertTrue(out.contains("store  head 20 "), out);
  }
}
