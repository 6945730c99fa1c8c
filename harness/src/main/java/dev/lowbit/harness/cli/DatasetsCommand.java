package dev.lowbit.harness.cli;

import dev.lowbit.harness.data.DatasetDownload;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.train.ConsoleProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lowbit datasets}: getting the datasets lowbit reads; alone it lists its subcommands. */
@Command(
        name = "datasets",
        mixinStandardHelpOptions = true,
        description = "Fetch the datasets lowbit trains on. Nothing is downloaded unless asked here.",
        subcommands = DatasetsCommand.Download.class)
public final class DatasetsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code lowbit datasets download NAME}: the official files, checked against their pinned SHA-256. */
    @Command(
            name = "download",
            mixinStandardHelpOptions = true,
            description = "Download a dataset's official files, check each against its pinned size and SHA-256,"
                    + " and resume a partial download.")
    public static final class Download implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DATASET", description = "fashion-mnist or cifar-10.")
        String dataset;

        @Option(
                names = "--to",
                paramLabel = "DIR",
                description = "Folder the files go to. Default: where 'lowbit run' looks without --data,"
                        + " ~/.lowbit/datasets/DATASET.")
        Path to;

        @Option(
                names = "--mirror",
                paramLabel = "URL",
                description = "Base URL of a copy of the files, replacing the official one (file names are"
                        + " appended); http is allowed here, the checksums still apply.")
        String mirror;

        @Override
        public Integer call() {
            DatasetDownload.Source source = DatasetDownload.source(dataset);
            Path folder = to != null ? to : Datasets.homeFolder(source.dataset());
            PrintWriter out = spec.commandLine().getOut();
            new DatasetDownload(out, ConsoleProgress.hasTerminal() ? System.err : null)
                    .download(source, folder, mirror);
            out.println(
                    to == null
                            ? "'lowbit run' finds it there with no option."
                            : "Train on it with --data " + folder + " (or LOWBIT_DATA=" + folder + ").");
            return 0;
        }
    }
}
