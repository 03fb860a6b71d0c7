package dev.aios.connectors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The connectors reach the kernel only through its public API and extension points, and know
 * nothing of the server, memory or models that sit beside them.
 */
class ArchitectureTest {
    private final JavaClasses connectors = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.aios.connectors");

    @Test
    void connectorsUseOnlyTheKernelsPublicApiAndExtensionPoints() {
        noClasses()
                .that()
                .resideInAPackage("dev.aios.connectors..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.aios.kernel.internal..")
                .check(connectors);
    }

    @Test
    void connectorsDependOnNoServerMemoryOrModelCode() {
        noClasses()
                .that()
                .resideInAPackage("dev.aios.connectors..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.aios.server..", "dev.aios.memory..", "dev.aios.models..", "io.javalin..", "picocli..")
                .check(connectors);
    }
}
