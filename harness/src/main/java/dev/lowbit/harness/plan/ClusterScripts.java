package dev.lowbit.harness.plan;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Scripts that run a plan on a cluster as N independent tasks, task I running {@code lowbit run --shard I/N}
 * against one shared results folder: an sbatch job array for Slurm, an Indexed Job for Kubernetes.
 */
public final class ClusterScripts {

    /** Memory per task: the largest built-in model trains in well under this on CPU. */
    static final String MEMORY_GIB = "8";

    // Anything else is single-quoted: suite paths and alphabets may hold spaces or shell characters.
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:,=@+%-]+");

    /**
     * One job: the plan's runs, how they are cut and where the results go.
     *
     * @param suite the suite's name (for job names and messages)
     * @param suiteArgument what {@code --suite} was given: a built-in name or a suite file
     * @param overrides the {@code run} options that replace parts of the suite, passed on unchanged
     * @param runs how many runs the plan has
     * @param tasks N, the number of tasks (shards)
     * @param cpus cores per task, also the engine's thread count
     * @param results the shared results folder as the tasks see it
     * @param taskSeconds the estimated time of the longest task, 0 when some run has no estimate
     * @param image the container image (Kubernetes)
     * @param claim the PersistentVolumeClaim that holds the results (Kubernetes)
     * @param launcher the shell command that starts lowbit, {@code ./lowbit} from a checkout
     */
    public record Job(
            String suite,
            String suiteArgument,
            List<String> overrides,
            int runs,
            int tasks,
            int cpus,
            String results,
            double taskSeconds,
            String image,
            String claim,
            String launcher) {
        public Job {
            overrides = List.copyOf(overrides);
        }
    }

    private ClusterScripts() {}

    /** An sbatch script for a job array of {@code job.tasks()} tasks. */
    public static String slurm(Job job) {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("suite", job.suite());
        scope.put("suiteFile", job.suiteArgument().equals(job.suite()) ? null : job.suiteArgument());
        scope.put("runs", job.runs());
        scope.put("tasks", job.tasks());
        scope.put("results", job.results());
        scope.put("jobName", jobName(job.suite()));
        scope.put("cpus", job.cpus());
        scope.put("memory", MEMORY_GIB + "G");
        scope.put("timeLimit", timeLimit(job.taskSeconds()));
        scope.put(
                "timeNote",
                job.taskSeconds() > 0
                        ? "the longest task's estimate, " + TimeEstimate.duration(job.taskSeconds())
                                + ", x 1.5 + 10 min, since cluster cores differ from the machine that measured it."
                        : "some architectures have no measured epoch time, so a full day; edit --time below to fit.");
        scope.put("command", command(job, job.results(), "\"${SLURM_ARRAY_TASK_ID}/" + job.tasks() + "\""));
        StringWriter out = new StringWriter();
        Templates.SLURM.execute(out, scope);
        return out.toString();
    }

    /** A batch/v1 Indexed Job of {@code job.tasks()} completions, all running at once, results on a volume claim. */
    public static String kubernetes(Job job) {
        // A volume mounts at an absolute path: a relative results folder is taken from the container's root.
        String mount = Path.of("/").resolve(job.results()).normalize().toString();
        // A shell, because the shard comes from arithmetic on the completion index Kubernetes sets.
        Map<String, Object> container = map(
                "name",
                "lowbit",
                "image",
                job.image(),
                "command",
                List.of("/bin/sh", "-c", command(job, mount, "$((JOB_COMPLETION_INDEX+1))/" + job.tasks())),
                "resources",
                map("requests", resources(job), "limits", resources(job)),
                "volumeMounts",
                List.of(map("name", "results", "mountPath", mount)));
        Map<String, Object> pod = map(
                "restartPolicy",
                "Never",
                "containers",
                List.of(container),
                "volumes",
                List.of(map("name", "results", "persistentVolumeClaim", map("claimName", job.claim()))));
        Map<String, Object> manifest = map(
                "apiVersion",
                "batch/v1",
                "kind",
                "Job",
                "metadata",
                map("name", jobName(job.suite()), "labels", map("app.kubernetes.io/name", "lowbit")),
                "spec",
                map(
                        "completionMode",
                        "Indexed",
                        "completions",
                        job.tasks(),
                        "parallelism",
                        job.tasks(),
                        // A failed pod is retried (finished runs are skipped then); bounded so a broken image stops.
                        "backoffLimit",
                        job.tasks(),
                        "template",
                        map("metadata", map("labels", map("app.kubernetes.io/name", "lowbit")), "spec", pod)));

        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(Integer.MAX_VALUE);
        String header = List.of(
                        "lowbit suite '" + job.suite() + "': " + job.runs() + " runs as an Indexed Job of "
                                + job.tasks() + " pods; pod I (0-based) runs `lowbit run --shard I+1/" + job.tasks()
                                + "`.",
                        "Every pod writes to the claim '" + job.claim() + "' at " + mount
                                + "; finished runs are skipped," + " so rerunning the Job resumes the grid.",
                        job.taskSeconds() > 0
                                ? "Estimated time of the longest pod: " + TimeEstimate.duration(job.taskSeconds())
                                        + " (measured epoch times)."
                                : "Some architectures have no measured epoch time: no estimate.",
                        job.suiteArgument().equals(job.suite())
                                ? "Apply with: kubectl apply -f THIS_FILE"
                                : "The suite file '" + job.suiteArgument() + "' must exist at that path in the image.")
                .stream()
                .map(line -> "# " + line + System.lineSeparator())
                .collect(Collectors.joining());
        return header + new Yaml(options).dump(manifest);
    }

    /** A fresh map per use: a map shared by two places would be dumped as a YAML anchor and alias. */
    private static Map<String, Object> resources(Job job) {
        return map("cpu", String.valueOf(job.cpus()), "memory", MEMORY_GIB + "Gi");
    }

    /** A mapping that keeps the order written, so manifests read in the usual Kubernetes order. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** {@code ./lowbit run} with the suite, the shard expression (left unquoted for the shell), results and overrides. */
    private static String command(Job job, String results, String shardExpression) {
        // The launcher is a command line of its own (e.g. java -cp ... Main), so it is not quoted.
        List<String> words = new ArrayList<>(List.of(
                "exec",
                job.launcher(),
                "run",
                "--suite",
                quote(job.suiteArgument()),
                "--shard",
                shardExpression,
                "--out",
                quote(results),
                "--threads",
                String.valueOf(job.cpus())));
        job.overrides().stream().map(ClusterScripts::quote).forEach(words::add);
        return String.join(" ", words);
    }

    /** A word the shell passes on unchanged. */
    static String quote(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** A job name both schedulers accept: lower-case letters, digits and '-', at most 63 characters. */
    static String jobName(String suite) {
        String name = ("lowbit-" + suite.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]+", "-");
        name = name.substring(0, Math.min(63, name.length()));
        return name.replaceAll("-+$", "");
    }

    /** Slurm's D-HH:MM:SS: the estimate x 1.5 + 10 minutes, or a day when nothing is measured. */
    static String timeLimit(double taskSeconds) {
        long minutes = taskSeconds > 0 ? (long) Math.ceil(taskSeconds * 1.5 / 60) + 10 : 24 * 60;
        return String.format(Locale.ROOT, "%d-%02d:%02d:00", minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    }

    /** The compiled templates; Mustache's HTML escaping is switched off, since the output is a shell script. */
    private static final class Templates {
        static final Mustache SLURM = compile("slurm.sh.mustache");

        private static Mustache compile(String name) {
            DefaultMustacheFactory factory = new DefaultMustacheFactory() {
                @Override
                public void encode(String value, Writer writer) {
                    try {
                        writer.write(value);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            try (Reader reader =
                    new InputStreamReader(ClusterScripts.class.getResourceAsStream(name), StandardCharsets.UTF_8)) {
                return factory.compile(reader, name);
            } catch (IOException e) {
                throw new UncheckedIOException("Built-in template " + name + " is unreadable", e);
            }
        }
    }
}
