package dev.lowbit.harness.scheme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.plugin.ScaleRuleRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Layer maps: the four presets, and rules SELECTOR=SPEC;... with canonical specs. */
class LayerMapTest {

    private static final PluginLoader BUILT_INS = new PluginLoader(LayerMapTest.class.getClassLoader());
    /** Without the built-in estimators: the estimators that exist are [ste] whatever lowbit builds in. */
    private static final QuantizerRegistry QUANTIZERS = new QuantizerRegistry(
            BUILT_INS.load(Quantizer.class),
            BUILT_INS.load(QuantizerFactory.class),
            new ScaleRuleRegistry(BUILT_INS.load(ScaleRule.class)));

    private static final UnaryOperator<String> CANONICAL = QUANTIZERS::canonicalSpec;
    private static final String FORM = " Write SELECTOR=SPEC rules joined by ';', e.g. first=fp32;last=k17; SELECTOR is"
            + " first, last, a position (0 is the first quantized layer, -1 the last) or a glob (* and ?) over the names"
            + " 'lowbit list --layers ARCH' prints.";
    /** cnn-small's quantized layers, as 'lowbit list --layers cnn-small' prints them. */
    private static final List<String> CNN_SMALL =
            List.of("01QuantizedConv2d", "05QuantizedConv2d", "10QuantizedLinear");

    @Test
    void thePresetsStayPresetsThatTheArchitectureBuildsIn() {
        for (LayerPolicy preset : LayerPolicy.values()) {
            LayerMap map = LayerMap.parse(preset.id(), CANONICAL);

            assertThat(map.isPreset()).isTrue();
            assertThat(map.policy()).isSameAs(preset);
            assertThat(map.canonical()).isEqualTo(preset.id());
            assertThat(map.rules()).isEmpty();
            assertThat(map.specFor(0, 3, "01QuantizedConv2d")).isEmpty();
        }
    }

    @Test
    void rulesKeepTheirOrderWithEverySpecCanonicalAndNoSpaces() {
        LayerMap map = LayerMap.parse(
                " first = fp32 ; -1=k17@absmax;*Conv2d=ternary~ste;1=levels:1,-1@absmax/group:64", CANONICAL);

        assertThat(map.isPreset()).isFalse();
        assertThat(map.policy()).isSameAs(LayerPolicy.ALL);
        assertThat(map.canonical())
                .isEqualTo("first=fp32;-1=k17@absmax/tensor;*Conv2d=ternary@mse/tensor;1=levels:-1,1@absmax/group:64");
        assertThat(LayerMap.parse(map.canonical(), CANONICAL).canonical()).isEqualTo(map.canonical());
        assertThat(map.rules()).extracting(LayerMap.Rule::selector).containsExactly("first", "-1", "*Conv2d", "1");
    }

    @Test
    void theFirstRuleThatSelectsALayerWinsAndOtherLayersTakeTheRunsQuantizer() {
        LayerMap map = LayerMap.parse("first=fp32;*Conv2d=ternary;-1=k17;last=k9;1=binary", CANONICAL);

        assertThat(map.specFor(0, 3, CNN_SMALL.get(0))).contains("fp32");
        assertThat(map.specFor(1, 3, CNN_SMALL.get(1))).contains("ternary@mse/tensor");
        assertThat(map.specFor(2, 3, CNN_SMALL.get(2))).contains("k17@mse/tensor");
        assertThat(LayerMap.parse("1=binary;?5Quantized*=k9", CANONICAL).specFor(1, 3, CNN_SMALL.get(1)))
                .contains("binary@mse/tensor");
        assertThat(LayerMap.parse("last=k9;-3=k17", CANONICAL).specFor(0, 3, CNN_SMALL.get(0)))
                .contains("k17@mse/tensor");
        assertThat(LayerMap.parse("last=k9", CANONICAL).specFor(1, 3, CNN_SMALL.get(1)))
                .isEqualTo(Optional.empty());
    }

