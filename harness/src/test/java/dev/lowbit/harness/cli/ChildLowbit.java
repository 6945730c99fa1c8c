package dev.lowbit.harness.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lowbit} in a child JVM on the test class path: a real separate worker process. (DJL allows
 * one gradient tape per process, so concurrent workers cannot be threads.)
 */
public final class ChildLowbit {

    private ChildLowbit() {}

    /** Starts {@code lowbit args...}, its output and errors going to {@code log}. */
    public static Process start(Path log, String... args) throws Exception {
        return start(log, List.of(), args);
    }

    /** Starts {@code lowbit args...} with {@code extraClassPath} (e.g. plugin jars) after the test class path. */
    public static Process start(Path log, List<Path> extraClassPath, String... args) throws Exception {
        return start(log, List.of(), extraClassPath, args);
    }

    /** Starts {@code lowbit args...} in a JVM with {@code jvmOptions} (e.g. {@code -Xmx256m}). */
    public static Process startWith(Path log, List<String> jvmOptions, String... args) throws Exception {
        return start(log, jvmOptions, List.of(), args);
    }

    /**
     * Starts {@code lowbit args...} with {@code directory} as its working directory, for what depends
     * on it: relative paths as the user typed them, which the report prints.
     */
    public static Process startIn(Path directory, Path log, String... args) throws Exception {
        return start(log, List.of(), List.of(), args, directory);
    }

    private static Process start(Path log, List<String> jvmOptions, List<Path> extraClassPath, String... args)
            throws Exception {
        return start(log, jvmOptions, extraClassPath, args, null);
    }

    private static Process start(
            Path log, List<String> jvmOptions, List<Path> extraClassPath, String[] args, Path directory)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dai.djl.offline=true");
        command.add("-cp");
        StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path"));
        extraClassPath.forEach(entry -> classPath.append(File.pathSeparator).append(entry));
        command.add(classPath.toString());
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        return builder.start();
    }
}
