package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a suite's values imply (run ids that must fit a file name, a batch larger than the training set,
 * a schedule longer than an int counts, repeated runs) is refused, or bounded, the same way by
 * {@code plan} and {@code run}, whether the values come from a suite file or the command line.
 */
class SuiteBoundsCliTest {

    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path suite(String name, String recipe, String more) throws Exception {
        return Files.writeString(dir.resolve("suite.yaml"), """
                name: %s
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32, ternary]
                recipes:
                  base: %s
                seeds: [1]
                %s
                """.formatted(name, recipe, more));
    }

    /** {@code plan} and {@code run} with these arguments: both refuse with the same one line, exit 2. */
    private void bothRefuse(String expectedMessage, String... arguments) {
        Path out = dir.resolve("out");
        for (String command : List.of("plan", "run")) {
            String[] args = Stream.concat(
                            Stream.of(command),
                            Stream.concat(
                                    Stream.of(arguments),
                                    Stream.of(
                                            "--out",
                                            out.toString(),
                                            "--data",
                                            dir.resolve("no-data").toString())))
                    .toArray(String[]::new);
            if (command.equals("plan")) {
                args = Stream.of(args).limit(args.length - 2).toArray(String[]::new);
            }

            CliTest.Result result = lowbit(args);

            assertThat(result.exitCode()).as(command + ": " + result.err()).isEqualTo(2);
            assertThat(result.err()).as(command).isEqualTo("lowbit: " + expectedMessage + NL);
            assertThat(out).as(command).doesNotExist();
        }
    }

    private static String levels(int from, int to) {
        return "levels:"
                + IntStream.rangeClosed(from, to)
                        .filter(v -> v != 0)
                        .mapToObj(String::valueOf)
                        .collect(Collectors.joining(","));
    }

