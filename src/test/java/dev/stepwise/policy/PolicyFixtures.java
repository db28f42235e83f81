package dev.stepwise.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Loads policy test cases the way Stepwise loads a repository: bytes of files, through {@link SpecLoader}. */
final class PolicyFixtures {

    /** The example spec repository's policies, read from the working tree as a user's repository would be. */
    static final Path EXAMPLE_POLICIES = Path.of("examples-repo", "policies");

    private PolicyFixtures() {
    }

    /** Files under {@code src/test/resources/policy-cases/}, reported under their path below that folder. */
    static List<SourceFile> resources(String... paths) {
        List<SourceFile> files = new ArrayList<>();
        for (String path : paths) {
            try (InputStream in = PolicyFixtures.class.getResourceAsStream("/policy-cases/" + path)) {
                assertThat(in).as("test resource policy-cases/%s", path).isNotNull();
                files.add(new SourceFile(path, in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    static SourceFile file(String path, String yaml) {
        return new SourceFile(path, yaml.getBytes(StandardCharsets.UTF_8));
    }

    static SpecSet load(List<SourceFile> files) {
        SpecSet set = new SpecLoader().load(files);
        assertThat(set.findings()).as("the fixtures themselves load cleanly").isEmpty();
        return set;
    }

    static SpecSet load(SourceFile... files) {
        return load(List.of(files));
    }

    /** The example policies, reported as {@code policies/<file>} like the rest of the example repository. */
    static List<SourceFile> examplePolicyFiles() {
        try (Stream<Path> paths = Files.list(EXAMPLE_POLICIES)) {
            List<SourceFile> files = new ArrayList<>();
            for (Path p : paths.sorted().toList()) {
                files.add(new SourceFile("policies/" + p.getFileName(), Files.readAllBytes(p)));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PolicySet examplePolicies() {
        PolicySet set = PolicySet.compile(load(examplePolicyFiles()).documents());
        assertThat(set.findings()).as("the example policies compile cleanly").isEmpty();
        return set;
    }

    static SpecDocument named(SpecSet set, String name) {
        return set.documents().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no document named " + name));
    }

    /** A one-policy file around the given {@code rules:} entries (indented as list items under rules). */
    static SourceFile policy(String path, String name, String rulesYaml) {
        return file(path, """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata:
                  name: %s
                spec:
                  rules:
                %s""".formatted(name, rulesYaml.indent(4)));
    }
}
