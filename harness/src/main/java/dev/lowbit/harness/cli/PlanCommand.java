package dev.lowbit.harness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.StoreJson;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plan.ClusterScripts;
import dev.lowbit.harness.plan.EpochTimes;
import dev.lowbit.harness.plan.Plan;
import dev.lowbit.harness.plan.Shard;
import dev.lowbit.harness.plan.Suite;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plan.TimeEstimate;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.store.RunIds;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowbit plan}: what {@code run} would train, how long it takes, and scripts that run it on a cluster. */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = "Show the runs of a suite with estimated times (table), or write a Slurm job array (slurm) or"
                + " a Kubernetes Indexed Job (k8s) whose tasks each run one shard of it.")
public final class PlanCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = StoreJson.mapper();
    private static final List<String> FORMATS = List.of("table", "json", "slurm", "k8s");
    /** Tasks of a job array when --tasks is not given: enough to spread the paper grid, few enough to queue. */
    private static final int DEFAULT_MAX_TASKS = 32;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    SuiteOptions suiteOptions;

    @Mixin
    PluginOptions pluginOptions;

    @Option(
            names = "--out",
            defaultValue = "results",
            paramLabel = "DIR",
            description = "Results root: finished runs and stored epoch times are read from it, and scripts write to it"
                    + " (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--format",
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table, json (schema lowbit.plan/1, docs/JSON.md), slurm or k8s (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to FILE instead of the terminal.")
    Path output;

    @Option(
            names = "--tasks",
            paramLabel = "N",
            description = "Tasks of the job array (default: the run count, at most " + DEFAULT_MAX_TASKS + ").")
    Integer tasks;

    @Option(
            names = "--launcher",
            defaultValue = "./lowbit",
            paramLabel = "COMMAND",
            description = "The command each task starts lowbit with (default: ${DEFAULT-VALUE}, from the checkout the"
                    + " job is submitted from; e.g. 'java -jar /opt/lowbit/lowbit.jar' on an installed cluster).")
    String launcher;

    @Option(
            names = "--cpus",
            defaultValue = "2",
            paramLabel = "N",
            description = "Cores per task (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(
            names = "--image",
            defaultValue = "lowbit:latest",
            paramLabel = "IMAGE",
            description = "Container image for k8s (default: ${DEFAULT-VALUE}).")
    String image;

    @Option(
            names = "--claim",
            defaultValue = "lowbit-results",
            paramLabel = "NAME",
            description = "PersistentVolumeClaim holding the results for k8s (default: ${DEFAULT-VALUE}).")
    String claim;

    private final PluginHost pluginHost;

    @Inject
    PlanCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    @Override
    public Integer call() {
        BadInputException.requireOneOf("--format", format, FORMATS);
        Shard selected = suiteOptions.shard();
        if (!selected.isAll() && !format.equals("table") && !format.equals("json")) {
            throw new BadInputException("--shard shows one shard's runs in a table or JSON; --format " + format
                    + " shards the whole plan itself (set the number of shards with --tasks).");
        }
        if (cpus < 1) {
            throw new BadInputException("--cpus must be at least 1, got " + cpus + ".");
        }
        if (tasks != null && tasks < 1) {
            throw new BadInputException("--tasks must be at least 1, got " + tasks + ".");
        }
        if (output != null) {
            OutputPaths.requireWritableFile(
                    "-o",
                    output,
                    format.equals("table") ? "plan.txt" : format.equals("json") ? "plan.json" : "job." + format);
        }
        Plugins plugins =
                pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        Schemes schemes = Schemes.of(plugins);
        ArchitectureRegistry architectures = plugins.architectures();
        Suite suite = suiteOptions.load(new SuiteLoader(architectures, schemes));
        suite.architectures().forEach(architectures::get);
        List<RunConfig> plan = Plan.of(suite, schemes);
        EpochTimes times = EpochTimes.measured(out);
        TimeEstimate estimate = TimeEstimate.of(plan, times);

        String text = switch (format) {
            case "table" -> table(document(suite, plan, selected, estimate, times));
            case "json" -> OutputFormat.json(document(suite, plan, selected, estimate, times));
            default -> {
                int n = tasks != null ? tasks : Math.max(1, Math.min(plan.size(), DEFAULT_MAX_TASKS));
                // A time limit from the measured runs alone would be too short for the unmeasured ones.
                double taskSeconds = estimate.unknown(i -> true) > 0 ? 0 : estimate.longestShard(n);
                ClusterScripts.Job job = new ClusterScripts.Job(
                        suite.name(),
                        suiteOptions.suiteArgument(),
                        suiteOptions.overrides().arguments(),
                        plan.size(),
                        n,
                        cpus,
                        out.toString(),
                        taskSeconds,
                        image,
                        claim,
                        launcher);
                yield format.equals("slurm") ? ClusterScripts.slurm(job) : ClusterScripts.kubernetes(job);
            }
        };
        PrintWriter terminal = spec.commandLine().getOut();
        if (output == null) {
            terminal.print(text);
        } else {
            try {
                Files.writeString(output, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BadInputException(
                        "Cannot write '" + output + "': " + e.getMessage()
                                + ". Give -o a file in a folder that exists and is writable.",
                        e);
            }
            terminal.println("Wrote " + output + " (" + plan.size() + " runs"
                    + (format.equals("slurm")
                            ? "); submit it with: sbatch " + output
                            : format.equals("k8s") ? "); start it with: kubectl apply -f " + output : ")"));
        }
        terminal.flush();
        return 0;
    }

    /**
     * One line per run of the shard, then the count, the estimate and where each estimate came from: the
     * JSON document's content ({@link #document}) as text, so both formats read the store once, the same way.
     * The activations and layer policy columns are there only when some run has activations or a policy
     * other than {@code all}.
     */
    private String table(PlanDocument plan) {
        boolean activations =
                plan.runs().stream().anyMatch(run -> !run.activations().equals(RunConfig.NO_ACTIVATIONS));
        boolean policies =
                plan.runs().stream().anyMatch(run -> !run.layerPolicy().equals(RunConfig.FP32_LAYER_POLICY));
        List<String[]> rows = new ArrayList<>();
        rows.add(columns(
                activations,
                policies,
                "run id",
                "architecture",
                "quantizer",
                "activations",
                "layer policy",
                "recipe",
                "seed",
                "epochs",
                "estimate",
                "status"));
        for (PlanDocument.Run run : plan.runs()) {
            rows.add(columns(
                    activations,
                    policies,
                    run.runId(),
                    run.architecture(),
                    run.quantizer(),
                    run.activations(),
                    run.layerPolicy(),
                    run.recipe(),
                    String.valueOf(run.seed()),
                    String.valueOf(run.epochs()),
                    run.estimatedSeconds() == null ? "?" : TimeEstimate.duration(run.estimatedSeconds()),
                    run.status() == null ? "" : run.status()));
        }
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text);
        int count = plan.runs().size();
        w.println("Suite '" + plan.suite() + "' (" + plan.dataset() + ")"
                + (plan.shard() == null
                        ? ": " + count + " runs"
                        : ", shard " + plan.shard() + ": " + count + " of " + plan.planRuns() + " runs")
                + " -> " + plan.directory());
        int[] widths = new int[rows.get(0).length];
        rows.forEach(row -> {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        });
        // Seed, epochs and estimate: numbers and times right-aligned so they compare down a column.
        int firstNumber = rows.get(0).length - 4;
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                boolean right = c >= firstNumber && c < firstNumber + 3;
                line.append(String.format(Locale.ROOT, "%" + (right ? "" : "-") + widths[c] + "s  ", row[c]));
            }
            w.println(line.toString().stripTrailing());
        }
        int unknown = plan.unknownEstimates();
        w.printf(
                "%d runs, %d done. Estimated time on one worker: %s in all, %s still to run%s.%n",
                count,
                plan.done(),
                TimeEstimate.duration(plan.estimatedSeconds()),
                TimeEstimate.duration(plan.estimatedSecondsToRun()),
                unknown > 0 ? ", not counting " + unknown + " runs without a measured epoch time (?)" : "");
        w.println(
                "Seconds per epoch on the full training set (a run: epochs x these, x trainLimit / training images):");
        for (PlanDocument.EpochTime source : plan.epochTimes()) {
            w.printf(
                    Locale.ROOT,
                    "  %-14s %-10s %s%n",
                    source.architecture(),
                    source.kind(),
                    source.secondsPerEpoch() != null
                            ? String.format(Locale.ROOT, "%7.1f s  %s", source.secondsPerEpoch(), source.source())
                            : "      ?    not measured: no stored epochs under " + out
                                    + " and not in the built-in table");
        }
        if (plan.builtInTable() != null) {
            w.println("Built-in table: " + plan.builtInTable() + ".");
        }
        w.flush();
        return text.toString();
    }

    /** The table's content as the JSON document {@link PlanDocument}. */
    private PlanDocument document(
            Suite suite, List<RunConfig> plan, Shard selected, TimeEstimate estimate, EpochTimes times) {
        ResultStore store = new ResultStore(out);
        List<PlanDocument.Run> runs = new ArrayList<>();
        Set<Integer> toRun = new HashSet<>();
        int done = 0;
        for (int i = 0; i < plan.size(); i++) {
            if (!selected.owns(i)) {
                continue;
            }
            RunConfig run = plan.get(i);
            String runId = RunIds.of(run);
            String status = status(store.runDirectory(suite.name(), runId).resolve(StoreLayout.RUN_FILE));
            done += status.equals("done") ? 1 : 0;
            if (!status.equals("done")) {
                toRun.add(i);
            }
            runs.add(new PlanDocument.Run(
                    runId,
                    run.architecture(),
                    run.quantizer(),
                    run.activations(),
                    run.layerPolicy(),
                    run.recipe().name(),
                    run.seed(),
                    run.recipe().epochs(),
                    estimate.seconds(i).orElse(null),
                    status.isEmpty() ? null : status));
        }
        List<PlanDocument.EpochTime> epochTimes = estimate.sources().stream()
                .map(source -> new PlanDocument.EpochTime(
                        source.architecture(),
                        source.fp32() ? "fp32" : "quantized",
                        source.measure().map(EpochTimes.Measure::seconds).orElse(null),
                        source.measure().map(EpochTimes.Measure::source).orElse(null)))
                .toList();
        boolean builtIn = estimate.sources().stream()
                .anyMatch(s -> s.measure().map(EpochTimes.Measure::builtIn).orElse(false));
        return new PlanDocument(
                PlanDocument.SCHEMA,
                suite.name(),
                suite.dataset(),
                store.suiteDirectory(suite.name()).toString(),
                selected.isAll() ? null : selected.toString(),
                plan.size(),
                runs,
                done,
                estimate.total(selected::owns),
                estimate.total(toRun::contains),
                estimate.unknown(selected::owns),
                epochTimes,
                builtIn ? times.tableDetails() : null);
    }

    /** The cells of a row, with the activations (index 3) and layer policy (index 4) cells only when shown. */
    private static String[] columns(boolean activations, boolean policies, String... cells) {
        List<String> shown = new ArrayList<>(List.of(cells));
        if (!policies) {
            shown.remove(4);
        }
        if (!activations) {
            shown.remove(3);
        }
        return shown.toArray(String[]::new);
    }

    /** {@code done} for a finished run, the stored status for another stored one, empty if it has not run. */
    private static String status(Path runFile) {
        if (!Files.isRegularFile(runFile)) {
            return "";
        }
        try {
            byte[] json = Files.readAllBytes(runFile);
            StoreJson.requireKnownVersion(JSON, json, runFile, RunRecord.SCHEMA_VERSION);
            String status = JSON.readTree(json).path("status").asText("");
            return status.equals("FINISHED") ? "done" : status.toLowerCase(Locale.ROOT);
        } catch (StoreJson.NewerVersionException e) {
            return "newer lowbit's run.json";
        } catch (IOException e) {
            return "unreadable run.json";
        }
    }
}
