package dev.lowbit.harness.cli;

import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.inject.GuiceFactory;
import dev.lowbit.harness.inject.LowbitModule;
import dev.lowbit.harness.plugin.PluginCodeException;
import dev.lowbit.harness.plugin.PluginHost;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;

/** The {@code lowbit} command line. Exit codes: 0 ok, 1 a run failed (the others went on), 2 bad input. */
public final class Main {

    /** Exit code for input the user can fix. */
    public static final int BAD_INPUT = 2;
    /** A run (or a plugin's code) failed; the rest went on. */
    public static final int FAILED = 1;

    private Main() {}

    public static void main(String[] args) {
        // The platform's default charset, which new PrintWriter(System.out) takes implicitly: named, so it is a choice.
        Charset charset = Charset.defaultCharset();
        System.exit(execute(
                new PrintWriter(new OutputStreamWriter(System.out, charset), true),
                new PrintWriter(new OutputStreamWriter(System.err, charset), true),
                args));
    }

    /** Runs the CLI in this process, writing to the given streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        // DJL must never reach for the network: the engine's native library ships as a jar.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.setProperty("java.awt.headless", "true");
        try (PluginHost plugins = new PluginHost(Main.class.getClassLoader())) {
            return execute(plugins, out, err, args);
        }
    }

    private static int execute(PluginHost plugins, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(LowbitCommand.class, new GuiceFactory(new LowbitModule(plugins)));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (exception instanceof BadInputException) {
                cmd.getErr().println("lowbit: " + exception.getMessage());
                cmd.getErr().flush();
                return BAD_INPUT;
            }
            if (exception instanceof PluginCodeException || exception instanceof QuantizerException) {
                // A plugin's code failed (e.g. in export or eval): its message names the plugin and the cause.
                cmd.getErr().println("lowbit: " + exception.getMessage());
                cmd.getErr().flush();
                return FAILED;
            }
            throw exception;
        });
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine cmd = exception.getCommandLine();
            cmd.getErr()
                    .println("lowbit: " + exception.getMessage() + ". Run '"
                            + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
            cmd.getErr().flush();
            return BAD_INPUT;
        });
        return commandLine.execute(args);
    }
}