    @Test
    void shortRunIdsStayWhatTheyWereSoStoredResultsAreStillFound() {
        CliTest.Result result = lowbit("plan", "--suite", "quick", "--out", dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        // The ids lowbit gave these runs before run ids were bounded.
        assertThat(result.out())
                .contains(
                        "fcnn-small.fp32.s1.fbc71b52 ",
                        "fcnn-small.binary.s1.9c29a153 ",
                        "fcnn-small.ternary.s1.d6fb91cc ",
                        "fcnn-small.quinary.s1.5bb88bcc ");
    }

    @Test
    @Tag("training")
    void anAlphabetOfAHundredValuesGetsARunIdThatFitsAFileNameAndPlanRunAndReportAgreeOnIt() throws Exception {
        String hundred = levels(-50, 50);
        Path out = dir.resolve("results");
        String[] grid = {
            "--suite", "quick", "--quantizer", hundred, "--epochs", "1", "--train-limit", "300", "--out", out.toString()
        };

        CliTest.Result plan =
                lowbit(Stream.concat(Stream.of("plan"), Stream.of(grid)).toArray(String[]::new));

        assertThat(plan.exitCode()).as(plan.err()).isZero();
        String runId = plan.out().lines().skip(2).findFirst().orElseThrow().split(" +")[0];
        assertThat(runId).matches("fcnn-small\\.levels_-50_-49_[-0-9_]+_etc\\.s1\\.[0-9a-f]{8}");
        assertThat(runId.getBytes(StandardCharsets.UTF_8).length).isLessThan(160);

        CliTest.Result run =
                lowbit(Stream.concat(Stream.of("run"), Stream.of(grid)).toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Path runDirectory = out.resolve("quick").resolve(runId);
        ObjectMapper json = new ObjectMapper();
        JsonNode record = json.readTree(runDirectory.resolve("run.json").toFile());
        assertThat(record.get("runId").asText()).isEqualTo(runId);
        // The id is short; the run's files keep the whole spec.
        assertThat(record.get("config").get("quantizer").asText()).isEqualTo(hundred + "@mse/tensor");
        assertThat(json.readTree(runDirectory.resolve("config.json").toFile())
                        .get("quantizer")
                        .asText())
                .isEqualTo(hundred + "@mse/tensor");
        assertThat(Files.readString(out.resolve("quick").resolve("report").resolve("index.html")))
                .contains(runId);
        CliTest.Result again =
                lowbit(Stream.concat(Stream.of("plan"), Stream.of(grid)).toArray(String[]::new));
        assertThat(again.out().lines().skip(2).findFirst().orElseThrow())
                .startsWith(runId + " ")
                .endsWith("done");
    }

    @Test
    void twoLongAlphabetsThatDifferOnlyAtTheEndGetDifferentRunIds() {
        CliTest.Result result = lowbit(
                "plan",
                "--suite",
                "quick",
                "--quantizer",
                levels(-50, 50) + "," + levels(-50, 49) + ",51",
                "--out",
                dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> ids = result.out()
                .lines()
                .skip(2)
                .limit(2)
                .map(line -> line.split(" +")[0])
                .toList();
        assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
        assertThat(ids.get(0).substring(0, ids.get(0).length() - 8))
                .isEqualTo(ids.get(1).substring(0, ids.get(1).length() - 8));
    }

    @Test
    void aSuiteNameLongerThanTheLimitIsRefusedAtLoadByPlanAndRun() throws Exception {
        String name = "n".repeat(300);
        Path file = suite(name, "{optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 1}", "");

        bothRefuse(
                "Invalid suite '" + file + "': 1 problem" + NL + file + ":1: 'name' must be at most 100 characters"
                        + " (it names the results folder), got 300 characters: '" + "n".repeat(40) + "...'",
                "--suite",
                file.toString());
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsRefusedFromASuiteFile() throws Exception {
        Path file = suite(
                "batch", "{optimizer: adam, learningRate: 0.001, batchSize: 1000000, epochs: 1}", "trainLimit: 2000");

        bothRefuse(
                "Recipe 'base' of suite 'batch' has batchSize 1000000, more than its training set: trainLimit 2000"
                        + " less the validationShare 0.1 leaves 1800 images. Use a batchSize from 1 to 1800.",
                "--suite",
                file.toString());
    }

    @Test
    void aBatchOfTheLargestIntIsRefusedAgainstTheFullTrainingSet() throws Exception {
        Path file = suite("batch", "{optimizer: adam, learningRate: 0.001, batchSize: 2147483647, epochs: 1}", "");

        bothRefuse(
                "Recipe 'base' of suite 'batch' has batchSize 2147483647, more than its training set:"
                        + " fashion-mnist's 60000 training images less the validationShare 0.1 leaves 54000 images. Use a"
                        + " batchSize from 1 to 54000.",
                "--suite",
                file.toString());
    }

    @Test
    void aTrainLimitFlagThatLeavesFewerImagesThanABatchIsRefused() {
        bothRefuse(
                "Recipe 'adam-constant' of suite 'quick' has batchSize 128, more than its training set: trainLimit"
                        + " 100 less the validationShare 0.1 leaves 90 images. Use a batchSize from 1 to 90.",
                "--suite",
                "quick",
                "--train-limit",
                "100");
    }

    @Test
    void epochsBeyondTheLimitAreRefusedFromASuiteFileWithTheirLine() throws Exception {
        Path file = suite(
                "epochs",
                "{optimizer: adam, learningRate: 0.001, schedule: cosine, batchSize: 128," + " epochs: 2147483647}",
                "");

        bothRefuse(
                "Invalid suite '" + file + "': 1 problem" + NL + file + ":6: 'epochs' in recipe 'base' must be a"
                        + " whole number from 1 to 1000, got '2147483647'",
                "--suite",
                file.toString());
    }

    @Test
    void epochsBeyondTheLimitAreRefusedFromTheFlag() {
        bothRefuse("--epochs must be from 1 to 1000, got 2147483647.", "--suite", "paper", "--epochs", "2147483647");
    }

    @Test
    void flagsThatRepeatAValueAreRefusedLikeASuiteFileRefusesThem() {
        bothRefuse("--quantizer lists 'ternary' twice; give each value once.", "--quantizer", "ternary,ternary");
        bothRefuse("--seeds lists '1' twice; give each value once.", "--seeds", "1,1");
        bothRefuse("--arch lists 'fcnn-small' twice; give each value once.", "--arch", "fcnn-small,fcnn-small");
    }

    @Test
    void twoSpecsOfOneQuantizerAreRefusedFromFlagsAndFiles() throws Exception {
        bothRefuse(
                "Quantizers 'ternary' and 'ternary@mse' of suite 'quick' are the same quantizer, ternary@mse/tensor,"
                        + " so they would train the same runs twice. Keep one of them.",
                "--quantizer",
                "ternary,ternary@mse");
        Path file = Files.writeString(dir.resolve("same.yaml"), """
                name: same
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: ["levels:-1,1", "levels:1,-1"]
                recipes:
                  base: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 1}
                seeds: [1]
                """);
        bothRefuse(
                "Quantizers 'levels:-1,1' and 'levels:1,-1' of suite 'same' are the same quantizer,"
                        + " levels:-1,1@mse/tensor, so they would train the same runs twice. Keep one of them.",
                "--suite",
                file.toString());
    }

    @Test
    void aNegativeSeedFlagIsRefusedLikeASuiteFileRefusesIt() {
        bothRefuse("--seeds must be whole numbers >= 0, as in a suite file, got -1.", "--seeds", "-1");
    }

    @Test
    void moreSeedsThanTheLimitAreRefusedFromTheFlag() {
        String seeds = LongStream.rangeClosed(1, 1001).mapToObj(String::valueOf).collect(Collectors.joining(","));

        bothRefuse("--seeds lists 1001 seeds, more than the 1000 a suite may have.", "--seeds", seeds);
    }

    @Test
    void aGridOfMoreRunsThanAPlanMayHoldIsRefusedBeforeItIsBuilt() {
        String seeds = LongStream.rangeClosed(1, 1000).mapToObj(String::valueOf).collect(Collectors.joining(","));

        bothRefuse(
                "Suite 'paper' has 108,000 runs (6 architectures x 9 quantizers x 2 recipes x 1000 seeds), more"
                        + " than the 2,000 one plan may hold. Split the study into several suites.",
                "--suite",
                "paper",
                "--seeds",
                seeds);
    }

    @Test
    void anAlphabetOfMoreLevelsThanLowbitTrainsIsRefusedFromFlagsAndFiles() throws Exception {
        String wide = levels(-150, 150);

        String refusal = "Quantizer '" + wide.substring(0, 60) + "...' has 300 levels, more than the 256 (8 bits)"
                + " lowbit trains. Give an alphabet of at most 256 values.";
        bothRefuse(refusal, "--quantizer", wide);
        Path file = Files.writeString(dir.resolve("wide.yaml"), """
                name: wide
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32, "%s"]
                recipes:
                  base: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 1}
                seeds: [1]
                """.formatted(wide));
        bothRefuse(
                "Invalid suite '" + file + "': 1 problem" + NL + file + ":4: " + refusal, "--suite", file.toString());
    }

    @Test
    void aSuiteFileLargerThanOneMebibyteIsRefusedBeforeItIsParsed() throws Exception {
        Path file = Files.writeString(dir.resolve("huge.yaml"), "name: huge\n" + "#".repeat(1 << 20) + "\n");

        bothRefuse(
                "Suite file '" + file + "' is larger than 1048576 bytes (1 MiB), the most a suite file may be."
                        + " Check that it is the suite you meant.",
                "--suite",
                file.toString());
    }
}
