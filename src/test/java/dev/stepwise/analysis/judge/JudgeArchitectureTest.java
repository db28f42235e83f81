package dev.stepwise.analysis.judge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The judge is pure, like the engine it serves: statistics in, a verdict out, no I/O and no clock. */
class JudgeArchitectureTest {

    private static final JavaClasses JUDGE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.stepwise.analysis.judge");

    @Test
    void judgeDoesNoIoAndReadsNoClock() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.net..", "io.fabric8..",
                        "org.eclipse.jgit..", "dev.stepwise.analysis.http..", "dev.stepwise.analysis.providers..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .check(JUDGE);
    }
}
