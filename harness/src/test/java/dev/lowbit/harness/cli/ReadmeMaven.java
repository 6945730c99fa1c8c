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
 * <p>lowbit's artifacts reach the nested builds as a published release reaches a user: {@code mvn deploy}
 * puts the modules a plugin builds against (the README's step 1 names them) into a file repository in a
 * temporary folder, installing nothing, and the plugin projects then find lowbit there alone, never in a
 * reactor or a local install ({@link #assertLowbitCameFromTheDeployedRepository}). Their third-party
 * artifacts come from the outer build's repository (a {@code file:} repository, releases only), so they need
 * no network beyond what a first build of lowbit already fetched (in CI, Maven Central may supply the rest,
 * e.g. maven-deploy-plugin, which {@code mvn verify} itself never uses). The deploy runs once per test JVM,
 * shared by the tests that build plugins from the README: it and the Maven plugins the first build resolves
 * are the slow part, and the same for every guide.
 */
final class ReadmeMaven {

    /** The modules a plugin builds against, with what they need (-am): the BOM, the api and the contract kit. */
    static final String MODULES = "-pl bom,testkit -am";
    /** The README's step 1, which puts them in a user's local repository. */
    static final String INSTALL = "mvn -q install -DskipTests " + MODULES;
    /** The README's build of a plugin, run here word for word. */
    static final String PACKAGE = "mvn package";
    /** The id the nested builds know the deployed repository by, recorded beside every artifact read from it. */
    static final String DEPLOYED = "lowbit-deployed";

    private static final String VERSION = "0.1.0-SNAPSHOT";

    private static final Pattern CODE_BLOCK = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL);
    /**
     * A block that is a file starts with a comment naming it: {@code // file: PATH}, {@code # file: PATH},
     * {@code <!-- file: PATH -->}.
     */
    private static final Pattern FILE_NAME = Pattern.compile("^(?://|#|<!--) file: (\\S+)(?: -->)?\\n");
    /** A heading of level 2 or 3 at the start of a line (code blocks in the guides hold none). */
    private static final Pattern SECTION_END = Pattern.compile("\\n#{2,3} ");

    /** The shared repositories, once deployed; guarded by the class. */
    private static Repository deployed;

    /** The nested builds' settings (the outer build's cache and the deployed repository) and local repository. */
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
     * lowbit's plugin-facing modules deployed to a file repository by {@code mvn deploy}, run in a copy of
     * lowbit's poms and main sources (the checkout itself is in the middle of being built); deployed on the
     * first call, in a temporary folder removed when the JVM exits. The deploy installs nothing, so the local
     * repository the plugin builds share holds no lowbit artifact until they fetch it from there.
     */
    static synchronized Repository deployed() throws Exception {
        if (deployed == null) {
            Path dir = Files.createTempDirectory("lowbit-readme-maven");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            Path deployedTo = dir.resolve("deployed");
            Repository repository =
                    new Repository(settings(dir.resolve("settings.xml"), deployedTo), dir.resolve("repository"));
            Path lowbit = copyForDeploy(checkout(), dir.resolve("lowbit"));
            // The copy has no tests, so the dependency check (which the outer build runs on the whole tree) would
            // call every test library unused; the deploy publishes, it does not re-judge.
            String deploy = "mvn -q deploy -DskipTests " + MODULES + " -Dmaven.install.skip=true"
                    + " -Dmdep.analyze.skip=true"
                    + " -DaltDeploymentRepository=" + DEPLOYED + "::" + deployedTo.toUri();
            maven(lowbit, repository, deploy, dir.resolve("deploy.log"));
            Path api = deployedTo.resolve("dev/lowbit/lowbit-api/" + VERSION);
            assertThat(api.resolve("maven-metadata.xml")).isRegularFile();
            try (Stream<Path> files = Files.list(api)) {
                assertThat(files.map(file -> file.getFileName().toString()))
                        .as("the api's jar, sources and javadoc, deployed")
                        .anyMatch(name -> name.matches("lowbit-api-0\\.1\\.0-[0-9.]+-\\d+\\.jar"))
                        .anyMatch(name -> name.endsWith("-sources.jar"))
                        .anyMatch(name -> name.endsWith("-javadoc.jar"));
            }
            assertThat(deployedTo.resolve("dev/lowbit/lowbit-testkit/" + VERSION))
                    .isDirectory();
            assertThat(deployedTo.resolve("dev/lowbit/lowbit-bom/" + VERSION)).isDirectory();
            assertThat(lowbitFiles(repository.repository()))
                    .as("jars and poms the deploy installed")
                    .isEmpty();
            deployed = repository;
        }
        return deployed;
    }

    /** lowbit's jars and poms in a local repository (the deploy leaves only the deployed repository's metadata). */
    private static List<Path> lowbitFiles(Path repository) throws IOException {
        Path lowbit = repository.resolve("dev/lowbit");
        if (!Files.isDirectory(lowbit)) {
            return List.of();
        }
        try (Stream<Path> tree = Files.walk(lowbit)) {
            return tree.filter(file ->
                            file.toString().endsWith(".jar") || file.toString().endsWith(".pom"))
                    .toList();
        }
    }

    /**
     * Every lowbit artifact in the nested builds' local repository came from the deployed repository, the BOM,
     * the api and the contract kit among them: Maven records each file's source beside it
     * ({@code _remote.repositories}, a line {@code FILE>REPOSITORY-ID=} per file).
     */
    static void assertLowbitCameFromTheDeployedRepository(Repository repository) throws IOException {
        List<Path> files = lowbitFiles(repository.repository());
        for (String used : List.of("lowbit-bom", "lowbit-api", "lowbit-testkit")) {
            assertThat(files)
                    .as("%s in the nested builds' repository", used)
                    .anyMatch(file -> file.getFileName().toString().startsWith(used + "-"));
        }
        for (Path version : files.stream().map(Path::getParent).distinct().toList()) {
            Path sources = version.resolve("_remote.repositories");
            assertThat(sources).as("where Maven found what is in %s", version).isRegularFile();
            assertThat(Files.readAllLines(sources).stream()
                            .filter(line -> !line.startsWith("#"))
                            .toList())
                    .as("where Maven found what is in %s", version)
                    .isNotEmpty()
                    .allMatch(line -> line.endsWith(">" + DEPLOYED + "="));
        }
    }

    /** Runs a README mvn command in {@code directory} with the repository and its settings, output to {@code log}. */
    static void maven(Path directory, Repository repository, String command, Path log) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(
                "mvn",
                "-B",
                "-Dstyle.color=never",
                "-s",
                repository.settings().toString(),
                "-Dmaven.repo.local=" + repository.repository()));
        List<String> words = Arrays.asList(command.split(" "));
        assertThat(words.get(0)).isEqualTo("mvn");
        arguments.addAll(words.subList(1, words.size()));
        Process maven = new ProcessBuilder(arguments)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(maven.waitFor(15, TimeUnit.MINUTES))
                .as("'%s' finished within 15 minutes", command)
                .isTrue();
        assertThat(maven.exitValue())
                .as("'%s' in %s:%n%s", command, directory, tail(log))
                .isZero();
    }

    /** An attribute of the {@code <testsuite>} element of a Surefire report, e.g. {@code tests}. */
    static int attribute(String xml, String name) {
        Matcher value =
                Pattern.compile("<testsuite [^>]*\\b" + name + "=\"(\\d+)\"").matcher(xml);
        assertThat(value.find()).as("%s in the surefire report", name).isTrue();
        return Integer.parseInt(value.group(1));
    }

    /** Maven settings that read artifacts (releases) from the outer build's repository before going to Maven Central. */
    static Path settings(Path file) throws IOException {
        return settings(file, null);
    }

    /**
     * Maven settings that read third-party artifacts (releases) from the outer build's repository before going
     * to Maven Central, and lowbit's (snapshots) from the deployed repository only, if there is one.
     */
    private static Path settings(Path file, Path deployedTo) throws IOException {
        String cache = System.getProperty("lowbit.maven.repository");
        assertThat(cache)
                .as("system property lowbit.maven.repository (set in harness/pom.xml)")
                .isNotNull();
        String releases = """
                <id>lowbit-build-cache</id><url>%s</url>
                <releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>
                """.formatted(Path.of(cache).toUri());
        String snapshots = deployedTo == null ? "" : """
                <repository><id>%s</id><url>%s</url>
                <releases><enabled>false</enabled></releases><snapshots><enabled>true</enabled></snapshots></repository>
                """.formatted(DEPLOYED, deployedTo.toUri());
        return Files.writeString(file, """
                <settings>
                  <profiles>
                    <profile>
                      <id>lowbit-build-cache</id>
                      <repositories><repository>%s</repository>%s</repositories>
                      <pluginRepositories><pluginRepository>%s</pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>lowbit-build-cache</activeProfile></activeProfiles>
                </settings>
                """.formatted(releases, snapshots, releases));
    }

    /**
     * Every module's pom (the reactor reads them all) and main sources: what deploying the modules needs; and
     * {@code .mvn}, whose jvm.config opens the compiler internals Error Prone needs in every compilation.
     */
    private static Path copyForDeploy(Path checkout, Path copy) throws IOException {
        Files.createDirectories(copy);
        String parent = Files.readString(checkout.resolve("pom.xml"));
        Files.writeString(copy.resolve("pom.xml"), parent);
        copyTree(checkout.resolve(".mvn"), copy.resolve(".mvn"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (module.find()) {
            Path pom = copy.resolve(module.group(1)).resolve("pom.xml");
            Files.createDirectories(pom.getParent());
            Files.copy(checkout.resolve(module.group(1)).resolve("pom.xml"), pom);
            Path sources = checkout.resolve(module.group(1)).resolve("src/main");
            if (Files.isDirectory(sources)) {
                copyTree(sources, copy.resolve(module.group(1)).resolve("src/main"));
            }
        }
        return copy;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path path : tree.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
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
