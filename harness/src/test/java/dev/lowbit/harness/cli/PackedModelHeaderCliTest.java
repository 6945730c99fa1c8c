package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static dev.lowbit.harness.export.PackedModelFiles.withEntry;
import static dev.lowbit.harness.export.PackedModelFiles.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.harness.data.IdxFiles;
import dev.lowbit.harness.export.PackedModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code lowbit eval} on .lbw files whose checksums are right but whose header lies: every header
 * value is checked when the file is read, before anything is built or allocated for it, and the
 * header's quantizer must be the one the stored weights are on. Each refusal is one line, exit 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackedModelHeaderCliTest {

    @TempDir
    static Path dir;

    /** An untrained ternary fcnn-small, as export writes it. */
    private Path ternary;
    /** The same with fp32 weights. */
    private Path fp32;
    /** A Fashion-MNIST-shaped folder of 4 + 2 images of 28x28. */
    private Path tinyData;

    private String ternarySpec;
    private String scaleRule;

    @BeforeAll
    void writeModelsAndData() throws Exception {
        ternary = PackedModelFiles.untrained(dir.resolve("ternary.lbw"), "ternary");
        fp32 = PackedModelFiles.untrained(dir.resolve("fp32.lbw"), "fp32");
        ternarySpec = LbwFile.read(ternary).model().metadata().get(PackedModelFiles.QUANTIZER);
        scaleRule = LbwFile.read(ternary).model().metadata().get(PackedModelFiles.SCALE_RULE);
        tinyData = Files.createDirectories(dir.resolve("tiny"));
        IdxFiles.writeTinyDataset(tinyData, true);
    }

    private static void assertRefused(CliTest.Result result, String start) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).startsWith(start);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void theUncraftedFilesEvaluate() {
        for (Path file : new Path[] {ternary, fp32}) {
            CliTest.Result result = lowbit("eval", file.toString(), "--data", tinyData.toString());
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).contains("Test accuracy").contains("on 2 images");
        }
        Path firstLastFp32 = PackedModelFiles.untrained(dir.resolve("policy.lbw"), "ternary", LayerPolicy.FP32_FIRST);
        CliTest.Result result = lowbit("eval", firstLastFp32.toString(), "--data", tinyData.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @ParameterizedTest(name = "{0}=''{1}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "input.shape|abc|expected channels,height,width as three whole numbers of at least 1",
                "input.shape|''|expected channels,height,width",
                "input.shape|1,28|expected channels,height,width",
                "input.shape|1,28,28,1|expected channels,height,width",
                "input.shape|1,-28,28|expected channels,height,width",
                "input.shape|1,0,28|expected channels,height,width",
                "input.shape|1, 28,28|expected channels,height,width",
                "input.shape|99999999999999999999,1,1|expected channels,height,width",
                "input.shape|1,100000,100000|an image of more than 16777216 values",
                "input.shape|1,15000,15000|an image of more than 16777216 values",
                "input.shape|9223372036854775,9223372036854775,9|an image of more than 16777216 values",
                "classes|ten|expected a whole number from 2 to 65536",
                "classes|0|expected a whole number from 2 to 65536",
                "classes|1|expected a whole number from 2 to 65536",
                "classes|-3|expected a whole number from 2 to 65536",
                "classes|2147483648|expected a whole number from 2 to 65536",
                "normalisation.mean|abc|expected a number from 0 to 1",
                "normalisation.mean|NaN|expected a number from 0 to 1",
                "normalisation.mean|-0.1|expected a number from 0 to 1",
                "normalisation.mean|Infinity|expected a number from 0 to 1",
                "normalisation.std|0|expected a number above 0 and at most 1",
                "normalisation.std|-1|expected a number above 0 and at most 1",
                "normalisation.std|abc|expected a number above 0 and at most 1",
                "normalisation.std|2|expected a number above 0 and at most 1",
                "dataset|imagenet|expected one of [fashion-mnist, cifar-10]",
                "layer-policy|middle|expected one of [all, fp32-first, fp32-last, fp32-first-last]",
            })
    void anInvalidHeaderValueIsRefusedInOneLineBeforeAnythingIsBuilt(String key, String value, String expected) {
        Path crafted = withEntry(ternary, dir.resolve("crafted.lbw"), key, value);

        CliTest.Result result = lowbit("eval", crafted.toString());

        assertRefused(
                result,
                "lowbit: Packed model '" + crafted + "' has an invalid header entry " + key + "='" + value + "': "
                        + expected);
        assertThat(result.err()).contains("export it again from its run.");
    }

    @Test
    void aScaleRuleThatDisagreesWithTheQuantizerIsRefused() {
        Path crafted = withEntry(ternary, dir.resolve("rule.lbw"), PackedModelFiles.SCALE_RULE, "absmax/channel");

        assertRefused(
                lowbit("eval", crafted.toString()),
                "lowbit: Packed model '" + crafted + "' has an invalid"
                        + " header entry quantizer.scale-rule='absmax/channel': the header's quantizer '" + ternarySpec
                        + "' has the scale rule '" + scaleRule + "'.");
    }

    @Test
    void aControlCharacterInAValueIsShownAsAQuestionMarkOnOneLine() {
        Path crafted = withEntry(ternary, dir.resolve("control.lbw"), PackedModelFiles.CLASSES, "1\n0\u001b[2J");

        assertRefused(
                lowbit("eval", crafted.toString()),
                "lowbit: Packed model '" + crafted + "' has an invalid header entry classes='1?0?[2J'");
    }

    @Test
    void aMissingEntryOrAnUnknownArchitectureIsRefused() {
        Path missing = withEntry(ternary, dir.resolve("missing.lbw"), PackedModelFiles.CLASSES, null);
        assertRefused(
                lowbit("eval", missing.toString()),
                "lowbit: Packed model '" + missing + "' lacks the header entry 'classes'");

        Path unknown = withEntry(ternary, dir.resolve("unknown.lbw"), PackedModelFiles.ARCHITECTURE, "resnet");
        assertRefused(
                lowbit("eval", unknown.toString()),
                "lowbit: Packed model '" + unknown
                        + "', header entry architecture: No architecture with id 'resnet'. Available: [cnn-large,");
    }

    @Test
    void aTernaryFileRelabelledBinaryIsRefusedNotEvaluatedOnTheWrongAlphabet() {
        Path relabelled =
                withEntry(ternary, dir.resolve("binary.lbw"), PackedModelFiles.QUANTIZER, "binary@" + scaleRule);

        assertRefused(
                lowbit("eval", relabelled.toString(), "--data", tinyData.toString()),
                "lowbit: Packed model '" + relabelled + "' does not match its header: tensor '");
        assertThat(lowbit("eval", relabelled.toString()).err())
                .containsPattern(
                        "holds codes on the alphabet \\{-1, 0, 1\\} but the header's quantizer for it, 'binary@"
                                + scaleRule + "', has the alphabet \\{-1, 1\\}; the file was relabelled");
    }

    @Test
    void aQuantizedFileRelabelledFp32IsRefused() {
        Path relabelled = withHeader(ternary, dir.resolve("as-fp32.lbw"), header -> {
            header.put(PackedModelFiles.QUANTIZER, "fp32");
            header.put(PackedModelFiles.SCALE_RULE, "none");
        });

        assertThat(lowbit("eval", relabelled.toString()).err())
                .containsPattern("^lowbit: Packed model '.*' does not match its header: tensor '.*' is stored quantized"
                        + " but fcnn-small with quantizer 'fp32' and layer policy 'all' keeps it in fp32;");
    }

    @Test
    void anFp32FileRelabelledTernaryIsRefusedBeforeItIsEvaluated() {
        Path relabelled = withHeader(fp32, dir.resolve("as-ternary.lbw"), header -> {
            header.put(PackedModelFiles.QUANTIZER, ternarySpec);
            header.put(PackedModelFiles.SCALE_RULE, scaleRule);
        });

        CliTest.Result result = lowbit("eval", relabelled.toString(), "--data", tinyData.toString());

        assertRefused(result, "lowbit: Packed model '" + relabelled + "' does not match its header: tensor '");
        assertThat(result.err())
                .contains("is stored in fp32 but fcnn-small with quantizer '" + ternarySpec
                        + "' and layer policy 'all' quantizes it");
    }

    @Test
    void aLayerPolicyRelabelIsRefused() {
        Path relabelled = withEntry(ternary, dir.resolve("policy.lbw"), PackedModelFiles.LAYER_POLICY, "fp32-last");

        CliTest.Result result = lowbit("eval", relabelled.toString(), "--data", tinyData.toString());

        assertRefused(result, "lowbit: Packed model '" + relabelled + "' does not match its header: tensor '");
        assertThat(result.err())
                .contains("is stored quantized but fcnn-small with quantizer '" + ternarySpec
                        + "' and layer policy 'fp32-last' keeps it in fp32");
    }

    @Test
    void anInputShapeOrClassCountOtherThanTheDatasetsIsRefusedBeforeTheModelIsBuilt() {
        Path small = withEntry(ternary, dir.resolve("small.lbw"), PackedModelFiles.INPUT_SHAPE, "1,20,20");
        assertRefused(
                lowbit("eval", small.toString(), "--data", tinyData.toString()),
                "lowbit: Packed model '"
                        + small + "' takes images of 1x20x20 (header entry input.shape) but fashion-mnist in '"
                        + tinyData
                        + "' holds images of 1x28x28. Evaluate it on the dataset it was trained on, or pass --data with images"
                        + " of that size.");

        Path big = withEntry(ternary, dir.resolve("big.lbw"), PackedModelFiles.INPUT_SHAPE, "3,2000,2000");
        assertRefused(
                lowbit("eval", big.toString(), "--data", tinyData.toString()),
                "lowbit: Packed model '" + big + "' takes images of 3x2000x2000");

        Path classes = withEntry(ternary, dir.resolve("classes.lbw"), PackedModelFiles.CLASSES, "12");
        assertRefused(
                lowbit("eval", classes.toString(), "--data", tinyData.toString()),
                "lowbit: Packed model '"
                        + classes + "' has 12 classes (header entry classes) but fashion-mnist in '" + tinyData
                        + "' has 10.");
    }

    @Test
    void aDeviceADirectoryOrAPipeIsRefusedWithoutReadingIt() throws Exception {
        assertRefused(
                lowbit("eval", "/dev/zero"),
                "lowbit: Not a packed model '/dev/zero': it is not a regular file"
                        + " but a device, pipe or socket; pass the .lbw file that 'lowbit export' or 'lowbit run' wrote.");
        assertRefused(lowbit("eval", dir.toString()), "lowbit: Not a packed model '" + dir + "': it is a directory;");

        Path pipe = dir.resolve("pipe.lbw");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0)
                .isTrue();
        // Opening a pipe with no writer blocks for ever: the refusal must come before any open.
        assertRefused(
                lowbit("eval", pipe.toString()),
                "lowbit: Not a packed model '" + pipe + "': it is not a regular file but a device, pipe or socket;");
    }
}
