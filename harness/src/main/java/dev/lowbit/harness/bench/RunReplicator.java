package dev.lowbit.harness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.StoreJson;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.reports.StoredResults;
import dev.lowbit.reports.StoredRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Multiplies a set of stored runs into as many as a benchmark needs. Copy {@code i} of the whole set
 * shifts every seed by {@code i * }{@link #SEED_STEP}, so its runs are new configs to the report, yet
 * each quantized run still finds its fp32 twin inside the same copy; its run ids and folders end in
 * {@code -c<i>}. The copies are what the report reads (run.json, config.json, epochs.jsonl, predictions), without
 * the packed model, the checkpoint or the lock, which the report never opens.
 */
public final class RunReplicator {

    /** Far above the seeds suites use (1, 2, 3), so no copy collides with another copy's or the original's. */
    public static final long SEED_STEP = 1000;

    /** Files of a run folder the report never reads; folders (checkpoint/) are never copied either. */
    private static final Set<String> NOT_COPIED = Set.of(StoreLayout.MODEL_FILE, StoreLayout.LOCK_FILE);

    /**
     * Read and written as the result store and the report do (a diverged run may hold a bare NaN), so the
     * copies cost the report what the originals cost it.
     */
    private static final ObjectMapper JSON = StoreJson.mapper();

    private final Path resultsDir;
    private final List<Path> runFolders;

    private RunReplicator(Path resultsDir, List<Path> runFolders) {
        this.resultsDir = resultsDir;
        this.runFolders = List.copyOf(runFolders);
    }

    /**
     * The runs the report reads under {@code resultsDir} (any depth), in the report's order: per
     * architecture fp32 comes first, so even a partial last copy keeps most runs' twins.
     *
     * @param stored what {@link StoredResults#read} found under {@code resultsDir}; runs it skipped
     *     as unreadable are not copied, so every copy is a run the report renders
     */
    public static RunReplicator of(Path resultsDir, StoredResults stored) {
        Map<String, Deque<Path>> foldersById = foldersByRunId(resultsDir);
        List<Path> ordered = stored.runs().stream()
                .map(StoredRun::run)
                .map(run -> foldersById
                        .getOrDefault(run.runId(), new ArrayDeque<>())
                        .poll())
                .filter(Objects::nonNull)
                .toList();
        return new RunReplicator(resultsDir, ordered);
    }

    /** How many runs one copy of the set holds. */
    public int sourceRuns() {
        return runFolders.size();
    }

    /** How many copies (the last possibly partial) make {@code runs} runs. */
    public int copiesFor(int runs) {
        requireRuns();
        return (runs + runFolders.size() - 1) / runFolders.size();
    }

    /**
     * Writes {@code runs} runs under {@code target}: whole copies of the set, then as many runs of one
     * more copy as are missing. Each copy keeps the folder layout below the results directory.
     */
    public void replicate(Path target, int runs) {
        requireRuns();
        for (int written = 0; written < runs; written++) {
            int copy = written / runFolders.size();
            copyRun(runFolders.get(written % runFolders.size()), target, copy);
        }
    }

    private void requireRuns() {
        if (runFolders.isEmpty()) {
            throw new IllegalStateException("No stored runs to copy under '" + resultsDir + "'");
        }
    }

    private void copyRun(Path source, Path target, int copy) {
        String suffix = "-c" + copy;
        Path relative = resultsDir.relativize(source);
        // A results directory that is itself a run folder has an empty relative path: keep its name.
        String name =
                (relative.toString().isEmpty() ? source.toAbsolutePath().normalize() : relative).getFileName() + suffix;
        Path parent = relative.getParent() == null ? target : target.resolve(relative.getParent());
        Path folder = parent.resolve(name);
        try {
            Files.createDirectories(folder);
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String fileName = file.getFileName().toString();
                    if (fileName.equals(StoreLayout.RUN_FILE)) {
                        JSON.writeValue(folder.resolve(fileName).toFile(), renamed(file, suffix, copy));
                    } else if (fileName.equals(StoreLayout.CONFIG_FILE)) {
                        JSON.writeValue(
                                folder.resolve(fileName).toFile(),
                                reseeded((ObjectNode) JSON.readTree(file.toFile()), copy));
                    } else if (!NOT_COPIED.contains(fileName)) {
                        Files.copy(file, folder.resolve(fileName));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot copy run '" + source + "' to '" + folder + "': " + e.getMessage(), e);
        }
    }

    /** The run.json as a tree, so fields this version does not know survive the copy unchanged. */
    private static ObjectNode renamed(Path runFile, String suffix, int copy) throws IOException {
        ObjectNode run = (ObjectNode) JSON.readTree(runFile.toFile());
        run.put("runId", run.path("runId").asText() + suffix);
        reseeded((ObjectNode) run.get("config"), copy);
        return run;
    }

    /** A run config (config.json, or run.json's config) with the copy's seed, so both files still agree. */
    private static ObjectNode reseeded(ObjectNode config, int copy) {
        config.put("seed", config.path("seed").asLong() + copy * SEED_STEP);
        return config;
    }

    /** Every folder holding a run.json under {@code root}, grouped by the run id it stores, in path order. */
    private static Map<String, Deque<Path>> foldersByRunId(Path root) {
        List<Path> folders = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (file.getFileName().toString().equals(StoreLayout.RUN_FILE)) {
                        folders.add(file.getParent());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // the report skipped it too, and said so
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list runs under '" + root + "': " + e.getMessage(), e);
        }
        folders.sort(null);
        Map<String, Deque<Path>> byId = new HashMap<>();
        for (Path folder : folders) {
            runId(folder.resolve(StoreLayout.RUN_FILE))
                    .ifPresent(id ->
                            byId.computeIfAbsent(id, key -> new ArrayDeque<>()).add(folder));
        }
        return byId;
    }

    private static Optional<String> runId(Path runFile) {
        try {
            JsonNode id = JSON.readTree(runFile.toFile()).path("runId");
            return id.isTextual() ? Optional.of(id.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // unreadable: the report skipped it and said so
        }
    }
}
