package dev.stepwise;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The pure packages decide; other packages do the I/O. Keeping JGit, fabric8, files, sockets and the wall clock out
 * of them is what makes their decisions replayable and their tests fast.
 */
class ArchitectureTest {

    private static final String[] PURE = {"dev.stepwise.spec..", "dev.stepwise.validate..", "dev.stepwise.policy..",
            "dev.stepwise.engine..", "dev.stepwise.plan..", "dev.stepwise.cel..", "dev.stepwise.simulate..",
            "dev.stepwise.analysis.judge..", "dev.stepwise.promotion.."};

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.stepwise");

    @Test
    void purePackagesDoNotUseGitOrKubernetesClients() {
        noClasses().that().resideInAnyPackage(PURE)
                .should().dependOnClassesThat().resideInAnyPackage("org.eclipse.jgit..", "io.fabric8..")
                .check(CLASSES);
    }

    @Test
    void purePackagesDoNoFileOrNetworkIo() {
        noClasses().that().resideInAnyPackage(PURE)
                .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.net..", "java.net.http..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
                .check(CLASSES);
    }

    @Test
    void purePackagesDoNotReadTheWallClock() {
        noClasses().that().resideInAnyPackage(PURE)
                .should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(java.time.LocalDateTime.class, "now")
                .orShould().callMethod(java.time.Clock.class, "systemUTC")
                .check(CLASSES);
    }
}
