package dev.lowbit.harness.plan;

import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.ActivationRegistry;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginCodeException;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.scheme.LayerMap;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.train.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.Consumer;

/**
 * Loads a suite by built-in name ({@code quick}) or from a YAML file, and validates it before anything
 * runs: every problem in the file is reported at once, each with its line.
 *
 * <pre>
 * name: quick
 * dataset: fashion-mnist
 * architectures: [fcnn-small]
 * quantizers: [fp32, binary, ternary, quinary]   # ids, levels:V,V,... alphabets, optional @rule[/gran], ~estimator
 * activations: [none, int8@absmax/token]        # optional; absent: each quantizer's own (none for most)
 * layerPolicy: all                               # optional; a preset, or a layer map such as first=fp32;last=k17
 * recipes:
 *   base: {optimizer: adam, learningRate: 0.001, schedule: constant, batchSize: 128, epochs: 3}
 *   augmented: {extends: base, augmentation: standard}
 * seeds: [1]
 * trainLimit: 0                                  # optional, 0 = all
 * validationShare: 0.1                           # optional, in [0, 0.5]
 * parityTolerance: 0.01                          # optional, in (0, 1)
 * </pre>
 */
public final class SuiteLoader {

    /** The suites that ship inside lowbit, in {@code dev/lowbit/harness/suites/NAME.yaml}. */
    public static final List<String> BUILT_IN = List.of("quick", "baselines", "paper", "paper-lite");

    private final SuiteReader reader;
    private final Consumer<String> checkArchitecture;
    private final Consumer<String> checkQuantizer;
    private final Consumer<String> checkActivations;
    private final Consumer<String> checkLayerPolicy;

    /** A loader that checks architecture ids, weight specs and layer policies against the registries; no activations but none. */
    public SuiteLoader(ArchitectureRegistry architectures, QuantizerRegistry quantizers) {
        this(architectures, new Schemes(quantizers, new ActivationRegistry(List.of(), quantizers.estimators())));
    }

    /** A loader that checks architecture ids, weight specs, activation specs and layer policies against the registries. */
    public SuiteLoader(ArchitectureRegistry architectures, Schemes schemes) {
        this(
                architectures::get,
                spec -> checkQuantizer(schemes.quantizers(), spec),
                schemes::canonicalActivations,
                text -> LayerMap.parse(text, spec -> {
                    checkQuantizer(schemes.quantizers(), spec);
                    return schemes.canonicalWeights(spec);
                }));
    }

    /**
     * A loader with its own checks of architectures and quantizers; activation specs are not checked, and a
     * layer map's specs go through {@code checkQuantizer}.
     *
     * @param checkArchitecture throws a {@link BadInputException} saying what exists for an unknown architecture id
     * @param checkQuantizer throws a {@link BadInputException} for a quantizer spec that cannot be resolved
     */
    public SuiteLoader(Consumer<String> checkArchitecture, Consumer<String> checkQuantizer) {
        this(
                checkArchitecture,
                checkQuantizer,
                spec -> {},
                text -> LayerMap.parse(text, spec -> {
                    checkQuantizer.accept(spec);
                    return spec;
                }));
    }

    private SuiteLoader(
            Consumer<String> checkArchitecture,
            Consumer<String> checkQuantizer,
            Consumer<String> checkActivations,
            Consumer<String> checkLayerPolicy) {
        this.reader = new SuiteReader(checkArchitecture, checkQuantizer, checkActivations, checkLayerPolicy);
        this.checkArchitecture = checkArchitecture;
        this.checkQuantizer = checkQuantizer;
        this.checkActivations = checkActivations;
        this.checkLayerPolicy = checkLayerPolicy;
    }

    /**
     * A quantizer spec a suite may train: one the registry resolves, of at most {@link SuiteLimits#MAX_LEVELS}
     * levels. A quantizer whose plugin code fails is not the user's input: its runs fail when they start.
     */
    private static void checkQuantizer(QuantizerRegistry quantizers, String spec) {
        quantizers.canonicalSpec(spec);
        int levels;
        try {
            levels = quantizers.resolve(spec).levels();
        } catch (PluginCodeException e) {
            return;
        }
        if (levels > SuiteLimits.MAX_LEVELS) {
            String shown = spec.length() > 60 ? spec.substring(0, 60) + "..." : spec;
            throw new BadInputException("Quantizer '" + shown + "' has " + levels + " levels, more than the "
                    + SuiteLimits.MAX_LEVELS + " (8 bits) lowbit trains. Give an alphabet of at most "
                    + SuiteLimits.MAX_LEVELS + " values.");
        }
    }

    /**
     * The suite named {@code nameOrFile} with the command line's values in place of its own. They pass
     * the same checks as the file's values (ids and specs, ranges, no repeats), so the command line
     * cannot give what a suite file may not.
     *
     * @throws BadInputException as {@link #load(String)}, or one line for a bad override
     */
    public Suite load(String nameOrFile, SuiteOverrides overrides) {
        return overrides.apply(load(nameOrFile), checkArchitecture, checkQuantizer, checkActivations, checkLayerPolicy);
    }

    /**
     * The suite named {@code nameOrFile}: a built-in name, or a path to a YAML file. The suite carries
     * where it came from ({@code built-in:NAME} or the file's absolute path) and the SHA-256 of the
     * bytes it was read from, for provenance.
     *
     * @throws BadInputException for an unknown name or missing file (one line), or an invalid suite
     *     (a first line {@code Invalid suite 'FILE': N problems}, then {@code FILE:LINE: message} per problem)
     */
    public Suite load(String nameOrFile) {
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/dev/lowbit/harness/suites/" + nameOrFile + ".yaml";
            byte[] bytes;
            try (InputStream in = SuiteLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("Built-in suite " + resource + " is missing from the jar");
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read built-in suite " + resource, e);
            }
            return read("suites/" + nameOrFile + ".yaml", bytes)
                    .withSource("built-in:" + nameOrFile, Provenance.sha256(bytes));
        }
        Path file = Paths.get(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("No suite '" + nameOrFile + "'. Built-in suites: " + BUILT_IN
                    + "; otherwise give the path of a suite YAML file.");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // Read at most one byte past the limit: the file's own size is never trusted for an allocation.
            bytes = in.readNBytes(SuiteLimits.MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new BadInputException(
                    "Cannot read suite file '" + nameOrFile + "': " + e.getMessage()
                            + ". Check that it is a readable UTF-8 text file.",
                    e);
        }
        if (bytes.length > SuiteLimits.MAX_FILE_BYTES) {
            throw new BadInputException("Suite file '" + nameOrFile + "' is larger than " + SuiteLimits.MAX_FILE_BYTES
                    + " bytes (1 MiB), the most a suite file may be. Check that it is the suite you meant.");
        }
        return read(nameOrFile, bytes)
                .withSource(file.toAbsolutePath().normalize().toString(), Provenance.sha256(bytes));
    }

    /** Parses the suite in {@code bytes}, which must be UTF-8: the hash is of exactly what was parsed. */
    private Suite read(String file, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(
                    "Cannot read suite file '" + file + "': " + e.getMessage() + ". Check that it is a"
                            + " readable UTF-8 text file.",
                    e);
        }
        return reader.read(file, new StringReader(text));
    }
}
