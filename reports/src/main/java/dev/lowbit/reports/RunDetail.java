package dev.lowbit.reports;

import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.TensorMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The per-run section: config, learning curves and the per-layer memory table (Larq-style).
 *
 * @param runId the run id, shown as text
 * @param anchor the section's element id, {@code run-<runId>} for a well-formed id (see {@link RunAnchors})
 * @param title {@code architecture / name / seed N}, named as in the tables (see {@link SchemeLabel#name})
 * @param status the status, with the epoch for a diverged run and the error for a failed one
 * @param problem whether the run diverged or failed, for styling
 * @param config the config and outcome as label/value pairs
 * @param hasCurve whether any epoch is stored
 * @param curveSvg train and validation accuracy per epoch, as an inline SVG element
 * @param hasLayers whether a memory record with tensors is stored
 * @param layers one row per parameter tensor
 * @param total the totals row
 */
record RunDetail(
        String runId,
        String anchor,
        String title,
        String status,
        boolean problem,
        List<Entry> config,
        boolean hasCurve,
        String curveSvg,
        boolean hasLayers,
        List<Layer> layers,
        Layer total) {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 240;

    /** One label/value line of the config list. */
    record Entry(String label, String value) {}

    /**
     * One row of the per-layer table.
     *
     * @param name parameter name
     * @param shape e.g. {@code 256 × 784}
     * @param kind {@code quantized} or {@code fp32}
     * @param parameters element count
     * @param bits bits per weight (log2 k) or 32
     * @param fp32Bytes bytes in fp32
     * @param idealBytes ideal bytes
     * @param packedBytes bytes of its section in the packed file, or a dash
     * @param histogram share of weights per level, e.g. {@code -1: 12.1% · 0: 75.8% · +1: 12.1%}
     * @param entropy empirical entropy of the codes in bits per weight, or a dash
     */
    record Layer(
            String name,
            String shape,
            String kind,
            String parameters,
            String bits,
            String fp32Bytes,
            String idealBytes,
            String packedBytes,
            String histogram,
            String entropy) {}

    /**
     * The section of {@code stored}.
     *
     * @param anchor the section's unique element id, from {@link RunAnchors}
     * @param index the run's position on the page, which names its chart's SVG ids
     */
    static RunDetail of(StoredRun stored, TwinComparison twins, String anchor, int index) {
        RunRecord run = stored.run();
        String status = switch (run.status()) {
            case FINISHED -> "finished";
            case DIVERGED -> "diverged in epoch " + run.divergedEpoch();
            case FAILED -> "failed: " + (run.error() == null ? "no error message stored" : run.error());
        };
        MemoryRecord memory = run.memory();
        boolean hasLayers =
                memory != null && memory.tensors() != null && !memory.tensors().isEmpty();
        List<Layer> layers = new ArrayList<>();
        if (hasLayers) {
            for (TensorMemory tensor : memory.tensors()) {
                layers.add(layer(tensor, run.quantizer()));
            }
        }
        Layer total = memory == null
                ? null
                : new Layer(
                        "total",
                        "",
                        memory.quantizedWeights() + " quantized",
                        Formats.count(memory.parameters()),
                        "",
                        Formats.bytes(memory.fp32Bytes()),
                        Formats.bytes(memory.idealBytes()),
                        memory.packedBytes() == null ? Formats.NONE : Formats.bytes(memory.packedBytes()),
                        "",
                        memory.entropyBytes() == null
                                ? Formats.NONE
                                : Formats.bytes(memory.entropyBytes()) + " at entropy");
        String curve = stored.epochs().isEmpty() ? "" : curve(stored, "chart-run-" + index);
        return new RunDetail(
                run.runId(),
                anchor,
                stored.seriesName(),
                status,
                run.status() != RunStatus.FINISHED,
                entries(stored, twins),
                !curve.isEmpty(),
                curve,
                hasLayers,
                layers,
                total);
    }

    private static List<Entry> entries(StoredRun stored, TwinComparison twins) {
        RunRecord run = stored.run();
        RunConfig config = run.config();
        Recipe recipe = config.recipe();
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry("suite", config.suite()));
        entries.add(new Entry(
                "dataset",
                config.dataset()
                        + (config.trainLimit() > 0 ? ", first " + config.trainLimit() + " training images" : "")
                        + ", validation share "
                        + config.validationShare()));
        entries.add(new Entry(
                "quantizer",
                config.quantizer() + " (" + run.quantizer().levels() + " levels"
                        + (run.quantizer().values().isEmpty()
                                ? ""
                                : " " + run.quantizer().values()) + ", scale rule "
                        + run.quantizer().scaleRule() + ")"));
        entries.add(new Entry("gradient estimator", run.quantizer().estimator()));
        ActivationRecord activations = run.quantizer().activations();
        entries.add(new Entry(
                "activations",
                activations.quantizes()
                        ? activations.spec() + " (" + Formats.trimmedBits(activations.bits()) + " bits)"
                        : "fp32 (not quantized)"));
        entries.add(new Entry("bits", stored.scheme().bits()));
        entries.add(new Entry(
                SchemeLabel.isLayerMap(config.layerPolicy()) ? "layer map" : "layer policy", config.layerPolicy()));
        entries.add(new Entry(
                "recipe",
                recipe.name() + ": " + recipe.optimizer() + ", learning rate "
                        + recipe.learningRate() + " " + recipe.schedule() + ", batch " + recipe.batchSize() + ", "
                        + recipe.epochs() + " epochs, weight decay " + recipe.weightDecay() + ", augmentation "
                        + recipe.augmentation()));
        entries.add(new Entry("seed", Long.toString(config.seed())));
        entries.add(new Entry("epochs trained", run.epochsCompleted() + " of " + recipe.epochs()));
        entries.add(new Entry("best validation accuracy", Formats.percent(run.bestValidationAccuracy())));
        if (run.status() == RunStatus.FINISHED) {
            entries.add(new Entry(
                    "test accuracy",
                    Formats.percent(run.testAccuracy()) + String.format(Locale.ROOT, " (loss %.4f)", run.testLoss())));
        }
        entries.add(new Entry("epochs to parity", twins.parityLabel(stored)));
        entries.add(new Entry("time", run.startedAt() + " to " + run.finishedAt()));
        return entries;
    }

    private static Layer layer(TensorMemory tensor, QuantizerRecord quantizer) {
        return new Layer(
                tensor.name(),
                String.join(" × ", tensor.shape().stream().map(String::valueOf).toList()),
                tensor.quantized() ? "quantized" : "fp32",
                Formats.count(tensor.elements()),
                tensor.quantized() ? String.format(Locale.ROOT, "%.2f", tensor.bitsPerWeight()) : "32",
                Formats.bytes(tensor.fp32Bytes()),
                Formats.bytes(tensor.idealBytes()),
                tensor.packedBytes() == null ? Formats.NONE : Formats.bytes(tensor.packedBytes()),
                histogram(tensor.levelCounts(), levelValues(tensor, quantizer)),
                tensor.entropyBitsPerWeight() == null
                        ? Formats.NONE
                        : String.format(Locale.ROOT, "%.2f", tensor.entropyBitsPerWeight()));
    }

    /**
     * The values a tensor's level counts count: its own alphabet when stored (a layer map gives layers
     * their own), else the run quantizer's when the tensor has its bits, else none known (the levels
     * are then numbered, never named after another alphabet's values).
     */
    static List<Double> levelValues(TensorMemory tensor, QuantizerRecord quantizer) {
        if (tensor.values() != null) {
            return tensor.values();
        }
        boolean runQuantizers = Math.abs(tensor.bitsPerWeight() - quantizer.bitsPerWeight()) < 1e-9;
        return runQuantizers ? quantizer.values() : List.of();
    }

    private static String histogram(List<Long> counts, List<Double> values) {
        if (counts == null || counts.isEmpty()) {
            return "";
        }
        long total = counts.stream().mapToLong(Long::longValue).sum();
        // Counts of another alphabet than these values must not be named after them.
        boolean named = values.size() == counts.size();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            String level = named ? Formats.level(values.get(i)) : "#" + i;
            parts.add(level + ": "
                    + String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0.0 : 100.0 * counts.get(i) / total));
        }
        return String.join(" · ", parts);
    }

    private static String curve(StoredRun stored, String svgId) {
        XYSeries train = new XYSeries("training", true, false);
        XYSeries validation = new XYSeries("validation", true, false);
        for (EpochRecord epoch : stored.epochs()) {
            // addOrUpdate: a resumed run may have logged an epoch twice; the later line wins.
            train.addOrUpdate(epoch.epoch(), 100 * epoch.trainAccuracy());
            validation.addOrUpdate(epoch.epoch(), 100 * epoch.validationAccuracy());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        data.addSeries(validation);
        JFreeChart chart = ChartFactory.createXYLineChart(
                null, "epoch", "accuracy (%)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < 2; i++) {
            renderer.setSeriesStroke(i, Charts.LINE);
            renderer.setSeriesPaint(i, Charts.colour(i));
        }
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        Charts.accuracyAxis((NumberAxis) plot.getRangeAxis());
        return Charts.svg(Charts.styled(chart), svgId, WIDTH, HEIGHT);
    }
}
