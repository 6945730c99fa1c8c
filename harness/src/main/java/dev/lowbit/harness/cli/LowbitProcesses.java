package dev.lowbit.harness.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts more lowbit processes like this one, for work that must run in separate processes: DJL allows one
 * gradient tape per process and PyTorch's thread pool is per process, so concurrent trainings cannot be
 * threads. The child gets the same {@code java}, JVM options (so {@code LOWBIT_JAVA_OPTS} and
 * {@code -Dai.djl.offline=true} carry over) and class path, and the environment of this process: its C
 * environment, with what lowbit set there ({@code OMP_WAIT_POLICY}, see {@code EngineSettings.waitPolicy()}),
 * unless the ProcessBuilder's {@code environment()} is changed, which passes Java's copy from the JVM's start
 * instead (a child lowbit then sets its own).
 */
final class LowbitProcesses {

    /** How the JVM lists {@code --add-modules jdk.incubator.vector} among its input arguments. */
    static final String VECTOR_API = "--add-modules=jdk.incubator.vector";

    private LowbitProcesses() {}

    /** The command line of {@code lowbit arguments...} in a new JVM. */
    static List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger's agent listens on one port: a second JVM with the same option would fail to start.
            if (option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp")) {
                continue;
            }
            // The packed engine's Vector API (./lowbit adds it for eval and bench): the children train, and would
            // each print the JVM's incubator warning among their output.
            if (option.equals(VECTOR_API)) {
                continue;
            }
            command.add(option);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(arguments);
        return command;
    }
}
