package dev.stepwise.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input gets a located, readable error and never a stack trace. The static corpus lives in
 * {@code src/test/resources/bad-inputs/} with the expected finding of each file in {@code expected.tsv}; inputs too
 * large or too strange to keep in the repository (bombs, megabytes, binary) are generated here.
 */
class BadInputCorpusTest {

    private static final RepositoryValidator VALIDATOR = RepositoryValidator.bundled();

    static Stream<Arguments> corpus() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (String line : resource("expected.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            cases.add(Arguments.of(f[0], f[1], f[2], f[3].replace("\\\\t", "\\t")));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} → {1} at {2}")
    @MethodSource("corpus")
    void eachBadInputGetsItsLocatedMessage(String file, String code, String lineColumn, String fragment) throws IOException {
        List<Finding> findings = validate(new SourceFile(file, resource(file).getBytes(StandardCharsets.UTF_8)));
        assertThat(findings).as("findings of " + file)
                .anySatisfy(f -> {
                    assertThat(f.code()).isEqualTo(code);
                    assertThat(f.location().line() + ":" + f.location().column()).isEqualTo(lineColumn);
                    assertThat(f.message()).contains(fragment);
                    assertThat(f.location().file()).isEqualTo(file);
                });
    }

    @Test
    void theCorpusFilesTogetherStillReportEveryFile() throws IOException {
        List<SourceFile> all = new ArrayList<>();
        for (Object[] c : corpus().map(Arguments::get).toList()) {
            String file = (String) c[0];
            all.add(new SourceFile(file, resource(file).getBytes(StandardCharsets.UTF_8)));
        }
        List<Finding> findings = validate(all.toArray(SourceFile[]::new));
        assertThat(findings.stream().filter(Finding::isError).map(f -> f.location().file()).distinct())
                .as("one bad file never hides the others").hasSize(all.size());
    }

    @Test
    void aBillionLaughsIsRefusedQuickly() {
        StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: ConfigMap\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        assertThat(validate(source("bomb.yaml", yaml.toString()))).extracting(Finding::code)
                .containsAnyOf("yaml.too-many-aliases", "yaml.too-many-nodes");
    }

    @Test
    void aThousandLevelsOfNestingIsRefusedAtItsPlace() {
        String deep = "apiVersion: v1\nkind: ConfigMap\ndata: " + "{a: ".repeat(1000) + "x" + "}".repeat(1000) + "\n";
        assertThat(validate(source("deep.yaml", deep))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.too-deep");
            assertThat(f.location().line()).isEqualTo(3);
            assertThat(f.message()).contains("a spec is never nested this deep");
        });
    }

    @Test
    void nestingPastSixtyFourLevelsIsRefusedAtTheLevelThatCrossesIt() {
        String deep = "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "x: " + "[".repeat(100) + "]".repeat(100) + "\n";
        assertThat(validate(source("deep.yaml", deep))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.too-deep");
            assertThat(f.location()).hasToString("deep.yaml:4:67");
            assertThat(f.message()).contains("deeper than 64 levels");
        });
    }

    @Test
    void aFileOfNothingButBracketsIsRefusedBeforeParsing() {
        String bomb = "a: " + "[".repeat(2_000_000);
        List<Finding> findings = validate(source("brackets.yaml", bomb));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.too-deep");
            assertThat(f.location().line()).isEqualTo(1);
            assertThat(f.location().column()).isEqualTo(4 + 512);
        });
    }

    @Test
    void aMultiMegabyteFileIsRefusedWithItsSize() {
        String big = "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "  k: |\n" + ("    " + "x".repeat(95) + "\n").repeat(40_000);
        assertThat(validate(source("big.yaml", big))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.too-large");
            assertThat(f.message()).contains("3.8 MiB").contains("at most 3.0 MiB");
        });
    }

    @Test
    void aBinaryFileIsNamedAsSuch() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertThat(validate(new SourceFile("logo.yaml", png))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.binary");
            assertThat(f.message()).contains("binary file");
        });
    }

    @Test
    void textInAnotherEncodingIsNamedAsSuch() {
        byte[] latin1 = "apiVersion: v1\nkind: ConfigMap\ndata: {name: caf\u00e9}\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(validate(new SourceFile("latin1.yaml", latin1))).extracting(Finding::code).containsExactly("yaml.encoding");
    }

    private static List<Finding> validate(SourceFile... files) {
        SpecSet set = new SpecLoader().load(List.of(files));
        return VALIDATOR.validate(set, List.of()).findings().stream()
                .filter(f -> f.severity() != dev.stepwise.spec.Severity.INFO).toList();
    }

    private static SourceFile source(String name, String text) {
        return new SourceFile(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/bad-inputs/" + name)) {
            if (in == null) {
                throw new IOException("no test resource bad-inputs/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
