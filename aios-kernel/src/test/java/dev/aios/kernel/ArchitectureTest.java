package dev.aios.kernel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The kernel stays free of the layers that plug into it, and its public API of its internals. */
class ArchitectureTest {
    private final com.tngtech.archunit.core.domain.JavaClasses kernel = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.aios.kernel");

    @Test
    void theKernelDependsOnNoServerModelMemoryPolicyOrConnectorCode() {
        noClasses()
                .that()
                .resideInAPackage("dev.aios.kernel..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.aios.server..",
                        "dev.aios.models..",
                        "dev.aios.memory..",
                        "dev.aios.policy..",
                        "dev.aios.connectors..",
                        "io.javalin..",
                        "picocli..",
                        "dev.langchain4j..",
                        "org.apache.lucene..")
                .check(kernel);
    }

    @Test
    void internalsDoNotReachBackIntoTheFacade() {
        noClasses()
                .that()
                .resideInAPackage("dev.aios.kernel.internal..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("dev.aios.kernel.Kernel")
                .check(kernel);
    }

    @Test
    void onlyTheStoresSpeakJdbcOrKnowTheirDatabase() {
        noClasses()
                .that()
                .resideOutsideOfPackages(
                        "dev.aios.kernel.internal.store.sqlite..",
                        "dev.aios.kernel.internal.store.postgres..",
                        "dev.aios.kernel.internal.store.jdbc..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("java.sql..", "javax.sql..", "org.sqlite..", "org.flywaydb..", "com.zaxxer..")
                .because("the kernel reaches storage through the domain operations of internal.store.Tx;"
                        + " SQL belongs to a store implementation")
                .check(kernel);
    }

    @Test
    void theEngineJournalAndRunCodeDoNotKnowWhichStoreTheyRunOn() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.aios.kernel.internal.access..",
                        "dev.aios.kernel.internal.engine..",
                        "dev.aios.kernel.internal.journal..",
                        "dev.aios.kernel.internal.run..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.aios.kernel.internal.store.sqlite..",
                        "dev.aios.kernel.internal.store.postgres..",
                        "dev.aios.kernel.internal.store.jdbc..",
                        "java.sql..",
                        "org.sqlite..",
                        "org.flywaydb..")
                .check(kernel);
    }
}
