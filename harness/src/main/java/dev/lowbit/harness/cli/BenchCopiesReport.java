package dev.lowbit.harness.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.harness.cli.BenchCopies.CopyTimings;
import dev.lowbit.harness.cli.BenchCopies.Timings;
import dev.lowbit.harness.train.EngineThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code lowbit bench training --beside N} prints: per architecture and model, the median step (and epoch)
 * of the copy alone, of each copy beside the others, each over the alone figure, and the worst of those ratios.
 *
 * @param beside N, the copies beside the measured one
 * @param threads the engine threads each copy chooses (each reports those it used)
 * @param loadAverage the machine's load average before the copies started
 */
record BenchCopiesReport(
        Timings timings,
        int beside,
        EngineThreads threads,
        String loadAverage,
        int batchSize,
        int steps,
        int repeats,
        int warmUp,
        int epochs) {

    /** One measure (step seconds or epoch seconds) of one model in every copy. */
    private record Row(String architecture, String model, double alone, List<Double> copies) {

        double ratio(int copy) {
            return copies.get(copy) / alone;
        }

        double worst() {
            double worst = 0;
            for (int i = 0; i < copies.size(); i++) {
                worst = Math.max(worst, ratio(i));
            }
            return worst;
        }
    }

    String table() {
        StringBuilder text = new StringBuilder();
        List<CopyTimings> together = timings.together();
        text.append(String.format(
                Locale.ROOT,
                "Training beside other copies: 1 copy alone, then %d at once (--beside %d),"
                        + " each in its own process%n",
                together.size(),
                beside));
        text.append(String.format(
                Locale.ROOT,
                "%s per copy, %d cores, load average %s before the copies%n",
                threads.describe(),
                Runtime.getRuntime().availableProcessors(),
                loadAverage));
        text.append(String.format(
                Locale.ROOT,
                "Batch %d; step: each copy's median of %d windows of %d steps; x = the"
                        + " copy's median over the alone median; worst = the largest x%n",
                batchSize,
                repeats,
                steps));
        text.append("Step ms").append(System.lineSeparator());
        block(text, rows("medianStepSeconds"), 1e3);
        if (epochs > 0) {
            text.append(String.format(Locale.ROOT, "Epoch s: each copy's median of %d epochs%n", epochs));
            block(text, rows("medianEpochSeconds"), 1);
        }
        return text.toString();
    }

    private void block(StringBuilder text, List<Row> rows, double scale) {
        int width = Math.max(
                20, rows.stream().mapToInt(row -> row.model().length()).max().orElse(0));
        int copies = timings.together().size();
        StringBuilder header = new StringBuilder(
                String.format(Locale.ROOT, "%-10s %-" + width + "s %10s", "arch", "quantizer", "alone"));
        for (CopyTimings copy : timings.together()) {
            header.append(String.format(Locale.ROOT, " %19s", copy.name()));
        }
        text.append(header).append(String.format(Locale.ROOT, " %8s%n", "worst"));
        for (Row row : rows) {
            text.append(String.format(
                    Locale.ROOT,
                    "%-10s %-" + width + "s %10.2f",
                    row.architecture(),
                    row.model(),
                    row.alone() * scale));
            for (int i = 0; i < copies; i++) {
                text.append(String.format(
                        Locale.ROOT, " %10.2f (%6.2fx)", row.copies().get(i) * scale, row.ratio(i)));
            }
            text.append(String.format(Locale.ROOT, " %7.2fx%n", row.worst()));
        }
    }

    String json() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("benchmark", "training-beside");
        root.put("beside", beside);
        root.put("copiesAtOnce", timings.together().size());
        root.put("threadsPerCopy", threads.count());
        root.put("threadsSource", threads.source());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("loadAverage", loadAverage);
        root.put("batchSize", batchSize);
        root.put("steps", steps);
        root.put("repeats", repeats);
        root.put("warmUpSteps", warmUp);
        root.put("epochs", epochs);
        root.putObject("alone").put("threads", timings.alone().threads());
        ArrayNode copies = root.putArray("copies");
        for (CopyTimings copy : timings.together()) {
            copies.addObject().put("copy", copy.name()).put("threads", copy.threads());
        }
        ArrayNode architectures = root.putArray("architectures");
        for (int a = 0; a < timings.alone().architectures().size(); a++) {
            JsonNode alone = timings.alone().architectures().get(a);
            ObjectNode architecture = architectures.addObject();
            architecture.put("architecture", alone.get("architecture").asText());
            ArrayNode models = architecture.putArray("models");
            for (JsonNode aloneModel : alone.get("models")) {
                String label = aloneModel.get("quantizer").asText();
                ObjectNode model = models.addObject();
                model.put("quantizer", label);
                model.set("alone", measures(aloneModel));
                ArrayNode modelCopies = model.putArray("copies");
                double worstStep = 0;
                double worstEpoch = 0;
                for (CopyTimings copy : timings.together()) {
                    JsonNode copyModel = model(copy, a, label);
                    ObjectNode entry = modelCopies.addObject().put("copy", copy.name());
                    entry.setAll(measures(copyModel));
                    double step = ratio(copyModel, aloneModel, "medianStepSeconds");
                    entry.put("stepOverAlone", step);
                    worstStep = Math.max(worstStep, step);
                    if (epochs > 0) {
                        double epoch = ratio(copyModel, aloneModel, "medianEpochSeconds");
                        entry.put("epochOverAlone", epoch);
                        worstEpoch = Math.max(worstEpoch, epoch);
                    }
                }
                model.put("worstStepOverAlone", worstStep);
                if (epochs > 0) {
                    model.put("worstEpochOverAlone", worstEpoch);
                }
            }
        }
        try {
            return mapper.writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the timings as JSON: " + e.getMessage(), e);
        }
    }

    /** A model's step (and epoch) times as a copy measured them. */
    private static ObjectNode measures(JsonNode model) {
        ObjectNode node = new ObjectMapper().createObjectNode();
        for (String field : List.of("stepSeconds", "medianStepSeconds", "epochSeconds", "medianEpochSeconds")) {
            if (model.has(field)) {
                node.set(field, model.get(field));
            }
        }
        return node;
    }

    private static double ratio(JsonNode copy, JsonNode alone, String field) {
        return copy.get(field).asDouble() / alone.get(field).asDouble();
    }

    private List<Row> rows(String field) {
        List<Row> rows = new ArrayList<>();
        for (int a = 0; a < timings.alone().architectures().size(); a++) {
            JsonNode alone = timings.alone().architectures().get(a);
            for (JsonNode aloneModel : alone.get("models")) {
                String label = aloneModel.get("quantizer").asText();
                List<Double> copies = new ArrayList<>();
                for (CopyTimings copy : timings.together()) {
                    copies.add(model(copy, a, label).get(field).asDouble());
                }
                rows.add(new Row(
                        alone.get("architecture").asText(),
                        label,
                        aloneModel.get(field).asDouble(),
                        copies));
            }
        }
        return rows;
    }

    /** The model called {@code label} of a copy's {@code a}-th architecture (every copy measures the same ones). */
    private static JsonNode model(CopyTimings copy, int a, String label) {
        for (JsonNode model : copy.architectures().get(a).get("models")) {
            if (model.get("quantizer").asText().equals(label)) {
                return model;
            }
        }
        throw new IllegalStateException("[" + copy.name() + "] has no timings of " + label);
    }
}
