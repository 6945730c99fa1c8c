package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.data.IdxFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user runs it, in-process: real engine, real files. */
public class CliTest {

    /** Where CI's {@code apt-get install dataset-fashion-mnist} puts the real data. */
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    public record Result(int exitCode, String out, String err) {}

    public static Result lowbit(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void listShowsQuantizersWithValuesLevelsAndBitsAndArchitecturesWithParameterCounts() {
        Result result = lowbit("list");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .containsPattern("ternary\\s+3\\s+yes\\s+\\{-1, 0, 1\\}\\s+1\\.58 = log2\\(3\\)")
                .containsPattern("quinary\\s+5\\s+yes\\s+\\{-2, -1, 0, 1, 2\\}\\s+2\\.32 = log2\\(5\\)")
                .containsPattern("binary\\s+2\\s+no\\s+\\{-1, 1\\}\\s+1\\.00 = log2\\(2\\)")
                .containsPattern("fp32\\s+-\\s+-\\s+fp32\\s+32")
                .containsPattern("fcnn-small\\s+101,770\\s+101,632\\s+99\\.86%")
                .containsPattern("fcnn-large\\s+1,863,690\\s+1,861,632\\s+99\\.89%")
                .containsPattern("cnn-small\\s+50,570\\s+50,080\\s+99\\.03%")
                .containsPattern("cnn-large\\s+689,034\\s+687,392\\s+99\\.76%")
                .containsPattern("vit-small\\s+60,730\\s+58,128\\s+95\\.72%")
                .containsPattern("vit-large\\s+805,130\\s+793,984\\s+98\\.62%");
    }

    @Test
    void anUnknownQuantizerListsTheIdsAndExitsTwoBeforeTraining() {
        Result result = lowbit("run", "--quantizer", "int3", "--out", dir.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: No quantizer with id 'int3'. Available: [binary, binaryconnect,"
                        + " binaryconnect-stochastic, bitnet-b1.58, fp32, k16, k17, k8, k9, quaternary, quinary, ternary, ttq,"
                        + " twn, xnor]. Put its jar in plugins/ or run 'lowbit list'."
                        + System.lineSeparator());
        assertThat(dir.resolve("quick")).doesNotExist();
    }

    @Test
    void anUnknownArchitectureListsTheIdsAndExitsTwo() {
        Result result = lowbit("run", "--arch", "resnet", "--out", dir.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("lowbit: No architecture with id 'resnet'. Available: [cnn-large, cnn-small,"
                        + " fcnn-large, fcnn-small, vit-large, vit-small].");
    }

    @Test
    void aMissingDatasetSaysWhereItLookedAndExitsTwo() throws Exception {
        Path nowhere = dir.resolve("no-data");
        Path out = dir.resolve("no-data-results");
        Result result = lowbit("run", "--data", nowhere.toString(), "--out", out.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        // The data loads after the log's first line (the engine's threads): the error is the one line after it.
        assertThat(result.err().lines()).hasSize(2).first().asString().startsWith("engine: ");
        assertThat(result.err().lines().skip(1))
                .singleElement()
                .asString()
                .startsWith("lowbit: Fashion-MNIST not found; looked in '" + nowhere + "'.");
        try (java.util.stream.Stream<Path> left = Files.walk(out)) {
            assertThat(left.filter(Files::isRegularFile))
                    .as("no run folder is made before the data loads")
                    .isEmpty();
        }
    }

    @Test
    void aTruncatedIdxFileIsNamedAndExitsTwo() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        IdxFiles.writeTinyDataset(data, false);
        Path images = data.resolve("t10k-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(bytes, bytes.length - 100));

        Result result = lowbit("run", "--data", data.toString(), "--out", dir.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().lines().skip(1))
                .singleElement()
                .asString()
                .startsWith("lowbit: Corrupt IDX file '" + images + "': truncated");
    }

    @Test
    void anUnknownLayerPolicyListsThePoliciesAndExitsTwo() {
        Result result = lowbit("run", "--layer-policy", "middle", "--out", dir.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: No layer policy 'middle'. Available: [all, fp32-first, fp32-last,"
                        + " fp32-first-last], or a layer map such as first=fp32;last=k17. Fix --layer-policy or the suite's"
                        + " layerPolicy." + System.lineSeparator());
    }

    @Test
    void aBadOptionValueIsOneLineAndExitsTwo() {
        Result result = lowbit("run", "--epochs", "many");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("lowbit: Invalid value for option '--epochs': 'many' is not an int");
    }

    @Test
    @Tag("training")
    void trainsStoresReportsAndSkipsFinishedRunsOnRealFashionMnist() throws Exception {
        assertThat(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        String[] args = {
            "run",
            "--suite",
            "quick",
            "--quantizer",
            "fp32,ternary",
            "--epochs",
            "1",
            "--train-limit",
            "5000",
            "--out",
            dir.toString()
        };

        Result first = lowbit(args);

        assertThat(first.exitCode()).as(first.err()).isZero();
        List<Path> runs = runDirectories(dir.resolve("quick"));
        assertThat(runs).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (Path run : runs) {
            JsonNode record = json.readTree(run.resolve("run.json").toFile());
            assertThat(record.get("status").asText()).isEqualTo("FINISHED");
            assertThat(record.get("config").get("trainLimit").asInt()).isEqualTo(5000);
            assertThat(record.get("testAccuracy").asDouble()).as(run.toString()).isGreaterThan(0.70);
            assertThat(record.get("memory").get("parameters").asLong()).isEqualTo(101_770);
            assertThat(Files.readAllLines(run.resolve("epochs.jsonl"))).hasSize(1);
        }
        Path report = dir.resolve("quick").resolve("report").resolve("index.html");
        assertThat(first.out()).contains("Report: " + report.toAbsolutePath());
        Document page = Jsoup.parse(report.toFile());
        assertThat(page.select("table#runs tbody tr")).hasSize(2);

        Result second = lowbit(args);

        assertThat(second.exitCode()).isZero();
        assertThat(second.out())
                .contains("Trained 0, skipped 2 finished, 0 held by other workers, 0 diverged, 0 failed.");
        assertThat(runDirectories(dir.resolve("quick"))).hasSize(2);
    }

    private static List<Path> runDirectories(Path suite) throws Exception {
        try (Stream<Path> children = Files.list(suite)) {
            return children.filter(p -> Files.exists(p.resolve("run.json")))
                    .sorted()
                    .toList();
        }
    }
}
