package dev.lowbit.format.result;

/** How a stored run ended. */
public enum RunStatus {
    /** Trained for all its epochs and evaluated on the test set. */
    FINISHED,
    /** The loss or the weights stopped being finite numbers; the epoch is stored, the grid went on. */
    DIVERGED,
    /** The training raised an error; the rest of the grid went on. */
    FAILED
}
