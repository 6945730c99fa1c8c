package dev.lowbit.harness.train;

import dev.lowbit.api.result.EpochRecord;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on stderr: a live bar over all the run's batches when stderr is a terminal, and one
 * plain line per epoch either way (logs and CI get the same facts without control characters).
 */
public final class ConsoleProgress implements ProgressReporter {

    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private String label;

    public ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on stderr, with a bar only when there is a terminal to draw it on. */
    public static ConsoleProgress onStandardError() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public void runStarted(String label, int epochs, long batchesPerEpoch) {
        this.label = label;
        out.println("-> " + label + ": " + epochs + " epochs x " + batchesPerEpoch + " batches");
        if (terminal) {
            bar = new ProgressBarBuilder()
                    .setTaskName(label)
                    .setInitialMax(epochs * batchesPerEpoch)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                    .setUpdateIntervalMillis(250)
                    .continuousUpdate()
                    .build();
        }
    }

    @Override
    public void batchFinished(double loss) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f", loss));
        }
    }

    @Override
    public void epochFinished(EpochRecord epoch) {
        String line = String.format(Locale.ROOT,
                "   %s epoch %d: train loss %.4f acc %.4f | validation loss %.4f acc %.4f | %.1f s",
                label, epoch.epoch(), epoch.trainLoss(), epoch.trainAccuracy(),
                epoch.validationLoss(), epoch.validationAccuracy(), epoch.seconds());
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, "val acc %.4f", epoch.validationAccuracy()));
        } else {
            out.println(line);
        }
    }

    @Override
    public void runEnded(String summary) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.println("   " + summary);
    }
}
