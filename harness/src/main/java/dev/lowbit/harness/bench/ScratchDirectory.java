package dev.lowbit.harness.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary folder that is deleted with everything in it when closed, and also when the JVM is
 * stopped (Ctrl-C) before that: a benchmark over hundreds of copied runs must not leave them behind.
 */
final class ScratchDirectory implements AutoCloseable {

    private final Path path;
    private final Thread onShutdown;

    private ScratchDirectory(Path path) {
        this.path = path;
        this.onShutdown = new Thread(this::deleteQuietly, "delete " + path);
    }

    /** A new empty folder under the system's temporary folder, its name starting with {@code prefix}. */
    static ScratchDirectory create(String prefix) {
        try {
            ScratchDirectory scratch = new ScratchDirectory(Files.createTempDirectory(prefix));
            Runtime.getRuntime().addShutdownHook(scratch.onShutdown);
            return scratch;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder: " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    /** Deletes the folder; a failure is raised (suppressed by a failure already on its way out). */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onShutdown);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook is deleting the folder.
            return;
        }
        delete();
    }

    private void deleteQuietly() {
        try {
            delete();
        } catch (UncheckedIOException e) {
            System.err.println("warning: " + e.getMessage());
        }
    }

    private void delete() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the temporary folder '" + path + "': " + e.getMessage(), e);
        }
    }
}
