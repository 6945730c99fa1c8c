package dev.lowbit.harness.train;

import dev.lowbit.format.result.EpochRecord;
import java.io.Console;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress: a live bar over all the run's batches on stderr when it is a terminal, and plain lines
 * (run start, resume, epochs, end) on the CLI's error stream, so logs, CI and tests get the facts
 * without control characters.
 */
public final class ConsoleProgress implements ProgressReporter {

    private final PrintWriter out;
    private final PrintStream terminal;
    private ProgressBar bar;
    private String label;
    private int totalEpochs;

    /**
     * @param out where the plain lines go
     * @param terminal where the bar is drawn, or null for no bar
     */
    public ConsoleProgress(PrintWriter out, PrintStream terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Lines to {@code out}, and a bar on stderr only when there is a terminal to draw it on. */
    public static ConsoleProgress to(PrintWriter out) {
        return new ConsoleProgress(out, hasTerminal() ? System.err : null);
    }

    /**
     * Whether lowbit runs in a terminal. Up to Java 21 a console exists only then; from Java 22 on one exists even
     * when the output is redirected, and its {@code isTerminal()} (looked up, as lowbit is built for Java 17) tells.
     */
    @SuppressWarnings("SystemConsoleNull") // the null check serves up to Java 21; isTerminal() is asked below
    public static boolean hasTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    @Override
    public void runStarted(String label, int epochs, long batchesPerEpoch) {
        this.label = label;
        this.totalEpochs = epochs;
        out.println("-> " + label + ": " + epochs + " epochs x " + batchesPerEpoch + " batches");
        if (terminal != null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(label)
                    .setInitialMax(epochs * batchesPerEpoch)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(terminal))
                    .setUpdateIntervalMillis(250)
                    .continuousUpdate()
                    .build();
        }
    }

    @Override
    public void resumed(int epoch) {
        if (bar != null) {
            bar.stepTo(bar.getMax() / totalEpochs * epoch);
        }
        out.println("   " + label + ": resumed after epoch " + epoch + " from its checkpoint");
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
        String line = String.format(
                Locale.ROOT,
                "   %s epoch %d: train loss %.4f acc %.4f | validation loss %.4f acc %.4f | %.1f s",
                label,
                epoch.epoch(),
                epoch.trainLoss(),
                epoch.trainAccuracy(),
                epoch.validationLoss(),
                epoch.validationAccuracy(),
                epoch.seconds());
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
