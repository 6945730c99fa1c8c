package dev.lowbit.harness.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.StoreJson;
import dev.lowbit.format.result.StoreLayout;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Measured seconds per training epoch of an architecture on a dataset's full training set: first the
 * mean of the epochs already stored under a results folder, else the table measured on the 2-core
 * development machine ({@code epoch-times.yaml} beside this class). Each number says where it came from.
 */
public final class EpochTimes {

    /** A dataset's training set is this large when the table does not say. */
    static final int DEFAULT_TRAIN_IMAGES = 60_000;

    /**
     * Seconds per epoch on the full training set, and its source in words.
     *
     * @param seconds mean seconds per epoch
     * @param source where the number comes from, e.g. {@code mean of 9 stored epochs under results}
     * @param builtIn whether it comes from the built-in table (whose details {@link #tableDetails()} gives)
     */
    public record Measure(double seconds, String source, boolean builtIn) {}

    /** The built-in table as stored in {@code epoch-times.yaml}. */
    record Table(String measured, String machine, String details, Map<String, DatasetTimes> datasets) {}

    /** One dataset's row of the table. */
    record DatasetTimes(int trainImages, Map<String, Map<String, Double>> secondsPerEpoch) {}

    private record Key(String dataset, String architecture, boolean fp32) {}

    /** Sum and count of stored epoch seconds, normalised to the full training set. */
    private static final class Mean {
        double sum;
        int count;
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = StoreJson.mapper();

    private final Table table;
    private final Map<Key, Mean> stored = new HashMap<>();
    private final String storedWhere;

    private EpochTimes(Table table, Path results) {
        this.table = table;
        this.storedWhere = results == null ? "" : results.toString();
    }

    /** The built-in table alone. */
    public static EpochTimes builtIn() {
        return new EpochTimes(readTable(), null);
    }

    /** The built-in table, overridden per architecture by the epochs stored under {@code results} (if it exists). */
    public static EpochTimes measured(Path results) {
        EpochTimes times = new EpochTimes(readTable(), results);
        if (Files.isDirectory(results)) {
            try (Stream<Path> runs = Files.find(results, 2, (path, attributes) -> attributes.isDirectory())) {
                runs.forEach(times::readStoredRun);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + results, e);
            }
        }
        return times;
    }

    private static Table readTable() {
        try (InputStream in = EpochTimes.class.getResourceAsStream("epoch-times.yaml")) {
            return YAML.readValue(in, Table.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Built-in epoch-times.yaml is unreadable", e);
        }
    }

    /** Adds a finished or unfinished run's epochs; folders without run.json and epochs.jsonl are not runs. */
    private void readStoredRun(Path run) {
        Path record = run.resolve(StoreLayout.RUN_FILE);
        Path epochs = run.resolve(StoreLayout.EPOCHS_FILE);
        if (!Files.isRegularFile(record) || !Files.isRegularFile(epochs)) {
            return;
        }
        try {
            JsonNode config = JSON.readTree(record.toFile()).path("config");
            String dataset = config.path("dataset").asText();
            int limit = config.path("trainLimit").asInt(0);
            int full = trainImages(dataset);
            double toFull = limit <= 0 || limit >= full ? 1 : (double) full / limit;
            Mean mean = stored.computeIfAbsent(
                    new Key(
                            dataset,
                            config.path("architecture").asText(),
                            "fp32".equals(config.path("quantizer").asText())),
                    k -> new Mean());
            try (BufferedReader lines = Files.newBufferedReader(epochs, StandardCharsets.UTF_8)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    JsonNode seconds =
                            line.isBlank() ? null : JSON.readTree(line).get("seconds");
                    if (seconds != null && seconds.isNumber() && seconds.asDouble() > 0) {
                        mean.sum += seconds.asDouble() * toFull;
                        mean.count++;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // A half-written or foreign file only means one measurement fewer; the table still answers.
        }
    }

    /** The size of the dataset's full training set. */
    public int trainImages(String dataset) {
        DatasetTimes times = table.datasets().get(dataset);
        return times == null || times.trainImages() < 1 ? DEFAULT_TRAIN_IMAGES : times.trainImages();
    }

    /**
     * Seconds per epoch on the full training set: stored epochs of the same kind (fp32 or quantized),
     * then stored epochs of the other kind, then the built-in table; empty when none knows the architecture.
     */
    public Optional<Measure> perEpoch(String dataset, String architecture, boolean fp32) {
        for (boolean kind : List.of(fp32, !fp32)) {
            Mean mean = stored.get(new Key(dataset, architecture, kind));
            if (mean != null && mean.count > 0) {
                String of = kind == fp32 ? "" : (kind ? " of its fp32 runs" : " of its quantized runs");
                return Optional.of(new Measure(
                        mean.sum / mean.count,
                        "mean of " + mean.count + " stored epochs" + of + " under " + storedWhere,
                        false));
            }
        }
        return Optional.ofNullable(table.datasets().get(dataset))
                .map(d -> d.secondsPerEpoch().get(architecture))
                .map(row -> row.get(fp32 ? "fp32" : "quantized"))
                .map(seconds -> new Measure(
                        seconds, "built-in table, measured " + table.measured() + " on the " + table.machine(), true));
    }

    /** How the built-in table was measured: machine, engine, recipe. */
    public String tableDetails() {
        return table.details();
    }

    /** The estimate for one run: its epochs x seconds per epoch, scaled by the share of the training set it uses. */
    public Optional<Double> runSeconds(RunConfig run) {
        int full = trainImages(run.dataset());
        double share = run.trainLimit() <= 0 ? 1 : Math.min(1, (double) run.trainLimit() / full);
        return perEpoch(run.dataset(), run.architecture(), isFp32(run))
                .map(m -> run.recipe().epochs() * m.seconds() * share);
    }

    /** Whether the run is an fp32 twin; quantized runs are measured apart. */
    static boolean isFp32(RunConfig run) {
        return "fp32".equals(run.quantizer()) || run.quantizer().startsWith("fp32@");
    }
}
