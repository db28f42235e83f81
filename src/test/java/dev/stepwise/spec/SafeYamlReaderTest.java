package dev.stepwise.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeYamlReaderTest {

    private final SafeYamlReader reader = new SafeYamlReader();

    private SafeYamlReader.Result read(String yaml) {
        return reader.read(new SourceFile("r.yaml", yaml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsScalarsByTheYaml12CoreSchema() {
        var result = read("""
                a: 10
                b: 0.5
                c: true
                d: ~
                e: "10"
                f: yes
                g: 0x1F
                h: 1.5e3
                """);
        assertThat(result.findings()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) result.documents().get(0).root();
        assertThat(root).containsEntry("a", 10L).containsEntry("b", 0.5).containsEntry("c", true)
                .containsEntry("d", null).containsEntry("e", "10").containsEntry("f", "yes")
                .containsEntry("g", 31L).containsEntry("h", 1500.0);
    }

    @Test
    void recordsLineAndColumnOfEveryNodeAndKey() {
        var result = read("""
                spec:
                  steps:
                    - setWeight: 5
                    - pause: {duration: 10m}
                """);
        SourceMap map = result.documents().get(0).sourceMap();
        assertThat(map.valueAt("/spec/steps/1/pause/duration")).isEqualTo(new Location("r.yaml", 4, 25));
        assertThat(map.keyAt("/spec/steps/0/setWeight")).isEqualTo(new Location("r.yaml", 3, 7));
        // a pointer to something that is not there falls back to its nearest ancestor
        assertThat(map.valueAt("/spec/steps/0/missing")).isEqualTo(new Location("r.yaml", 3, 7));
    }

    @Test
    void keepsEveryDocumentOfAMultiDocumentFileWithItsIndex() {
        var result = read("a: 1\n---\nb: 2\n---\n");
        assertThat(result.documents()).extracting(SafeYamlReader.ParsedDocument::index).containsExactly(0, 1, 2);
        assertThat(result.documents().get(1).start().line()).isEqualTo(2);
        assertThat(result.documents().get(2).root()).isNull();
    }

    @Test
    void refusesDuplicateKeysAtTheSecondKey() {
        var result = read("a: 1\nb: 2\na: 3\n");
        assertThat(result.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.duplicate-key");
            assertThat(f.location()).isEqualTo(new Location("r.yaml", 3, 1));
            assertThat(f.message()).contains("'a'").contains("line 1");
        });
    }

    @Test
    void aBadDocumentDoesNotHideTheNextOne() {
        var result = read("a: 1\na: 2\n---\nb: 3\n");
        assertThat(result.findings()).extracting(Finding::code).containsExactly("yaml.duplicate-key");
        assertThat(result.documents()).singleElement().satisfies(d -> assertThat(d.index()).isEqualTo(1));
    }

    @Test
    void refusesDeepNestingWithoutOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        var result = read("a: " + deep + "\n");
        assertThat(result.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.too-deep");
            assertThat(f.location().line()).isEqualTo(1);
        });
    }

    @Test
    void refusesABillionLaughs() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        var result = read(yaml.toString());
        assertThat(result.findings()).extracting(Finding::code).containsAnyOf("yaml.too-many-aliases", "yaml.too-many-nodes");
        assertThat(result.documents()).isEmpty();
    }

    @Test
    void sharesAliasedValuesWithinLimits() {
        var result = read("base: &b {x: 1}\ncopy: *b\n");
        assertThat(result.findings()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) result.documents().get(0).root();
        assertThat(root.get("copy")).isEqualTo(Map.of("x", 1L));
    }

    @Test
    void refusesBinaryAndNonUtf8Files() {
        var binary = reader.read(new SourceFile("img.yaml", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2}));
        assertThat(binary.findings()).extracting(Finding::code).containsExactly("yaml.binary");
        var latin1 = reader.read(new SourceFile("l.yaml", "name: caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(latin1.findings()).extracting(Finding::code).containsExactly("yaml.encoding");
    }

    @Test
    void refusesOversizedFilesBeforeParsing() {
        var small = new SafeYamlReader(new YamlLimits(1024, 64, 50, 1000));
        var result = small.read(new SourceFile("big.yaml", ("a: " + "x".repeat(2000)).getBytes(StandardCharsets.UTF_8)));
        assertThat(result.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.too-large");
            assertThat(f.message()).contains("2.0 KiB").contains("1.0 KiB");
        });
    }

    @Test
    void reportsSyntaxErrorsWithTheirPlaceAndKeepsEarlierDocuments() {
        var result = read("a: 1\n---\nb: [1, 2\nc: 3\n");
        assertThat(result.documents()).hasSize(1);
        assertThat(result.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("yaml.syntax");
            assertThat(f.location().line()).isGreaterThanOrEqualTo(3);
            assertThat(f.message()).startsWith("YAML syntax error");
        });
    }

    @Test
    void refusesRecursiveAliases() {
        var result = read("a: &x\n  b: *x\n");
        assertThat(result.findings()).extracting(Finding::code).containsExactly("yaml.recursive-alias");
    }

    @Test
    void readsListsAsLists() {
        var result = read("- 1\n- two\n");
        assertThat(result.documents().get(0).root()).isEqualTo(List.of(1L, "two"));
    }
}
