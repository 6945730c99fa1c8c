package dev.lowbit.harness.cli;

import dev.lowbit.api.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.plan.GridRunner;
import dev.lowbit.harness.plan.Plan;
import dev.lowbit.harness.plan.Shard;
import dev.lowbit.harness.plan.Suite;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plan.SuiteOverrides;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.train.ConsoleProgress;
import dev.lowbit.harness.train.Provenance;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowbit run}: trains a suite's grid, skipping finished runs, then writes the report. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train every run of a suite that is not finished yet, store it, and write the report.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--suite", defaultValue = "quick", paramLabel = "NAME|FILE.yaml",
            description = "Built-in suite name or suite file (default: ${DEFAULT-VALUE}).")
    String suiteName;

    @Option(names = "--arch", split = ",", paramLabel = "ID", description = "Replace the suite's architectures.")
    List<String> architectureIds;

    // Split only at a comma followed by a letter: a levels: alphabet's values are commas plus numbers.
    @Option(names = "--quantizer", split = ",(?=[a-z])", splitSynopsisLabel = ",", paramLabel = "SPEC",
            description = "Replace the suite's quantizers: ids, levels:V,V,... alphabets, each optionally @RULE[/channel],"
                    + " e.g. ternary,levels:-2,-1,1,2,k17@absmax.")
    List<String> quantizerIds;

    @Option(names = "--layer-policy", paramLabel = "POLICY",
            description = "Which layers to quantize: all, fp32-first, fp32-last or fp32-first-last (keep the input"
                    + " layer and/or the classifier in fp32).")
    String layerPolicy;

    @Option(names = "--out", defaultValue = "results", paramLabel = "DIR",
            description = "Results root; runs go to DIR/<suite>/<run-id>/ (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder holding the dataset's IDX files.")
    Path data;

    @Option(names = "--epochs", paramLabel = "N", description = "Replace the recipe's epoch count.")
    Integer epochs;

    @Option(names = "--train-limit", paramLabel = "N", description = "Train on the first N training images only.")
    Integer trainLimit;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "Replace the suite's seeds.")
    List<Long> seeds;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Train only shard I of N: every N-th run of the plan, starting with run I (for clusters;"
                    + " see 'lowbit plan --format slurm|k8s').")
    String shard;

    @Option(names = "--threads", paramLabel = "N",
            description = "Engine threads (default: the number of cores).")
    Integer threads;

    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;
    private final SuiteLoader suites;

    @Inject
    RunCommand(QuantizerRegistry quantizers, ArchitectureRegistry architectures, SuiteLoader suites) {
        this.quantizers = quantizers;
        this.architectures = architectures;
        this.suites = suites;
    }

    @Override
    public Integer call() {
        int engineThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (engineThreads < 1) {
            throw new BadInputException("--threads must be at least 1, got " + engineThreads + ".");
        }
        // Read by the PyTorch engine when it starts, which is after this point.
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(engineThreads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");

        Shard selected = Shard.parse(shard);
        Suite suite = withOverrides(suites.load(suiteName));
        List<RunConfig> fullPlan = Plan.of(suite, spec -> quantizers.resolve(spec).spec());
        List<RunConfig> plan = selected.select(fullPlan);
        PrintWriter out = spec.commandLine().getOut();
        ResultStore store = new ResultStore(this.out);
        out.println("Suite '" + suite.name() + "'" + (selected.isAll() ? ": " + plan.size() + " runs"
                : ", shard " + selected + ": " + plan.size() + " of " + fullPlan.size() + " runs")
                + " -> " + store.suiteDirectory(suite.name()));
        out.flush();

        GridRunner grid = new GridRunner(quantizers, architectures);
        GridRunner.Summary summary = grid.run(plan, store,
                () -> Datasets.load(suite.dataset(), data, System.getenv("LOWBIT_DATA")),
                loaded -> Provenance.collect(loaded, engineThreads),
                ConsoleProgress.to(spec.commandLine().getErr()), spec.commandLine().getErr(), suite.parityTolerance());

        Path report = ReportCommand.render(store.suiteDirectory(suite.name()),
                store.suiteDirectory(suite.name()).resolve("report").resolve("index.html"));
        out.printf("Trained %d, skipped %d finished, %d held by other workers, %d diverged, %d failed.%n",
                summary.trained(), summary.skipped(), summary.busy(), summary.diverged(), summary.failed());
        out.println("Report: " + report.toAbsolutePath());
        return summary.failed() > 0 ? 1 : 0;
    }

    private Suite withOverrides(Suite suite) {
        return new SuiteOverrides(architectureIds, quantizerIds, layerPolicy, epochs, trainLimit, seeds).apply(suite);
    }
}
