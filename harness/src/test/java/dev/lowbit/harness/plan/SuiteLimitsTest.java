package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.harness.data.Datasets;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class SuiteLimitsTest {

    @Test
    void everyDatasetHasAStandardTrainingSetToBoundItsBatches() {
        assertThat(SuiteLimits.STANDARD_TRAINING_IMAGES).containsOnlyKeys(Datasets.NAMES);
    }

    @Test
    void theLongestScheduleFitsTheIntTheCosineScheduleCountsStepsIn() {
        // The most steps a run takes: the most epochs, a batch of one, the largest standard training set.
        long steps = (long) SuiteLimits.MAX_EPOCHS * Collections.max(SuiteLimits.STANDARD_TRAINING_IMAGES.values());

        assertThat(steps).isLessThanOrEqualTo(Integer.MAX_VALUE);
    }
}
