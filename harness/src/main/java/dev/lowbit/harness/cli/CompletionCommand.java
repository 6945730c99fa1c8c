package dev.lowbit.harness.cli;

import dev.lowbit.harness.BadInputException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lowbit completion bash|zsh}: a script that completes lowbit's commands and options in the shell. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a completion script for lowbit's commands and options.",
            "bash: source <(lowbit completion bash), or save it to ~/.local/share/bash-completion/completions/lowbit.",
            "zsh: source <(lowbit completion zsh) in ~/.zshrc; it loads bashcompinit (zsh's bash"
                    + " completion support) and runs the bash script."
        })
public final class CompletionCommand implements Callable<Integer> {

    private static final List<String> SHELLS = List.of("bash", "zsh");

    /**
     * zsh runs a bash completion script through its bashcompinit; picocli's script loads it (and compinit)
     * itself when it finds itself in zsh, so zsh gets the same script, saying so.
     */
    private static final String ZSH_PREAMBLE = """
            # lowbit completion for zsh: the bash completion script below, which loads zsh's bashcompinit
            # (autoload -U +X compinit && compinit; autoload -U +X bashcompinit && bashcompinit) to run it.
            """;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    String shell;

    @Override
    public Integer call() {
        BadInputException.requireOneOf("SHELL", shell, SHELLS);
        // The whole command tree as picocli parsed it, plugins' options included; hidden options stay hidden.
        String script = AutoComplete.bash("lowbit", spec.root().commandLine());
        PrintWriter out = spec.commandLine().getOut();
        out.print(shell.equals("zsh") ? ZSH_PREAMBLE + script : script);
        out.flush();
        return 0;
    }
}
