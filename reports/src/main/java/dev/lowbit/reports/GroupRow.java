package dev.lowbit.reports;

import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import java.util.List;
import java.util.Optional;

/**
 * One row of the main table: an architecture x quantizer x recipe over its seeds, every cell formatted.
 *
 * @param architecture architecture id
 * @param quantizer quantizer spec, e.g. {@code ternary@mse/tensor}, with {@code + <activation spec>} when
 *     inputs are quantized and the layer map or policy when it tells groups apart (see {@link Study#quantizers})
 * @param recipe recipe name
 * @param levels k, or {@code fp32}
 * @param bits ideal weight and activation bits, e.g. {@code W1.58A8}, or {@code W1.58} with fp32 inputs
 * @param accuracy mean test accuracy over finished seeds with its interval at the report's confidence, e.g. {@code 86.12% ± 0.40}
 * @param seeds finished seeds over all seeds, e.g. {@code 3} or {@code 2 of 3}
 * @param delta mean test accuracy minus the fp32 twin group's, in signed percentage points
 * @param parity each seed's epochs-to-parity, censored ones as {@code > N}
 * @param censored whether any seed's parity is censored, for styling
 * @param parameters parameter count
 * @param fp32Bytes every parameter in fp32
 * @param idealBytes log2(k) bits per quantized weight, fp32 for the rest
 * @param packedBytes measured size of the packed file's tensors, or a dash when none was written
 * @param compression fp32 bytes over packed bytes (ideal when nothing was packed)
 * @param diverged diverged seeds, e.g. {@code 1 of 3}, or {@code 0}
 * @param hasDiverged whether any seed diverged, for styling
 * @param runIds the seeds' run ids, space separated (links to the per-run sections)
 */
record GroupRow(
        String architecture,
        String quantizer,
        String recipe,
        String levels,
        String bits,
        String accuracy,
        String seeds,
        String delta,
        String parity,
        boolean censored,
        String parameters,
        String fp32Bytes,
        String idealBytes,
        String packedBytes,
        String compression,
        String diverged,
        boolean hasDiverged,
        List<String> runIds) {

    static GroupRow of(RunGroup group, Study study) {
        QuantizerRecord q = group.quantizer();
        Optional<MemoryRecord> memory = group.memory();
        Summary accuracy = group.testAccuracy();
        List<TwinComparison.Parity> parities = study.parities(group);
        int diverged = group.diverged().size();
        int all = group.runs().size();
        return new GroupRow(
                group.architecture(),
                study.quantizers(group),
                group.key().recipe().name(),
                q.levels() == 0 ? "fp32" : Integer.toString(q.levels()),
                group.scheme().bits(),
                Formats.meanInterval(accuracy),
                accuracy.n() == all ? Integer.toString(all) : accuracy.n() + " of " + all,
                Formats.points(study.deltaPoints(group)),
                group.isFullPrecision()
                        ? Formats.NONE
                        : String.join(
                                ", ",
                                parities.stream()
                                        .map(TwinComparison.Parity::label)
                                        .toList()),
                !group.isFullPrecision() && parities.stream().anyMatch(TwinComparison.Parity::censored),
                memory.map(m -> Formats.count(m.parameters())).orElse(Formats.NONE),
                memory.map(m -> Formats.bytes(m.fp32Bytes())).orElse(Formats.NONE),
                memory.map(m -> Formats.bytes(m.idealBytes())).orElse(Formats.NONE),
                memory.map(m -> m.packedBytes() == null ? Formats.NONE : Formats.bytes(m.packedBytes()))
                        .orElse(Formats.NONE),
                memory.flatMap(m -> group.storedBytes().map(stored -> Formats.ratio(m.fp32Bytes() / stored)))
                        .orElse(Formats.NONE),
                diverged == 0 ? "0" : diverged + " of " + all,
                diverged > 0,
                group.runs().stream().map(r -> r.run().runId()).toList());
    }
}
