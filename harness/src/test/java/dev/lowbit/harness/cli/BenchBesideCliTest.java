package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lowbit bench training --beside N}: the copies really run as separate processes, each reports its timings
 * against the alone copy's, and none outlives the command (never how fast: that is the benchmark's job).
 */
@Tag("training")
class BenchBesideCliTest {

    /** The first 3,000 training and 500 test images of the real Fashion-MNIST: an epoch takes a moment. */
    @TempDir
    static Path data;

    private static String[] small;

    @BeforeAll
    static void writeTheFirstImagesOfFashionMnist() throws Exception {
        copyFirst("train-images-idx3-ubyte", 16, 784, 3000);
        copyFirst("train-labels-idx1-ubyte", 8, 1, 3000);
        copyFirst("t10k-images-idx3-ubyte", 16, 784, 500);
        copyFirst("t10k-labels-idx1-ubyte", 8, 1, 500);
        small = new String[] {
            "bench",
            "training",
            "--arch",
            "fcnn-small",
            "--quantizer",
            "ternary",
            "--steps",
            "3",
            "--repeats",
            "2",
            "--warm-up",
            "2",
            "--threads",
            "1",
            "--beside",
            "1",
            "--data",
            data.toString()
        };
    }

    @Test
    void timesOneCopyAloneThenTwoAtOnceAndComparesEachWithTheAloneOne() throws Exception {
        Set<Long> before = descendants();

        CliTest.Result result = lowbit(with(small, "--epochs", "0", "--format", "json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(descendants()).as("no copy outlives the command").isSubsetOf(before);
        JsonNode bench = new ObjectMapper().readTree(result.out());
        assertThat(bench.get("beside").asInt()).isEqualTo(1);
        assertThat(bench.get("copiesAtOnce").asInt()).isEqualTo(2);
        assertThat(bench.get("alone").get("threads").asInt()).isEqualTo(1);
        assertThat(bench.get("copies")).extracting(c -> c.get("copy").asText()).containsExactly("copy 1/2", "copy 2/2");
        assertThat(bench.get("copies"))
                .allSatisfy(c -> assertThat(c.get("threads").asInt()).isEqualTo(1));
        JsonNode fcnn = bench.get("architectures").get(0);
        assertThat(fcnn.get("architecture").asText()).isEqualTo("fcnn-small");
        JsonNode models = fcnn.get("models");
        assertThat(models).extracting(m -> m.get("quantizer").asText()).containsExactly("fp32", "ternary@mse/tensor");
        for (JsonNode model : models) {
            assertThat(model.get("alone").get("stepSeconds")).hasSize(2);
            assertThat(model.get("alone").get("medianStepSeconds").asDouble()).isPositive();
            JsonNode copies = model.get("copies");
            assertThat(copies).hasSize(2);
            double worst = 0;
            for (JsonNode copy : copies) {
                assertThat(copy.get("stepSeconds")).hasSize(2);
                assertThat(copy.get("medianStepSeconds").asDouble()).isPositive();
                assertThat(copy.get("stepOverAlone").asDouble())
                        .isPositive()
                        .isEqualTo(copy.get("medianStepSeconds").asDouble()
                                / model.get("alone").get("medianStepSeconds").asDouble());
                worst = Math.max(worst, copy.get("stepOverAlone").asDouble());
            }
            assertThat(model.get("worstStepOverAlone").asDouble()).isEqualTo(worst);
            assertThat(model.has("worstEpochOverAlone")).as("no epochs timed").isFalse();
        }
        // Progress is relayed with the copy's name; the protocol lines are not.
        assertThat(result.err())
                .contains(
                        "[alone] fcnn-small: step repeat 2/2",
                        "[copy 1/2] fcnn-small: step repeat 2/2",
                        "[copy 2/2] fcnn-small: step repeat 2/2")
                .doesNotContain(BenchCopy.PREFIX);
    }

    @Test
    void theTableNamesEveryCopyWithItsStepAndEpochOverTheAloneOnes() {
        Set<Long> before = descendants();

        CliTest.Result result = lowbit(with(small, "--epochs", "1"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(descendants()).isSubsetOf(before);
        assertThat(result.out())
                .contains("1 copy alone, then 2 at once (--beside 1)", "1 thread (--threads 1) per copy")
                .containsPattern("arch +quantizer +alone +copy 1/2 +copy 2/2 +worst")
                .containsPattern(
                        "fcnn-small +fp32 +[0-9.]+ +[0-9.]+ \\( *[0-9.]+x\\) +[0-9.]+ \\( *[0-9.]+x\\) +[0-9.]+x")
                .containsPattern("fcnn-small +ternary@mse/tensor +[0-9.]+ +[0-9.]+ \\( *[0-9.]+x\\)")
                .contains("Step ms", "Epoch s: each copy's median of 1 epochs");
        assertThat(result.out().lines().filter(line -> line.startsWith("fcnn-small ")))
                .hasSize(4);
    }

    @Test
    void aCopyThatDiesStopsTheOthersAndTheCommandSaysWhichInOneLine() throws Exception {
        Set<Long> before = descendants();
        CompletableFuture<CliTest.Result> command =
                CompletableFuture.supplyAsync(() -> lowbit(with(small, "--epochs", "0")));

        // Two copies alive at once: the phase that times them together has started; kill one of them.
        ProcessHandle victim = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (victim == null && System.nanoTime() < deadline && !command.isDone()) {
            List<ProcessHandle> copies = ProcessHandle.current()
                    .children()
                    .filter(p -> !before.contains(p.pid()) && p.isAlive())
                    .toList();
            if (copies.size() == 2) {
                victim = copies.get(1);
            } else {
                Thread.sleep(20);
            }
        }
        assertThat(victim).as("two copies ran at once").isNotNull();
        victim.destroyForcibly();
        CliTest.Result result = command.get(120, TimeUnit.SECONDS);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        List<String> lowbitLines =
                result.err().lines().filter(line -> line.startsWith("lowbit: ")).toList();
        assertThat(lowbitLines).hasSize(1);
        assertThat(lowbitLines.get(0))
                .startsWith("lowbit: A copy of the benchmark failed before its")
                .containsPattern("\\[copy [12]/2\\] exited with code \\d+")
                .endsWith("The other copies were stopped.");
        assertThat(descendants()).as("the other copy was stopped too").isSubsetOf(before);
    }

    @Test
    void badBesideCountsAreOneLineAndExitTwo() {
        for (String count : List.of("-1", "17")) {
            CliTest.Result result = lowbit("bench", "training", "--beside", count);

            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err())
                    .isEqualTo("lowbit: --beside must be from 0 to 16 (copies beside the measured one,"
                            + " all on this machine), got " + count + ".\n");
        }
    }

    @Test
    void aBadOptionStopsTheCommandBeforeAnyCopyStarts() {
        Set<Long> before = descendants();

        CliTest.Result result = lowbit("bench", "training", "--arch", "resnet", "--beside", "1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("lowbit: No architecture with id 'resnet'.")
                .doesNotContain("[alone]");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(descendants()).isSubsetOf(before);
    }

    /** The IDX file {@code name}'s header and its first {@code count} records, the count in the header made so. */
    private static void copyFirst(String name, int header, int recordSize, int count) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(CliTest.FASHION_MNIST.resolve(name + ".gz")))) {
            byte[] bytes = in.readNBytes(header + recordSize * count);
            ByteBuffer.wrap(bytes).putInt(4, count);
            Files.write(data.resolve(name), bytes);
        }
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
