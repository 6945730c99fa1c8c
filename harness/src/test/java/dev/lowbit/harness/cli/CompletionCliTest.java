package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lowbit completion}: the script is generated, bash accepts it, and it completes as a user types. */
class CompletionCliTest {

    @TempDir
    Path dir;

    private record Shell(int exitCode, String out) {}

    private static boolean hasBash() {
        return Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash"));
    }

    private Shell bash(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "--norc", "--noprofile"));
        command.addAll(List.of(args));
        Path output = dir.resolve("bash.out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("bash ended").isTrue();
        return new Shell(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private Path script(String shell) throws IOException {
        CliTest.Result result = lowbit("completion", shell);
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        Path file = dir.resolve("lowbit." + shell);
        Files.writeString(file, result.out());
        return file;
    }

    /** The words bash's completion offers for the command line typed so far (the cursor at its end). */
    private List<String> complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        Shell shell = bash(
                "-c",
                "source \"$1\" && COMP_WORDS=(" + line + ") && COMP_CWORD=" + (words.length - 1)
                        + " && COMP_LINE=\"" + line + "\" && COMP_POINT=${#COMP_LINE} && _complete_lowbit lowbit"
                        + " 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"",
                "completion-test",
                script.toString());
        assertThat(shell.exitCode()).as(shell.out()).isZero();
        return shell.out()
                .lines()
                .map(String::strip)
                .filter(word -> !word.isEmpty())
                .toList();
    }

    @Test
    void bashCompletesCommandsAndTheirOptions() throws Exception {
        assumeTrue(hasBash(), "bash is not installed");
        Path script = script("bash");
        assertThat(Files.readString(script)).contains("complete -F _complete_lowbit");

        Shell syntax = bash("-n", script.toString());
        assertThat(syntax.exitCode()).as(syntax.out()).isZero();

        assertThat(complete(script, "lowbit", "ru")).containsExactly("run");
        assertThat(complete(script, "lowbit", ""))
                .contains("list", "run", "plan", "report", "export", "eval", "bench", "completion");
        assertThat(complete(script, "lowbit", "plan", "--for")).containsExactly("--format");
        assertThat(complete(script, "lowbit", "run", "--wor"))
                .as("hidden options stay hidden")
                .containsExactly("--workers");
    }

    @Test
    void zshGetsTheBashScriptWhichLoadsBashcompinit() throws Exception {
        String bash = Files.readString(script("bash"));
        String zsh = Files.readString(script("zsh"));
        assertThat(zsh).startsWith("# lowbit completion for zsh").endsWith(bash).contains("bashcompinit");
        assertThat(bash).contains("autoload -U +X bashcompinit && bashcompinit");
        if (hasBash()) {
            Shell syntax = bash("-n", dir.resolve("lowbit.zsh").toString());
            assertThat(syntax.exitCode()).as(syntax.out()).isZero();
        }
    }

    @Test
    void anotherShellIsOneLineAndExitTwo() {
        CliTest.Result result = lowbit("completion", "fish");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Unknown SHELL 'fish'. Available: [bash, zsh]." + System.lineSeparator());
        assertThat(result.out()).isEmpty();
    }
}
