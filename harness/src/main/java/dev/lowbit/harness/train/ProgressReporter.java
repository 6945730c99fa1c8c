package dev.lowbit.harness.train;

import dev.lowbit.format.result.EpochRecord;

/** Where a run's progress goes: a progress bar on a terminal, plain lines elsewhere. */
public interface ProgressReporter {

    /** A run begins. */
    void runStarted(String label, int epochs, long batchesPerEpoch);

    /** The run continues from a checkpoint taken after {@code epoch}. */
    void resumed(int epoch);

    /** One training batch finished with this mean loss. */
    void batchFinished(double loss);

    /** One epoch finished. */
    void epochFinished(EpochRecord epoch);

    /** The run ended, normally or not. */
    void runEnded(String summary);
}
