package dev.lowbit.reports;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.RunConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A run still training (or stopped before it finished): epochs stored, no run.json yet. Shown so a
 * report made mid-study says what is missing instead of silently leaving it out.
 *
 * @param folder the run's folder, relative to the results directory
 * @param what {@code architecture / quantizer / seed N} from its config.json, or a dash when the
 *     run started before lowbit stored one
 * @param epochs epochs stored so far, e.g. {@code 3 of 10}
 * @param lastValidation the latest epoch's validation accuracy
 */
record InProgressRow(String folder, String what, String epochs, String lastValidation) {

    static InProgressRow of(String folder, Optional<RunConfig> config, List<EpochRecord> epochs) {
        Optional<EpochRecord> last = epochs.stream().max(Comparator.comparingInt(EpochRecord::epoch));
        int done = last.map(EpochRecord::epoch).orElse(0);
        return new InProgressRow(
                folder,
                config.map(c -> c.architecture() + " / " + c.quantizer() + " / seed " + c.seed())
                        .orElse(Formats.NONE),
                config.map(c -> done + " of " + c.recipe().epochs()).orElse(Integer.toString(done)),
                last.map(e -> Formats.percent(e.validationAccuracy())).orElse(Formats.NONE));
    }
}
