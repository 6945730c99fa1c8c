package dev.lowbit.harness.train;

import ai.djl.engine.Engine;
import dev.lowbit.harness.data.LabeledImages;
import java.util.LinkedHashMap;
import java.util.Map;

/** What made a result: versions, machine and data, stored in every run.json. */
public final class Provenance {

    private Provenance() {}

    /** The provenance of runs trained now on {@code data} with {@code threads} engine threads. */
    public static Map<String, String> collect(LabeledImages data, int threads) {
        Map<String, String> provenance = new LinkedHashMap<>();
        String version = Provenance.class.getPackage().getImplementationVersion();
        provenance.put("lowbit.version", version == null ? "development" : version);
        provenance.put("java.version", System.getProperty("java.version"));
        provenance.put("java.vendor", System.getProperty("java.vendor"));
        provenance.put("djl.version", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        provenance.put("engine", engine.getEngineName() + " " + engine.getVersion());
        provenance.put("device", engine.defaultDevice().toString());
        provenance.put("threads", String.valueOf(threads));
        provenance.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        provenance.put("dataset", data.name());
        provenance.put("dataset.directory", data.directory().toAbsolutePath().toString());
        data.sha256().forEach((file, hash) -> provenance.put("dataset.sha256." + file, hash));
        return provenance;
    }
}
