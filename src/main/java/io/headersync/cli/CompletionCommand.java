package io.headersync.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code headersync completion}: a bash/zsh completion script for every command and option. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = Main.Version.class,
    description = {
      "Print a bash/zsh completion script for headersync's commands and options.",
      "Load it into the current shell with:  source <(./headersync completion)",
      "or install it:  ./headersync completion > /etc/bash_completion.d/headersync"
    })
final class CompletionCommand implements Callable<Integer> {
  private final Main main;

  @Spec CommandSpec spec;

  CompletionCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() {
    main.out().print(AutoComplete.bash("headersync", spec.root().commandLine()));
    main.out().flush();
    return Main.OK;
  }
}
