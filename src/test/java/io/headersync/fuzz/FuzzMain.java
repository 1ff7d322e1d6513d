package io.headersync.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one {@code @FuzzTest} through the JUnit launcher, as {@code mvn test -Dtest=Class#method}
 * would, without Maven's start-up per harness ({@code .ci/fuzz} runs 25 of them). With {@code
 * JAZZER_FUZZ=1} in the environment Jazzer fuzzes; without, it runs the seed corpus.
 *
 * <p>Usage: {@code java -cp <test classpath> io.headersync.fuzz.FuzzMain
 * IdentityFuzzTest#identify}. Exits 0 if the test passed, 1 if it failed (a finding), 2 if it was
 * not found.
 */
public final class FuzzMain {
  private FuzzMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || !args[0].contains("#")) {
      System.err.println("usage: FuzzMain <Class>#<method>");
      System.exit(2);
    }
    String[] parts = args[0].split("#", 2);
    String className =
        parts[0].contains(".") ? parts[0] : FuzzMain.class.getPackageName() + "." + parts[0];
    Class<?> cls = Class.forName(className);
    Method method =
        Arrays.stream(cls.getDeclaredMethods())
            .filter(m -> m.getName().equals(parts[1]))
            .findFirst()
            .orElse(null);
    if (method == null) {
      System.err.println("no method " + parts[1] + " in " + className);
      System.exit(2);
    }
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectMethod(cls, method)).build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(request, listener);
    TestExecutionSummary summary = listener.getSummary();
    summary.printFailuresTo(new PrintWriter(System.out, true), 40);
    summary.printTo(new PrintWriter(System.out, true));
    if (summary.getTestsFoundCount() == 0) {
      System.exit(2);
    }
    System.exit(summary.getTotalFailureCount() == 0 ? 0 : 1);
  }
}