    @Test
    void rulesThatSelectNoLayerAreNamed() {
        LayerMap map = LayerMap.parse("first=fp32;7=k9;-4=k17;*Attention*=binary;?0QuantizedLinear=ternary", CANONICAL);

        assertThat(map.unmatched(CNN_SMALL))
                .extracting(LayerMap.Rule::toString)
                .containsExactly("7=k9@mse/tensor", "-4=k17@mse/tensor", "*Attention*=binary@mse/tensor");
    }

    @Test
    void anUnknownSpecIsOneLineNamingTheRule() {
        assertThatThrownBy(() -> LayerMap.parse("first=fp32;last=int3", CANONICAL))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Invalid layer map 'first=fp32;last=int3': rule 2 'last=int3': No quantizer with id 'int3'."
                        + " Available: [binary, binaryconnect, binaryconnect-stochastic, bitnet-b1.58, fp32, k16, k17, k8,"
                        + " k9, quaternary, quinary, ternary, ttq, twn, xnor]. Put its jar in plugins/ or run 'lowbit"
                        + " list'.");
        assertThatThrownBy(() -> LayerMap.parse("last=ternary~swish", CANONICAL))
                .hasMessage("Invalid layer map 'last=ternary~swish': rule 1 'last=ternary~swish': No gradient estimator"
                        + " 'swish'. Available: [ste]. Put its jar in plugins/ or run 'lowbit list'.");
    }

    @Test
    void malformedRulesAreOneLineWithTheForm() {
        assertThatThrownBy(() -> LayerMap.parse("middle", CANONICAL))
                .hasMessage(
                        "No layer policy 'middle'. Available:"
                                + " [all, fp32-first, fp32-last, fp32-first-last], or a layer map such as first=fp32;last=k17.");
        assertThatThrownBy(() -> LayerMap.parse("first=fp32;", CANONICAL))
                .hasMessage("Invalid layer map 'first=fp32;': rule 2 is empty." + FORM);
        assertThatThrownBy(() -> LayerMap.parse("first=fp32;last", CANONICAL))
                .hasMessage("Invalid layer map 'first=fp32;last': rule 2 'last' has no '='." + FORM);
        assertThatThrownBy(() -> LayerMap.parse("first layer=fp32", CANONICAL))
                .hasMessage(
                        "Invalid layer map 'first layer=fp32': rule 1 'first layer=fp32' selects 'first layer', which"
                                + " is not a selector." + FORM);
        assertThatThrownBy(() -> LayerMap.parse("123456=fp32", CANONICAL))
                .hasMessage("Invalid layer map '123456=fp32': rule 1 '123456=fp32' selects '123456', which is not a"
                        + " selector." + FORM);
        assertThatThrownBy(() -> LayerMap.parse("first=fp32;first=k17", CANONICAL))
                .hasMessage("Invalid layer map 'first=fp32;first=k17': rule 2 'first=k17' repeats selector 'first': the"
                        + " first rule that matches a layer wins, so this one would never apply. Keep one of them.");
        assertThatThrownBy(() -> LayerMap.parse("last=", CANONICAL))
                .hasMessage("Invalid layer map 'last=': rule 1 'last=' has no spec. Give a quantizer spec such as"
                        + " k17@absmax, or fp32.");
    }

    @Test
    void aLayerMapIsBoundedInLengthAndRules() {
        String long1001 = "first=" + "levels:" + "1,".repeat(493) + "22";
        String rules65 = String.join(
                ";",
                java.util.stream.IntStream.range(0, 65)
                        .mapToObj(i -> i + "=fp32")
                        .toList());

        assertThat(long1001).hasSize(1001);
        assertThatThrownBy(() -> LayerMap.parse(long1001, CANONICAL))
                .hasMessage("Layer map '" + long1001.substring(0, 60) + "...' has 1001 characters, more than the 1000 a"
                        + " layer map may have. Select layers with fewer rules (a glob selects many).");
        assertThatThrownBy(() -> LayerMap.parse(rules65, CANONICAL))
                .hasMessage("Layer map '" + rules65.substring(0, 60) + "...' has 65 rules, more than the 64 a layer map"
                        + " may have. Select layers with fewer rules (a glob selects many).");
        assertThat(LayerMap.parse(rules65.substring(0, rules65.lastIndexOf(';')), CANONICAL)
                        .rules())
                .hasSize(64);
    }
}
