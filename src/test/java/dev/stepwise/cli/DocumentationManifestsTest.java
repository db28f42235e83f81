package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Manifests retyped from the Argo Rollouts and Flagger documentation (under {@code schema-cases/valid}) are what users
 * paste first: each must read, pass its schema, compile its conditions and produce a plan. They come from different
 * pages, so references between them (a template another page defines) are not judged here.
 */
class DocumentationManifestsTest {

    private static final Path DIR = Path.of("src/test/resources/schema-cases/valid");

    static Stream<String> manifests() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void validatesWithoutAnErrorOfItsOwn(String file) {
        CliRun run = CliRun.of("validate", DIR.resolve(file).toString(), "--format", "json");
        JsonNode json = JsonMapper.builder().build().readTree(run.out());
        for (JsonNode f : json.get("findings")) {
            if (f.get("severity").asString().equals("error")) {
                assertThat(f.get("code").asString()).as(f.toString()).startsWith("cross.");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void plansEveryRolloutItHolds(String file) throws IOException {
        String text = Files.readString(DIR.resolve(file));
        long rollouts = Stream.of(text.split("\n"))
                .filter(l -> l.equals("kind: Rollout") || l.equals("kind: Canary")).count();
        CliRun run = CliRun.of("plan", DIR.resolve(file).toString(), "--format", "json");
        assertThat(run.exitCode()).as(run.err()).isIn(0, 1);
        JsonNode json = JsonMapper.builder().build().readTree(run.out());
        assertThat(json.get("rollouts").size()).isEqualTo(rollouts);
        for (JsonNode plan : json.get("rollouts")) {
            assertThat(plan.get("steps").size()).as(plan.get("name").asString()).isPositive();
        }
    }
}
