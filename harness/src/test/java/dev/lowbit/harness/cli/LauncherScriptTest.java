package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./lowbit} launcher as a user's shell runs it, in a copy of the checkout's layout: with a built
 * jar it starts lowbit, after a change it builds first (through a stand-in {@code mvn} that records its
 * arguments), without Maven it says so. The environment is emptied but for {@code PATH} and {@code HOME},
 * as {@code env -i} would.
 *
 * <p>The launcher must run on macOS's bash 3.2: {@code -Dlowbit.test.bash=/path/to/bash-3.2} runs these tests
 * under it (without it, under the {@code bash} on the PATH), and {@link #usesNoShellFeatureNewerThanBash32}
 * reads the script for what bash 3.2 or macOS's BSD tools lack.
 */
class LauncherScriptTest {

    /** What bash 3.2 or macOS's userland lacks, with a pattern that finds it in the script. */
    private static final Map<String, String> NOT_ON_MACOS = Map.ofEntries(
            Map.entry("associative arrays (bash 4)", "(declare|local|typeset)\\s+-[a-zA-Z]*A"),
            Map.entry("case conversion ${x,,} ${x^^} (bash 4)", "\\$\\{[^}]*(,,|\\^\\^|,|\\^)\\}"),
            Map.entry("mapfile/readarray (bash 4)", "\\b(mapfile|readarray)\\b"),
            Map.entry("&>> and |& (bash 4)", "&>>|\\|&"),
            Map.entry("negative substring offsets ${x: -1} (bash 4.2)", "\\$\\{[^}]*:\\s+-\\d"),
            Map.entry("coproc (bash 4)", "\\bcoproc\\b"),
            Map.entry("[[ -v ]] (bash 4.2)", "\\[\\[\\s+-v\\b"),
            Map.entry("namerefs (bash 4.3)", "(declare|local)\\s+-[a-zA-Z]*n\\b"),
            Map.entry("${x@Q} transformations (bash 4.4)", "\\$\\{[^}]*@[QEPAaKkUuL]\\}"),
            Map.entry("wait -n (bash 4.3)", "\\bwait\\s+-n\\b"),
            Map.entry("globstar (bash 4)", "globstar"),
            Map.entry("$EPOCHSECONDS/$EPOCHREALTIME (bash 5)", "EPOCH(SECONDS|REALTIME)"),
            Map.entry("readlink -f (GNU)", "readlink\\s+-f"),
            Map.entry("sed -i without a suffix (GNU)", "sed\\s+-i(\\s|$)"),
            Map.entry("find -printf (GNU)", "-printf\\b"),
            Map.entry("stat -c (GNU)", "stat\\s+-c"),
            Map.entry("date -d (GNU)", "date\\s+-d"),
            Map.entry("grep -P (GNU)", "grep\\s+-[a-zA-Z]*P"),
            Map.entry("xargs -r (GNU)", "xargs\\s+-[a-zA-Z]*r"),
            Map.entry("timeout (GNU coreutils)", "(^|[;&|(]\\s*)timeout\\s"));

    @TempDir
    Path dir;

    @Test
    void usesNoShellFeatureNewerThanBash32() throws IOException {
        List<String> lines = Files.readAllLines(launcher());
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("^\\s*#.*", "");
            for (Map.Entry<String, String> feature : NOT_ON_MACOS.entrySet()) {
                if (Pattern.compile(feature.getValue()).matcher(line).find()) {
                    found.add("line " + (i + 1) + ": " + feature.getKey() + ": "
                            + lines.get(i).strip());
                }
            }
        }
        assertThat(found).isEmpty();
        assertThat(lines.get(0)).isEqualTo("#!/usr/bin/env bash");
    }

    @Test
    void withTheJarBuiltItRunsLowbit() throws Exception {
        Path root = checkoutCopy();
        builtJar(root.resolve("harness/target/lowbit-harness.jar"));
        Files.createDirectories(root.resolve("harness/target/lib"));
        stamp(root);

        Launched launched = launch(root, pathWithoutMaven(), "--version");
        assertThat(launched.exitCode()).as(launched.output()).isZero();
        assertThat(launched.output()).isEqualTo("lowbit development\n");
        // The log says which bash ran the launcher (macOS's is 3.2.57).
        Process version = new ProcessBuilder(bash(), "-c", "echo $BASH_VERSION").start();
        String bashVersion = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        System.out.println("./lowbit ran under bash " + bashVersion);
    }

    @Test
    void afterAChangeItBuildsWithMavenFirst() throws Exception {
        Path root = checkoutCopy();
        Path jar = builtJar(dir.resolve("built.jar"));
        Files.createDirectories(root.resolve("harness/target/lib"));
        stamp(root);
        // A pom changed after the last build.
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.setLastModifiedTime(
                root.resolve("pom.xml"), FileTime.from(Instant.now().plusSeconds(60)));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path arguments = dir.resolve("mvn-arguments");
        // The stand-in for Maven: records how it was called and "builds" the jar.
        Path mvn = Files.writeString(bin.resolve("mvn"), """
                #!/bin/sh
                echo "$@" > '%s'
                pwd >> '%s'
                '%s' '%s' harness/target/lowbit-harness.jar
                """.formatted(arguments, arguments, onPath("cp"), jar));
        assertThat(mvn.toFile().setExecutable(true)).isTrue();

        Launched launched = launch(root, bin + File.pathSeparator + pathWithoutMaven(), "--version");
        assertThat(launched.exitCode()).as(launched.output()).isZero();
        assertThat(launched.output())
                .isEqualTo("lowbit: building (first use, or sources changed) ...\nlowbit development\n");
        assertThat(Files.readAllLines(arguments))
                .containsExactly(
                        "-q -B -Dstyle.color=never -DskipTests package",
                        root.toRealPath().toString());
        assertThat(root.resolve("harness/target/.lowbit-built")).exists();
    }

    @Test
    void withoutMavenToBuildItSaysSoAndExitsTwo() throws Exception {
        Path root = checkoutCopy();
        Launched launched = launch(root, pathWithoutMaven(), "--version");
        assertThat(launched.exitCode()).isEqualTo(2);
        assertThat(launched.output())
                .isEqualTo("lowbit: Maven (mvn) is needed to build lowbit; install it, e.g. apt-get install maven\n");
    }

    /** The launcher and the folders it looks at, in a folder of its own. */
    private Path checkoutCopy() throws IOException {
        Path root = Files.createDirectories(dir.resolve("lowbit checkout")); // a space, as in many home folders
        Files.copy(launcher(), root.resolve("lowbit"));
        assertThat(root.resolve("lowbit").toFile().setExecutable(true)).isTrue();
        Files.createDirectories(root.resolve("harness/target"));
        return root;
    }

    /** Marks the build as done: the stamp, newer than everything in {@code root}. */
    private static void stamp(Path root) throws IOException {
        Path stamp = Files.writeString(root.resolve("harness/target/.lowbit-built"), "");
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
    }

    /** A jar holding no classes whose manifest puts this test's class path (lowbit's classes, its libraries) on its own. */
    private static Path builtJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toAbsolutePath().toUri().toString());
        }
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            return jar;
        }
    }

    /** The commands the launcher uses besides Maven, alone in a folder: java's folder and that one. */
    private String pathWithoutMaven() throws IOException {
        Path tools = dir.resolve("tools");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            for (String tool : List.of("dirname", "find", "touch")) {
                Files.createSymbolicLink(tools.resolve(tool), onPath(tool));
            }
        }
        return Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + tools;
    }

    /** {@code command} as found on this JVM's PATH. */
    private static Path onPath(String command) {
        for (String folder : System.getenv("PATH").split(File.pathSeparator)) {
            Path candidate = Path.of(folder, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(command + " is not on the PATH");
    }

    private record Launched(int exitCode, String output) {}

    /** Runs {@code bash ROOT/lowbit args} with only PATH and HOME set, from another folder. */
    private Launched launch(Path root, String path, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(bash(), root.resolve("lowbit").toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("launcher.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", path);
        builder.environment().put("HOME", dir.toString());
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Launched(process.exitValue(), Files.readString(log));
    }

    /** The bash that runs the launcher: {@code -Dlowbit.test.bash}, else the one on the PATH. */
    private static String bash() {
        String bash = System.getProperty("lowbit.test.bash");
        return bash == null ? onPath("bash").toString() : bash;
    }

    private static Path launcher() {
        return ReadmeMaven.checkout().resolve("lowbit");
    }
}
