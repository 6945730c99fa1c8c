package dev.lowbit.harness;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.importer.Locations;
import dev.lowbit.harness.plugin.ExamplePlugin;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How lowbit's packages may depend on one another, checked on the compiled main classes of every module:
 * those on harness's class path (api, format, quantizers, architectures, reports, harness), the contract
 * kit (testkit's classes folder: harness does not depend on it) and the example plugin (its jar, as the
 * plugin tests find it).
 */
class PackageRulesTest {

    private static JavaClasses lowbit;

    @BeforeAll
    static void importEveryModule() throws IOException {
        Path testkit =
                Path.of("..", "testkit", "target", "classes").toAbsolutePath().normalize();
        assertThat(testkit)
                .as("testkit's classes; build it first: mvn package -pl testkit -am")
                .isDirectory();
        List<Location> locations = new ArrayList<>(Locations.ofPackage("dev.lowbit"));
        locations.add(Location.of(testkit));
        locations.add(Location.of(new JarFile(ExamplePlugin.jar().toFile())));
        lowbit = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(locations);
    }

    @Test
    void theModulesAreAllThere() {
        for (String module :
                List.of("api", "format", "testkit", "quantizers", "architectures", "reports", "harness", "example")) {
            assertThat(lowbit.containPackage("dev.lowbit." + module))
                    .as("classes of dev.lowbit.%s", module)
                    .isTrue();
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.lowbit.(**)").should().beFreeOfCycles().check(lowbit);
    }

    @Test
    void thePluginApiDependsOnNoOtherModule() {
        noClasses()
                .that()
                .resideInAPackage("dev.lowbit.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.lowbit.format..",
                        "dev.lowbit.harness..",
                        "dev.lowbit.reports..",
                        "dev.lowbit.testkit..",
                        "dev.lowbit.quantizers..",
                        "dev.lowbit.architectures..")
                .because("lowbit-api is what a plugin compiles against: the SPI and what a plugin needs, nothing else")
                .check(lowbit);
    }

    @Test
    void theFileFormatAndTheStoredRecordsNeedNoPluginApi() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.lowbit.format.lbw..", "dev.lowbit.format.result..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.lowbit.api..")
                .because("a .lbw file and a stored run are read without any quantizer (only format.packing bridges"
                        + " a DJL model and its packed form)")
                .check(lowbit);
    }

    @Test
    void theExamplePluginUsesNoInternals() {
        noClasses()
                .that()
                .resideInAPackage("dev.lowbit.example..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.lowbit.api.internal..")
                .because("dev.lowbit.api.internal is not api: it may change without notice")
                .check(lowbit);
    }
}
