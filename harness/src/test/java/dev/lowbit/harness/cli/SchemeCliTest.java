package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.harness.plugin.SchemePlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Estimators, activation quantizers and layer maps as a user meets them on the command line, with real
 * plugin jars: {@code list}, {@code list --layers}, {@code plan} (table and cluster scripts), and
 * {@code run} and {@code bench training}, which refuse what this lowbit does not train yet.
 */
class SchemeCliTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path plugins;
    private Path estimators;
    private Path activations;

    @BeforeEach
    void jars() throws Exception {
        plugins = dir.resolve("plugins");
        estimators = SchemePlugins.estimators(plugins);
        activations = SchemePlugins.activations(plugins);
    }

    @Test
    void listShowsEstimatorsAndActivationQuantizersWithWhereEachCameFrom() throws Exception {
        Path crashy = SchemePlugins.throwingConfigure(plugins);

        CliTest.Result result = lowbit("list", "--plugins", plugins.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains(
                        NL + "Gradient estimators (append ~ID to a quantizer or activation spec, e.g. ternary~clipped;"
                                + " default: the quantizer's own, ste for most)" + NL)
                .contains(NL + "  hard-tanh      1 where |u| <= 1 (Hubara et al. 2016)  " + estimators + NL)
                .contains(NL + "  tent           max(0, 2 - 2|u|), a tent  " + estimators + NL)
                .containsPattern(
                        "\n  ste            straight-through: the gradient passes Q unchanged .*  built-in \\(")
                .contains(NL + "Activation quantizers (--activations SPEC or the suite's activations:"
                        + " ID[@OPTIONS|:OPTIONS][~ESTIMATOR], e.g. int8@absmax/token, pact:4; default none)" + NL)
                .contains(NL + "  int7           int7@absmax/token      7      7-bit absmax, after BitNet's 8-bit one  "
                        + activations + NL)
                .contains(NL + "  clamp          clamp:4                4      K-bit [0, 1] clamp  " + activations + NL)
                .contains(NL + "  sgn            sgn                    1      sign(x) (Hubara et al. 2016)  "
                        + activations + NL)
                .contains(NL + "  crashy         cannot describe itself: java.lang.IllegalStateException: boom  "
                        + crashy + NL)
                .contains(
                        NL + "  " + activations + ": activation quantizer int7, activation quantizer clamp, activation"
                                + " quantizer sgn" + NL);
    }

    @Test
    void listLayersPrintsThePositionsNamesAndShapesALayerMapSelects() {
        CliTest.Result result = lowbit("list", "--layers", "cnn-small");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .isEqualTo("Quantized layers of cnn-small (for 1x28x28 inputs and 10 classes). Select them"
                        + " in a layer map by position (from 0, or from the end: -1 is the last), first, last, or a glob over the"
                        + " names, e.g. --layer-policy 'first=fp32;*Conv2d=ternary'." + NL
                        + "  position  from end  name               weight shape" + NL
                        + "         0        -3  01QuantizedConv2d  (32, 1, 3, 3)" + NL
                        + "         1        -2  05QuantizedConv2d  (64, 32, 3, 3)" + NL
                        + "         2        -1  10QuantizedLinear  (10, 3136)" + NL);
    }

    @Test
    void listLayersOfAnUnknownArchitectureListsThoseThatExist() {
        CliTest.Result result = lowbit("list", "--layers", "resnet");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: No architecture with id 'resnet'. Available: [cnn-large, cnn-small,"
                        + " fcnn-large, fcnn-small, vit-large, vit-small]. Put its jar in plugins/ or run 'lowbit list'."
                        + NL);
    }

    @Test
    void planShowsEachRunsActivationsAndCanonicalLayerMap() {
        CliTest.Result result = lowbit(
                "plan",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "fp32,ternary~tent",
                "--activations",
                "none,int7",
                "--layer-policy",
                "first=fp32; -1=k17@absmax",
                "--out",
                dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Suite 'quick' (fashion-mnist): 3 runs -> " + dir.resolve("quick"));
        assertThat(lines.get(1).split(" {2,}"))
                .containsExactly(
                        "run id",
                        "architecture",
                        "quantizer",
                        "activations",
                        "layer policy",
                        "recipe",
                        "seed",
                        "epochs",
                        "estimate",
                        "status");
        assertThat(lines.get(2).split(" {2,}"))
                .startsWith("fcnn-small.fp32.s1.fbc71b52", "fcnn-small", "fp32", "none", "all", "adam-constant");
        assertThat(lines.get(3))
                .matches("fcnn-small\\.ternary\\.e-tent\\.s1\\.[0-9a-f]{8} +fcnn-small +"
                        + Pattern.quote("ternary@mse/tensor~tent") + " +none +"
                        + Pattern.quote("first=fp32;-1=k17@absmax/tensor")
                        + " +adam-constant .*");
        assertThat(lines.get(4))
                .matches("fcnn-small\\.ternary\\.e-tent\\.a-int7\\.s1\\.[0-9a-f]{8} +fcnn-small +"
                        + Pattern.quote("ternary@mse/tensor~tent") + " +" + Pattern.quote("int7@absmax/token") + " +"
                        + Pattern.quote("first=fp32;-1=k17@absmax/tensor") + " +adam-constant .*");
    }

    @Test
    void aSuiteFilesActivationsAndLayerMapReachThePlan() throws Exception {
        Path suite = Files.writeString(dir.resolve("schemes.yaml"), """
                name: schemes
                dataset: fashion-mnist
                architectures: [cnn-small]
                quantizers: [ternary]
                activations: [clamp:2, sgn~tent]
                layerPolicy: "*Conv2d=binary@absmean"
                recipes:
                  base: {optimizer: adam, learningRate: 0.001, batchSize: 64, epochs: 1}
                seeds: [3]
                """);

        CliTest.Result result =
                lowbit("plan", "--plugins", plugins.toString(), "--suite", suite.toString(), "--out", dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .containsPattern("cnn-small\\.ternary\\.a-clamp_2\\.s3\\.[0-9a-f]{8} +cnn-small +"
                        + "ternary@mse/tensor +clamp:2 +\\*Conv2d=binary@absmean/tensor ")
                .containsPattern(
                        "cnn-small\\.ternary\\.a-sgn\\.s3\\.[0-9a-f]{8} +cnn-small +ternary@mse/tensor +sgn~tent ");
    }

    @Test
    void badSchemesOnTheCommandLineAreOneLineAndExitTwo() {
        assertThat(lowbit(
                        "plan",
                        "--plugins",
                        plugins.toString(),
                        "--activations",
                        "int7@absmax/row",
                        "--out",
                        dir.toString()))
                .satisfies(result -> {
                    assertThat(result.exitCode()).isEqualTo(2);
                    assertThat(result.err())
                            .isEqualTo("lowbit: Invalid activation quantizer 'int7@absmax/row': Activation"
                                    + " quantizer 'int7' takes @absmax/token or @absmax/tensor (got '@absmax/row'). Write none or"
                                    + " ID[@OPTIONS or :OPTIONS][~ESTIMATOR], e.g. int8@absmax/token, pact:4 or sign~approx-sign."
                                    + NL);
                });
        assertThat(lowbit(
                                "plan",
                                "--plugins",
                                plugins.toString(),
                                "--activations",
                                "int7,int7",
                                "--out",
                                dir.toString())
                        .err())
                .isEqualTo("lowbit: --activations lists 'int7' twice; give each value once." + NL);
        assertThat(lowbit(
                        "plan",
                        "--plugins",
                        plugins.toString(),
                        "--quantizer",
                        "ternary~swish",
                        "--out",
                        dir.toString()))
                .satisfies(result -> {
                    assertThat(result.exitCode()).isEqualTo(2);
                    assertThat(result.err())
                            .startsWith("lowbit: No gradient estimator 'swish'. Available: [")
                            .endsWith("]. Put its jar in plugins/ or run 'lowbit list'." + NL);
                });
        assertThat(lowbit("plan", "--layer-policy", "first=fp32;last!=k9", "--out", dir.toString()))
                .satisfies(result -> {
                    assertThat(result.exitCode()).isEqualTo(2);
                    assertThat(result.err())
                            .isEqualTo("lowbit: Invalid layer map 'first=fp32;last!=k9': rule 2 'last!=k9'"
                                    + " selects 'last!', which is not a selector. Write SELECTOR=SPEC rules joined by ';', e.g. first=fp32;last=k17;"
                                    + " SELECTOR is first, last, a position (0 is the first quantized layer, -1 the last) or a glob (* and"
                                    + " ?) over the names 'lowbit list --layers ARCH' prints. Fix --layer-policy or the suite's"
                                    + " layerPolicy." + NL);
                });
    }

    @Test
    void clusterScriptsPassTheActivationsAndTheLayerMapOnQuoted() {
        CliTest.Result result = lowbit(
                "plan",
                "--plugins",
                plugins.toString(),
                "--format",
                "slurm",
                "--quantizer",
                "ternary",
                "--activations",
                "int7,none",
                "--layer-policy",
                "first=fp32;*Linear=k9",
                "--out",
                dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains(" --quantizer ternary --activations int7,none --layer-policy" + " 'first=fp32;*Linear=k9'"
                        + NL);
    }
}
