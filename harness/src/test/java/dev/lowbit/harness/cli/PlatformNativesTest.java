package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The PyTorch CPU natives of every platform DJL publishes them for: the root pom's {@code natives-*} profiles
 * choose one classifier for each platform's {@code os.name} and {@code os.arch}, and a nested Maven resolves
 * every chosen classifier from the repositories a build uses, so a classifier that is not published (a new
 * engine version without it, a typo) fails here and not on a user's Mac. CI's log shows each platform's line.
 *
 * <p>The natives are 41 to 112 MB a platform (osx-aarch64 41,611,143 bytes, linux-aarch64 71,387,151,
 * win-x86_64 75,502,000, linux-x86_64 111,597,418). Downloading the three this machine does not use took
 * about 20 s more than this check and 190 MB on every run, so the nested build resolves the checksum file
 * Maven Central publishes beside each jar ({@code .jar.sha1}, 40 bytes): it exists exactly when the jar does.
 * The platform-independent rest of the set (pytorch-engine, and pytorch-jni, whose jar holds the JNI bridge
 * of all four platforms) is resolved whole.
 */
class PlatformNativesTest {

    /** A platform as its JVM reports it, and the classifier of DJL's natives for it. */
    record Platform(String osName, String osArch, String classifier) {
        @Override
        public String toString() {
            return osName + " " + osArch;
        }
    }

    /** Every platform DJL publishes pytorch-native-cpu 2.7.1 for (no osx-x86_64, no win-aarch64). */
    static final List<Platform> PLATFORMS = List.of(
            new Platform("Linux", "amd64", "linux-x86_64"),
            new Platform("Linux", "aarch64", "linux-aarch64"),
            new Platform("Mac OS X", "aarch64", "osx-aarch64"),
            new Platform("Windows 11", "amd64", "win-x86_64"));

    @TempDir
    Path dir;

    @Test
    void eachPlatformGetsItsOwnClassifierFromTheProfiles() throws Exception {
        Map<String, Element> profiles = nativeProfiles();
        for (Platform platform : PLATFORMS) {
            assertThat(chosen(profiles, platform.osName(), platform.osArch()))
                    .as("the profile active on %s", platform)
                    .containsExactly("natives-" + platform.classifier());
            assertThat(classifier(profiles.get("natives-" + platform.classifier())))
                    .isEqualTo(platform.classifier());
        }
        assertThat(chosen(profiles, "Mac OS X", "x86_64"))
                .as("no natives for an Intel Mac in 2.7.1")
                .isEmpty();
    }

    @Test
    void thisMachinesBuildUsesTheClassifierItsProfileChooses() throws Exception {
        // Cross-checks this test's reading of the activation rules against Maven's own, for this machine.
        String used = System.getProperty("lowbit.pytorch.native.classifier");
        assertThat(used)
                .as("system property lowbit.pytorch.native.classifier (set in harness/pom.xml)")
                .isNotNull();
        Map<String, Element> profiles = nativeProfiles();
        List<String> chosen = chosen(profiles, System.getProperty("os.name"), System.getProperty("os.arch"));
        assertThat(chosen).hasSize(1);
        assertThat(classifier(profiles.get(chosen.get(0)))).isEqualTo(used);
    }

    @Test
    void everyPlatformsNativesResolve() throws Exception {
        Map<String, Element> profiles = nativeProfiles();
        Map<Platform, String> classifiers = new LinkedHashMap<>();
        for (Platform platform : PLATFORMS) {
            classifiers.put(
                    platform,
                    classifier(profiles.get(chosen(profiles, platform.osName(), platform.osArch())
                            .get(0))));
        }
        Path project = Files.createDirectories(dir.resolve("natives-probe"));
        Files.writeString(project.resolve("pom.xml"), probePom(project, classifiers.values()));
        ReadmeMaven.Repository repository = new ReadmeMaven.Repository(
                ReadmeMaven.settings(dir.resolve("settings.xml")), dir.resolve("repository"));
        Path log = dir.resolve("resolve.log");
        ReadmeMaven.maven(project, repository, "mvn dependency:resolve", log);

        String resolved = Files.readString(log);
        for (Map.Entry<Platform, String> platform : classifiers.entrySet()) {
            String coordinates = "ai.djl.pytorch:pytorch-native-cpu:jar.sha1:" + platform.getValue() + ":";
            assertThat(resolved).contains(coordinates);
            Path sha1 = sha1File(repository.repository(), resolved, platform.getValue());
            // The CI log's record that each platform's set resolved, with the jar's published checksum.
            System.out.printf(
                    "PyTorch natives for %s: pytorch-native-cpu %s resolved (jar sha1 %s), with pytorch-engine"
                            + " and pytorch-jni%n",
                    platform.getKey(),
                    platform.getValue(),
                    Files.readString(sha1).strip());
        }
        assertThat(resolved).contains("ai.djl.pytorch:pytorch-engine:jar:").contains("ai.djl.pytorch:pytorch-jni:jar:");
    }

