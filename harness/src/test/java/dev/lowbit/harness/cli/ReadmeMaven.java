package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The README's plugin guides as a user follows them: their sections and the code blocks that are files,
 * and Maven run with the README's own commands, nested.
 *
 * <p>The nested builds use a repository of their own in a temporary folder, never the user's, and read
 * every artifact the outer build already has from its repository (a {@code file:} repository), so they
 * need no network beyond what a first build of lowbit already fetched (in CI, Maven Central may supply
 * the rest, e.g. maven-install-plugin, which {@code mvn verify} itself never uses). The api is installed
 * into that repository once per test JVM and shared by the tests that build plugins from the README: the
 * install and the Maven plugins the first build resolves are the slow part, and the same for every guide.
 */
final class ReadmeMaven {

    /** The README's commands, run here word for word (without "mvn"). */
    static final String INSTALL_API = "mvn -q install -DskipTests -pl api -am";
    static final String PACKAGE = "mvn package";

    private static final Pattern CODE_BLOCK = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL);
    /**
     * A block that is a file starts with a comment naming it: {@code // file: PATH}, {@code # file: PATH},
     * {@code <!-- file: PATH -->}.
     */
    private static final Pattern FILE_NAME = Pattern.compile("^(?://|#|<!--) file: (\\S+)(?: -->)?\\n");
    /** A heading of level 2 or 3 at the start of a line (code blocks in the guides hold none). */
    private static final Pattern SECTION_END = Pattern.compile("\\n#{2,3} ");

    /** The shared repository, once installed; guarded by the class. */
    private static Repository installed;

    /** A Maven repository holding lowbit's api, and the settings that read the outer build's cache. */
    record Repository(Path settings, Path repository) {}

    private ReadmeMaven() {}

    /** lowbit's checkout: the harness module's parent. */
    static Path checkout() {
        return Path.of("..").toAbsolutePath().normalize();
    }

    static String readme() throws IOException {
        return Files.readString(checkout().resolve("README.md"));
    }

    /**
     * The text from {@code heading} (a whole line) to the next heading of level 2 or 3, so a section's
     * subsections are sections of their own.
     */
    static String section(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        assertThat(start).as("README section '%s'", heading).isNotNegative();
        Matcher end = SECTION_END.matcher(readme);
        return readme.substring(start, end.find(start + heading.length() + 2) ? end.start() : readme.length());
    }

    /** The section's code blocks that are files, by path; each keeps its naming comment, valid in every format. */
    static Map<String, String> files(String section) {
        Map<String, String> files = new LinkedHashMap<>();
        Matcher block = CODE_BLOCK.matcher(section);
        while (block.find()) {
            Matcher name = FILE_NAME.matcher(block.group(1));
            if (name.find()) {
                files.put(name.group(1), block.group(1));
            }
        }
        return files;
    }

    /** Writes {@code files} (path to content) under {@code project}: a fresh project, as a user makes it. */
    static Path writeProject(Path project, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = project.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        return project;
    }

    /**
     * The repository with lowbit's api installed by the README's step 1, run in a copy of lowbit's poms
     * and api sources (the checkout itself is in the middle of being built); installed on the first call,
     * in a temporary folder removed when the JVM exits.
     */
    static synchronized Repository installedApi() throws Exception {
        if (installed == null) {
            Path dir = Files.createTempDirectory("lowbit-readme-maven");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            Repository repository = new Repository(settings(dir.resolve("settings.xml")), dir.resolve("repository"));
            Path lowbit = copyForApiInstall(checkout(), dir.resolve("lowbit"));
            maven(lowbit, repository, INSTALL_API, dir.resolve("install.log"));
            assertThat(repository.repository().resolve("dev/lowbit/lowbit-api")).isDirectory();
            installed = repository;
        }
        return installed;
    }

    /** Runs a README mvn command in {@code directory} with the repository and its settings, output to {@code log}. */
    static void maven(Path directory, Repository repository, String command, Path log) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("mvn", "-B", "-Dstyle.color=never", "-s",
                repository.settings().toString(), "-Dmaven.repo.local=" + repository.repository()));
        List<String> words = Arrays.asList(command.split(" "));
        assertThat(words.get(0)).isEqualTo("mvn");
        arguments.addAll(words.subList(1, words.size()));
        Process maven = new ProcessBuilder(arguments).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(maven.waitFor(15, TimeUnit.MINUTES)).as("'%s' finished within 15 minutes", command).isTrue();
        assertThat(maven.exitValue()).as("'%s' in %s:%n%s", command, directory, tail(log)).isZero();
    }

    /** An attribute of the {@code <testsuite>} element of a Surefire report, e.g. {@code tests}. */
    static int attribute(String xml, String name) {
        Matcher value = Pattern.compile("<testsuite [^>]*\\b" + name + "=\"(\\d+)\"").matcher(xml);
        assertThat(value.find()).as("%s in the surefire report", name).isTrue();
        return Integer.parseInt(value.group(1));
    }

    /** Maven settings that read artifacts from the outer build's repository before going to Maven Central. */
    static Path settings(Path file) throws IOException {
        String cache = System.getProperty("lowbit.maven.repository");
        assertThat(cache).as("system property lowbit.maven.repository (set in harness/pom.xml)").isNotNull();
        String url = Path.of(cache).toUri().toString();
        String repository = """
                <id>lowbit-build-cache</id><url>%s</url>
                <releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>
                """.formatted(url);
        return Files.writeString(file, """
                <settings>
                  <profiles>
                    <profile>
                      <id>lowbit-build-cache</id>
                      <repositories><repository>%s</repository></repositories>
                      <pluginRepositories><pluginRepository>%s</pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>lowbit-build-cache</activeProfile></activeProfiles>
                </settings>
                """.formatted(repository, repository));
    }

    /** Every module's pom (the reactor reads them all) and the api's sources: what installing the api needs. */
    private static Path copyForApiInstall(Path checkout, Path copy) throws IOException {
        Files.createDirectories(copy);
        String parent = Files.readString(checkout.resolve("pom.xml"));
        Files.writeString(copy.resolve("pom.xml"), parent);
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (module.find()) {
            Path pom = copy.resolve(module.group(1)).resolve("pom.xml");
            Files.createDirectories(pom.getParent());
            Files.copy(checkout.resolve(module.group(1)).resolve("pom.xml"), pom);
        }
        Path sources = checkout.resolve("api/src");
        try (Stream<Path> tree = Files.walk(sources)) {
            for (Path from : tree.toList()) {
                Path to = copy.resolve("api/src").resolve(sources.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return copy;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Removes a folder tree at exit; what cannot be removed stays in the temporary folder. */
    private static void deleteQuietly(Path dir) {
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // Best effort: the JVM is exiting, and a temporary folder is the OS's to clean.
        }
    }
}
