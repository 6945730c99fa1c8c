package dev.lowbit.harness.cli;

import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Checks the paths a command will write, before it does any work: a path that cannot be written
 * (a file where a folder must be, a folder where a file must be, a read-only or special file system,
 * a name too long) is one line and exit 2 up front, not a stack trace after minutes of training.
 * Each check tries what the command will do (create the folders, create a file) and undoes it (except
 * a folder that passed and the command writes into next), so a refusal leaves nothing behind and believes the file system rather than permission bits (root may write
 * where the bits say no; {@code /proc} refuses what the bits allow).
 */
final class OutputPaths {

    private OutputPaths() {}

    /**
     * A folder the command writes into, created when missing (e.g. {@code run --out DIR}'s suite folder).
     *
     * @param option the option that names it, for the message: {@code --out}
     * @param given the value the option was given, as the user wrote it
     * @param folder the folder that will be written: {@code given} or a folder under it
     * @throws BadInputException saying what, the path, why and how to fix it
     */
    static void requireWritableFolder(String option, Path given, Path folder) {
        String what = "Cannot write to " + option + " '" + given + "'";
        Path existing = nearestExisting(folder);
        if (!Files.isDirectory(existing)) {
            throw new BadInputException(what + ": '" + existing + "' is a file, not a folder. Give " + option
                    + " a folder (it is created when missing).");
        }
        Deque<Path> created = new ArrayDeque<>();
        try {
            createMissing(folder, created);
            Files.delete(Files.createTempFile(folder, ".lowbit-write-check-", ".tmp"));
        } catch (IOException e) {
            removeCreated(created);
            throw new BadInputException(
                    what + ": " + reason(e) + ". Give " + option + " a folder you can write to.", e);
        }
        // A folder that passed is kept: the command writes into it next, and another worker started on
        // the same results folder may already be using it (removing it would pull it from under them).
    }

    /**
     * A file the command writes, replacing it if it exists (e.g. {@code export -o FILE}); missing folders
     * on its way are created when it is written.
     *
     * @param option the option that names it, for the message: {@code -o}
     * @param file the file
     * @param example a file name to suggest when {@code file} is a folder: {@code model.lbw}
     * @throws BadInputException saying what, the path, why and how to fix it
     */
    static void requireWritableFile(String option, Path file, String example) {
        String what = "Cannot write " + option + " '" + file + "'";
        if (Files.isDirectory(file)) {
            throw new BadInputException(what + ": it is a folder. Give " + option + " the file to write, e.g. '"
                    + file.resolve(example) + "'.");
        }
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file) || !Files.isWritable(file)) {
                throw new BadInputException(
                        what + ": it exists and is " + (Files.isRegularFile(file) ? "read-only" : "not a regular file")
                                + ". Give " + option + " another file, or remove that one.");
            }
            // The file is replaced through a temporary file beside it: its folder must take new files.
            requireWritableFolder(option, file, file.toAbsolutePath().getParent());
            return;
        }
        Path existing = nearestExisting(file);
        if (!Files.isDirectory(existing)) {
            throw new BadInputException(
                    what + ": '" + existing + "' is a file, not a folder. Give " + option + " a file in a folder.");
        }
        Deque<Path> created = new ArrayDeque<>();
        try {
            createMissing(file.toAbsolutePath().getParent(), created);
            // The file's own name is tried too: one too long for the file system fails here, not after the work.
            Files.delete(Files.createFile(file));
        } catch (IOException e) {
            throw new BadInputException(what + ": " + reason(e) + ". Give " + option + " a file you can write.", e);
        } finally {
            removeCreated(created);
        }
    }

    /** The path itself if it exists, else its closest ancestor that does (the root at worst). */
    private static Path nearestExisting(Path path) {
        Path current = path.toAbsolutePath();
        while (!Files.exists(current) && current.getParent() != null) {
            current = current.getParent();
        }
        return current;
    }

    /**
     * Creates {@code folder} and its missing ancestors, outermost first, recording each in {@code created}
     * (before it is made, so a failure part-way still lets {@link #removeCreated} undo what was made);
     * one another process made meanwhile is taken as made.
     */
    private static void createMissing(Path folder, Deque<Path> created) throws IOException {
        for (Path missing = folder.toAbsolutePath(); !Files.exists(missing); missing = missing.getParent()) {
            created.push(missing);
        }
        for (Path directory : created) {
            try {
                Files.createDirectory(directory);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(directory)) {
                    throw e;
                }
            }
        }
    }

    /** Removes folders a check created, deepest first; they were empty when made and nothing else wrote there. */
    private static void removeCreated(Deque<Path> created) {
        while (!created.isEmpty()) {
            try {
                Files.deleteIfExists(created.removeLast());
            } catch (IOException ignored) {
                // Best effort: the check's own verdict is what the user needs to see.
            }
        }
    }

    /** Why the file system refused, in the operating system's words ("Read-only file system"). */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied for '" + denied.getFile() + "'";
        }
        if (e instanceof NoSuchFileException refused) {
            // Its folder exists (checked above): the file system itself takes no new entries there (/proc, /sys).
            return "the file system does not let '" + refused.getFile() + "' be created";
        }
        if (e instanceof FileSystemException failed && failed.getReason() != null) {
            return failed.getReason() + " ('" + failed.getFile() + "')";
        }
        return e.getMessage();
    }
}
