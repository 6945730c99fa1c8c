package dev.lowbit.harness.cli;

import dev.lowbit.harness.plan.GridRunner;
import java.nio.file.Path;

/**
 * What {@code lowbit run --format json} prints when the grid is done: the schema {@value #SCHEMA},
 * documented field by field in docs/JSON.md. The same as the summary lines; the
 * process's exit code says the rest, as without JSON.
 *
 * @param directory the suite's results folder
 * @param report the report's absolute path, or null when it could not be written (the error stream says why)
 */
record RunDocument(
        String schema, String directory, int trained, int skipped, int busy, int diverged, int failed, String report) {

    static final String SCHEMA = "lowbit.run/1";

    static RunDocument of(Path directory, GridRunner.Summary summary, Path report) {
        return new RunDocument(
                SCHEMA,
                directory.toString(),
                summary.trained(),
                summary.skipped(),
                summary.busy(),
                summary.diverged(),
                summary.failed(),
                report == null ? null : report.toAbsolutePath().toString());
    }
}
