package dev.lowbit.harness.plan;

import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.Discovered;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.train.Provenance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The plugin code a run's results depend on: the SHA-256 of the jars its quantizer (or factory), scale
 * rule, estimator, activation quantizer, layer-map quantizers and architecture came from, by role.
 * Built-ins have none (they change with lowbit's version).
 * It is stored with the run (run.json's provenance, {@code code.<role>.sha256}, and {@value StoreLayout#CODE_FILE}
 * while it trains); a run whose plugin code changed since is trained again rather than reported with
 * numbers the new jar never produced. Not part of the run id: the run is the same experiment, redone.
 */
final class PluginCode {

    private static final String PREFIX = "code.";
    private static final String SUFFIX = ".sha256";

    private final Schemes schemes;
    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;
    private final Map<Path, String> hashes = new ConcurrentHashMap<>();

    PluginCode(Schemes schemes, ArchitectureRegistry architectures) {
        this.schemes = schemes;
        this.quantizers = schemes.quantizers();
        this.architectures = architectures;
    }

    /**
     * {@code code.quantizer.sha256} (with its estimator), {@code code.activations.sha256},
     * {@code code.layers.sha256} (the layer map's quantizers) and {@code code.architecture.sha256} for the roles
     * a plugin fills; empty for built-ins, so runs without plugins record what they always did.
     */
    Map<String, String> of(RunConfig run) {
        Map<String, String> code = new TreeMap<>();
        put(code, "quantizer", quantizers.codeJars(run.quantizer()));
        put(code, "activations", schemes.activationQuantizers().codeJars(run.activations()));
        SortedSet<Path> layers = new TreeSet<>();
        GridRunner.layerMap(schemes, run).rules().forEach(rule -> layers.addAll(quantizers.codeJars(rule.spec())));
        put(code, "layers", layers);
        put(
                code,
                "architecture",
                architectures.find(run.architecture()).map(Discovered::pluginJar).stream()
                        .filter(Objects::nonNull)
                        .collect(Collectors.toCollection(TreeSet::new)));
        return code;
    }

    /** The code entries of a stored provenance. */
    static Map<String, String> stored(Map<String, String> provenance) {
        Map<String, String> code = new TreeMap<>();
        provenance.forEach((key, value) -> {
            if (key.startsWith(PREFIX) && key.endsWith(SUFFIX)) {
                code.put(key, value);
            }
        });
        return code;
    }

    /** What changed between the stored code and the current one, e.g. {@code quantizer 1a2b3c4d -> 5e6f7a8b}; empty when nothing did. */
    static String changes(Map<String, String> stored, Map<String, String> current) {
        List<String> changes = new ArrayList<>();
        TreeSet<String> roles = new TreeSet<>(stored.keySet());
        roles.addAll(current.keySet());
        for (String key : roles) {
            String before = stored.get(key);
            String now = current.get(key);
            if (!Objects.equals(before, now)) {
                String role = key.substring(PREFIX.length(), key.length() - SUFFIX.length());
                changes.add(role + " " + shortHash(before) + " -> " + shortHash(now));
            }
        }
        return String.join(", ", changes);
    }

    private void put(Map<String, String> code, String role, SortedSet<Path> jars) {
        if (jars.isEmpty()) {
            return;
        }
        StringBuilder all = new StringBuilder();
        for (Path jar : jars) {
            all.append(hashes.computeIfAbsent(jar, PluginCode::sha256)).append('\n');
        }
        // One jar: its own SHA-256, which a user can check with sha256sum; several: the hash of their hashes.
        String hash = jars.size() == 1
                ? all.toString().strip()
                : Provenance.sha256(all.toString().getBytes(StandardCharsets.UTF_8));
        code.put(PREFIX + role + SUFFIX, hash);
    }

    private static String sha256(Path jar) {
        return Files.isRegularFile(jar) ? Provenance.sha256(jar) : "folder " + jar;
    }

    private static String shortHash(String hash) {
        return hash == null ? "(built-in or not recorded)" : hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
