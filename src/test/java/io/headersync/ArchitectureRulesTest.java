package io.headersync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of the house from docs/architecture.md, checked on the compiled classes with ArchUnit
 * (every dependency the bytecode has, not just import lines).
 */
class ArchitectureRulesTest {
  private static final Path MAIN = Path.of("src/main/java");

  /** Every core layer: what may use the model, the store, libp2p's API and so on. */
  private static final String[] CORE = {
    "Model",
    "Store",
    "Exchange",
    "Subscriber",
    "Sync",
    "Service",
    "EvNode",
    "Metrics",
    "TestKit",
    "Cli"
  };

  private static JavaClasses classes;

  private static String[] withInternal() {
    String[] out = java.util.Arrays.copyOf(CORE, CORE.length + 1);
    out[CORE.length] = "Internal";
    return out;
  }

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.headersync");
  }

  @Test
  void libp2pStandsOnItsOwn() {
    // Our libp2p stack could ship as its own artifact: it uses nothing of the header-sync core.
    classes()
        .that()
        .resideInAPackage("io.headersync.libp2p..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.headersync.libp2p..",
            "io.headersync.annotation..",
            "io.headersync.lifecycle..",
            "java..",
            "javax.crypto..",
            "io.netty..",
            "com.google.protobuf..",
            "org.bouncycastle..",
            "tools.jackson.core..",
            "org.slf4j..")
        .check(classes);
  }

  @Test
  void layersOnlyDependDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Annotation")
        .definedBy("io.headersync.annotation..")
        .layer("Instrument")
        .definedBy("io.headersync.instrument..")
        .layer("Lifecycle")
        .definedBy("io.headersync.lifecycle..")
        .layer("Libp2p")
        .definedBy("io.headersync.libp2p..")
        .layer("Internal")
        .definedBy("io.headersync.internal..")
        .layer("Model")
        .definedBy("io.headersync")
        .layer("Store")
        .definedBy("io.headersync.store..")
        .layer("Exchange")
        .definedBy("io.headersync.exchange..")
        .layer("Subscriber")
        .definedBy("io.headersync.subscriber..")
        .layer("Sync")
        .definedBy("io.headersync.sync..")
        .layer("Service")
        .definedBy("io.headersync.service..")
        .layer("EvNode")
        .definedBy("io.headersync.evnode..")
        .layer("Metrics")
        .definedBy("io.headersync.metrics..")
        .layer("TestKit")
        .definedBy("io.headersync.testkit..")
        .layer("Cli")
        .definedBy("io.headersync.cli..")
        .whereLayer("Cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("TestKit")
        .mayOnlyBeAccessedByLayers("Cli")
        .whereLayer("Metrics")
        .mayOnlyBeAccessedByLayers("Cli")
        .whereLayer("EvNode")
        .mayOnlyBeAccessedByLayers("Metrics", "TestKit", "Cli")
        .whereLayer("Service")
        .mayOnlyBeAccessedByLayers("EvNode", "Metrics", "TestKit", "Cli")
        .whereLayer("Sync")
        .mayOnlyBeAccessedByLayers("Service", "EvNode", "Metrics", "TestKit", "Cli")
        .whereLayer("Subscriber")
        .mayOnlyBeAccessedByLayers("Service", "EvNode", "Metrics", "TestKit", "Cli")
        .whereLayer("Exchange")
        .mayOnlyBeAccessedByLayers("Sync", "Service", "EvNode", "Metrics", "TestKit", "Cli")
        .whereLayer("Store")
        .mayOnlyBeAccessedByLayers(
            "Exchange", "Sync", "Service", "EvNode", "Metrics", "TestKit", "Cli")
        .whereLayer("Model")
        .mayOnlyBeAccessedByLayers(withInternal())
        .whereLayer("Internal")
        .mayOnlyBeAccessedByLayers(CORE)
        .whereLayer("Libp2p")
        .mayOnlyBeAccessedByLayers(CORE)
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.headersync.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void internalsAreUsedOnlyWhereTheyBelong() {
    for (String parent : List.of("exchange", "libp2p.pubsub", "libp2p.dht")) {
      noClasses()
          .that()
          .resideOutsideOfPackage("io.headersync." + parent + "..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.headersync." + parent + ".internal..")
          .check(classes);
    }
    // libp2p's internals belong to libp2p, but for two things shared with the core on purpose: the
    // codecs of libp2p.internal.encoding (the one varint codec, base58/32) and PrivateFiles
    // (owner-only
    // files written atomically, for key and genesis files).
    noClasses()
        .that()
        .resideOutsideOfPackage("io.headersync.libp2p..")
        .should()
        .dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "are libp2p internals other than the shared codecs and PrivateFiles",
                c ->
                    c.getPackageName().startsWith("io.headersync.libp2p.internal")
                        && !c.getPackageName().equals("io.headersync.libp2p.internal.encoding")
                        && !c.getSimpleName().equals("PrivateFiles")))
        .check(classes);
    // So the shared codecs depend on nothing of headersync but the annotations.
    classes()
        .that()
        .resideInAPackage("io.headersync.libp2p.internal.encoding")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.headersync.libp2p.internal.encoding",
            "io.headersync.annotation..",
            "java..",
            "io.netty.buffer..")
        .check(classes);
  }

  @Test
  void onlyTheStoreUsesRocksDb() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.headersync.store..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.rocksdb..")
        .check(classes);
  }

  @Test
  void onlyLibp2pUsesNetty() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.headersync.libp2p..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .check(classes);
  }

  @Test
  void optionalDependenciesStayInTheirCorners() {
    // picocli and the Prometheus exporter only in the command line; OpenTelemetry only in metrics;
    noClasses()
        .that()
        .resideOutsideOfPackage("io.headersync.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("picocli..", "io.prometheus..")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackage("io.headersync.metrics..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.opentelemetry..")
        .check(classes);
    // JUnit (the store contract suite users extend) only in the test kit.
    noClasses()
        .that()
        .resideOutsideOfPackage("io.headersync.testkit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.junit..", "org.opentest4j..")
        .check(classes);
  }

  @Test
  void everyPublicPackageHasPackageInfo() {
    Set<Path> missing = new TreeSet<>();
    try (Stream<Path> s = Files.walk(MAIN)) {
      for (Path file :
          s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
              .toList()) {
        Path dir = file.getParent();
        if (!dir.toString().contains("internal")
            && !Files.exists(dir.resolve("package-info.java"))) {
          missing.add(MAIN.relativize(dir));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(missing.isEmpty(), "packages without package-info.java: " + missing);
  }
}
