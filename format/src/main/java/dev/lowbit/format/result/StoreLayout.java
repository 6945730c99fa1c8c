package dev.lowbit.format.result;

/**
 * The names of the files in a run's folder, shared by the harness that writes them and the report that
 * reads them, so neither can drift from the other:
 * <pre>
 *   ROOT/SUITE/RUN-ID/config.json               the run's config (RunConfig), written when the run starts
 *                     run.json                  config, provenance, final metrics (RunRecord), written last
 *                     epochs.jsonl              one JSON line per finished epoch (EpochRecord)
 *                     checkpoint/state.bin      the latest epoch's parameters and optimizer state
 *                     checkpoint/previous.bin   the one before, while the run trains
 *                     run.lock                  held by the worker training the run
 *                     plugin-code.json          the SHA-256 of the plugin code the run trains with, while it trains
 *                     model.lbw                 the packed model
 *                     test-predictions.txt      the argmax of every test image, one per line
 *   ROOT/SUITE/report/index.html                the report of the suite's runs (index.csv beside it)
 * </pre>
 * {@link StoreJson} is how the JSON files among them are written and read.
 */
public final class StoreLayout {

    /** The file whose presence marks a run as done. */
    public static final String RUN_FILE = "run.json";
    /** Written when a run starts, so an unfinished run can say what it is. */
    public static final String CONFIG_FILE = "config.json";
    /** A run appends one line to it per finished epoch. */
    public static final String EPOCHS_FILE = "epochs.jsonl";

    public static final String MODEL_FILE = "model.lbw";
    public static final String PREDICTIONS_FILE = "test-predictions.txt";
    public static final String CHECKPOINT_FILE = "checkpoint/state.bin";
    /** The checkpoint the latest replaced; dropped when the run ends. */
    public static final String PREVIOUS_CHECKPOINT_FILE = "checkpoint/previous.bin";

    public static final String LOCK_FILE = "run.lock";
    /** The SHA-256 of the plugin code a run trains with, while it trains (run.json's provenance has it after). */
    public static final String CODE_FILE = "plugin-code.json";

    /** The folder of a suite's report, beside its runs: {@code ROOT/SUITE/report/index.html} and index.csv. */
    public static final String REPORT_FOLDER = "report";
    /** The report's page in {@link #REPORT_FOLDER}. */
    public static final String REPORT_PAGE = "index.html";

    private StoreLayout() {}
}