    /** The resolved checksum file of {@code classifier}'s jar, at the version the log says Maven resolved. */
    private static Path sha1File(Path repository, String log, String classifier) {
        Matcher version = Pattern.compile("pytorch-native-cpu:jar\\.sha1:" + classifier + ":([^:\\s]+):")
                .matcher(log);
        assertThat(version.find()).isTrue();
        return repository
                .resolve("ai/djl/pytorch/pytorch-native-cpu")
                .resolve(version.group(1))
                .resolve("pytorch-native-cpu-" + version.group(1) + "-" + classifier + ".jar.sha1");
    }

    /**
     * A project whose parent is lowbit's root pom (so the versions are lowbit's) and whose dependencies are the
     * engine, the JNI bridge and each classifier's checksum file.
     */
    private static String probePom(Path project, Iterable<String> classifiers) {
        Path parent = project.relativize(ReadmeMaven.checkout().resolve("pom.xml"));
        StringBuilder natives = new StringBuilder();
        for (String classifier : classifiers) {
            natives.append("""
                        <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-native-cpu</artifactId>
                          <version>${pytorch.native.version}</version><classifier>%s</classifier><type>jar.sha1</type></dependency>
                    """.formatted(classifier));
        }
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>dev.lowbit</groupId><artifactId>lowbit-parent</artifactId><version>0.1.0-SNAPSHOT</version>
                    <relativePath>%s</relativePath></parent>
                  <artifactId>natives-probe</artifactId>
                  <packaging>pom</packaging>
                  <dependencies>
                    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-engine</artifactId></dependency>
                    <dependency><groupId>ai.djl.pytorch</groupId><artifactId>pytorch-jni</artifactId></dependency>
                %s  </dependencies>
                </project>
                """.formatted(parent.toString().replace('\\', '/'), natives);
    }

    /** The root pom's profiles that set the natives' classifier, by id. */
    private static Map<String, Element> nativeProfiles() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ReadmeMaven.checkout().resolve("pom.xml").toFile());
        Map<String, Element> profiles = new LinkedHashMap<>();
        NodeList all = pom.getElementsByTagName("profile");
        for (int i = 0; i < all.getLength(); i++) {
            Element profile = (Element) all.item(i);
            if (classifier(profile) != null) {
                profiles.put(text(profile, "id"), profile);
            }
        }
        assertThat(profiles).as("natives-* profiles in the root pom").isNotEmpty();
        return profiles;
    }

    /** The ids of the profiles whose {@code <os>} activation holds for {@code osName} and {@code osArch}. */
    private static List<String> chosen(Map<String, Element> profiles, String osName, String osArch) {
        List<String> active = new ArrayList<>();
        profiles.forEach((id, profile) -> {
            Element os = child(child(profile, "activation"), "os");
            assertThat(os).as("profile %s is activated by the OS", id).isNotNull();
            if (osMatches(os, osName.toLowerCase(Locale.ROOT), osArch.toLowerCase(Locale.ROOT))) {
                active.add(id);
            }
        });
        return active;
    }

    /**
     * Maven's OS activation (plexus-utils' {@code Os}) for the conditions the profiles use: {@code name} and
     * {@code arch} equal, ignoring case; {@code family} mac or windows contained in the name.
     */
    private static boolean osMatches(Element os, String osName, String osArch) {
        for (Node node = os.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element condition) {
                String value = condition.getTextContent().strip().toLowerCase(Locale.ROOT);
                boolean holds = switch (condition.getTagName()) {
                    case "name" -> osName.equals(value);
                    case "arch" -> osArch.equals(value);
                    case "family" ->
                        switch (value) {
                            case "mac", "windows" -> osName.contains(value);
                            default -> throw new AssertionError("an OS family this test does not know: " + value);
                        };
                    default ->
                        throw new AssertionError("an OS condition this test does not know: " + condition.getTagName());
                };
                if (!holds) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String classifier(Element profile) {
        return text(child(profile, "properties"), "pytorch.native.classifier");
    }

    private static String text(Element parent, String name) {
        Element child = child(parent, name);
        return child == null ? null : child.getTextContent().strip();
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }
}
