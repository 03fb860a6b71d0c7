package dev.aios.server.internal.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aios completion bash|zsh}: the shell completion script, generated from the commands themselves. */
@Command(
        name = "completion",
        description = {
            "Prints the shell completion script for aios.",
            "bash: source <(aios completion bash)   (or save it in /etc/bash_completion.d/aios)",
            "zsh:  source <(aios completion zsh)    (in ~/.zshrc)"
        })
final class CompletionCommand implements Callable<Integer> {
    /** The shells the script is for. */
    enum Shell {
        bash,
        zsh
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        // picocli's script serves both: under zsh it loads zsh's bash-completion emulation itself.
        out.print(AutoComplete.bash("aios", spec.root().commandLine()));
        out.flush();
        return 0;
    }
}
