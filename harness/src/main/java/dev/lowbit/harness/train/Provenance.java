package dev.lowbit.harness.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.lowbit.harness.data.LabeledImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * What made a result, stored in every run.json:
 * <pre>
 *   lowbit.version          the jar's version ("development" when run from classes)
 *   lowbit.commit           the git commit lowbit was built from, "-dirty" appended when the tree had
 *                           uncommitted changes; "unknown" when built without git (read at build time)
 *   java.version, java.vendor, djl.version, engine, device, threads, os
 *   threads.source          where the thread count came from, e.g. "cgroup CPU quota ... = 1 CPU", "--threads 2"
 *   openmp.wait             the engine's OpenMP wait policy, e.g. "OMP_WAIT_POLICY=PASSIVE (lowbit's default)"
 *   dataset, dataset.directory, dataset.sha256.FILE
 *   suite.source            built-in:NAME, or the absolute path of the suite's YAML file
 *   suite.sha256            SHA-256 of the YAML bytes the suite was read from (a built-in's resource)
 *   plugin.jar.PATH         SHA-256 of each jar outside lowbit that a quantizer or architecture came from
 * </pre>
 * The suite's name is the config's {@code suite}.
 */
public final class Provenance {

    /** Written at build time by git-commit-id-maven-plugin (harness/pom.xml); absent in a build without git. */
    static final String GIT_PROPERTIES = "/dev/lowbit/harness/git.properties";

    /** The value of a key that cannot be known, e.g. the commit of a build from a source tarball. */
    public static final String UNKNOWN = "unknown";

    private Provenance() {}

    /**
     * The provenance of runs trained now.
     *
     * @param data the dataset the runs train on
     * @param threads the engine's threads and where their count came from
     * @param device where the runs train ({@code --device})
     * @param suiteSource where it was read from: {@code built-in:NAME} or a file's absolute path (null: unknown)
     * @param suiteSha256 SHA-256 of the bytes it was read from (null: unknown)
     * @param pluginJars the jars outside lowbit that quantizers or architectures were loaded from
     */
    public static Map<String, String> collect(
            LabeledImages data,
            EngineThreads threads,
            Device device,
            String suiteSource,
            String suiteSha256,
            Collection<Path> pluginJars) {
        Map<String, String> provenance = new LinkedHashMap<>();
        String version = Provenance.class.getPackage().getImplementationVersion();
        provenance.put("lowbit.version", version == null ? "development" : version);
        provenance.put("lowbit.commit", commit());
        provenance.put("java.version", System.getProperty("java.version"));
        provenance.put("java.vendor", System.getProperty("java.vendor"));
        provenance.put("djl.version", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        provenance.put("engine", engine.getEngineName() + " " + engine.getVersion());
        provenance.put("device", device.toString());
        provenance.put("threads", String.valueOf(threads.count()));
        provenance.put("threads.source", threads.source());
        provenance.put("openmp.wait", EngineSettings.waitPolicy());
        provenance.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        provenance.put("dataset", data.name());
        provenance.put("dataset.directory", data.directory().toAbsolutePath().toString());
        data.sha256().forEach((file, hash) -> provenance.put("dataset.sha256." + file, hash));
        provenance.put("suite.source", suiteSource == null ? UNKNOWN : suiteSource);
        provenance.put("suite.sha256", suiteSha256 == null ? UNKNOWN : suiteSha256);
        for (Path jar : new TreeSet<>(pluginJars)) {
            provenance.put("plugin.jar." + jar, Files.isRegularFile(jar) ? sha256(jar) : "folder, not hashed");
        }
        return provenance;
    }

    /**
     * The commit lowbit was built from, with {@code -dirty} appended when the working tree had
     * uncommitted changes, or {@link #UNKNOWN} when the build had no git repository.
     */
    public static String commit() {
        try (InputStream in = Provenance.class.getResourceAsStream(GIT_PROPERTIES)) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties git = new Properties();
            git.load(in);
            String id = git.getProperty("git.commit.id.full", "").trim();
            if (id.isEmpty()) {
                return UNKNOWN;
            }
            return id + ("true".equals(git.getProperty("git.dirty", "").trim()) ? "-dirty" : "");
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** SHA-256 of {@code bytes}, in lower-case hex. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** SHA-256 of a file's bytes, in lower-case hex. */
    public static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
