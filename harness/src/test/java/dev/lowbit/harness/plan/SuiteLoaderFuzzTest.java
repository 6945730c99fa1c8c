package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.store.RunIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

/**
 * A suite file from someone else, as bytes: {@code plan} and {@code run} either get a plan that fits
 * every bound, or refuse it with the exception the CLI prints as lines and exit 2. Any other exception
 * (a SnakeYAML error that escaped, an overflow, an out-of-memory from an alias bomb or a giant list) fails.
 * The seed corpus holds the built-in suites and crafted attacks, in
 * {@code src/test/resources/dev/lowbit/harness/plan/SuiteLoaderFuzzTestInputs/plansOrRefuses/}.
 */
class SuiteLoaderFuzzTest {

    private static final SuiteLoader LOADER =
            new SuiteLoader(SuiteLoaderTest.ARCHITECTURE_REGISTRY, SuiteLoaderTest.QUANTIZER_REGISTRY);

    /** A run id names a folder: a file name holds at most 255 bytes. */
    private static final int MAX_FILE_NAME_BYTES = 255;

    @FuzzTest(maxDuration = "3m")
    void plansOrRefuses(byte[] yaml) throws Exception {
        Path file = Files.createTempFile("fuzz-suite", ".yaml");
        try {
            Files.write(file, yaml);
            List<RunConfig> plan;
            Suite suite;
            try {
                suite = LOADER.load(file.toString());
                plan = Plan.of(suite, SuiteLoaderTest.QUANTIZER_REGISTRY::canonicalSpec);
            } catch (BadInputException refused) {
                assertThat(refused.getMessage()).isNotBlank();
                return;
            }
            assertThat(plan)
                    .hasSizeLessThanOrEqualTo(SuiteLimits.MAX_RUNS)
                    .hasSize(suite.architectures().size()
                            * suite.quantizers().size()
                            * suite.recipes().size()
                            * suite.seeds().size());
            assertThat(suite.name().length()).isLessThanOrEqualTo(SuiteLimits.MAX_NAME_LENGTH);
            // The longest ids are those of the largest seed: every architecture x quantizer appears with it.
            long largestSeed = Collections.max(suite.seeds());
            plan.stream().filter(run -> run.seed() == largestSeed).forEach(run -> {
                assertThat(RunIds.of(run).getBytes(StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(MAX_FILE_NAME_BYTES);
                assertThat(run.recipe().batchSize()).isLessThanOrEqualTo(SuiteLimits.trainingImages(suite));
                assertThat(run.recipe().epochs()).isBetween(1, SuiteLimits.MAX_EPOCHS);
            });
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
