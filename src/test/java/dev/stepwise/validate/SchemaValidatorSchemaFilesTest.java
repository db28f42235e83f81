package dev.stepwise.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.SpecKind;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The schema files are read by people in their editors as much as by the validator: each must say what it is, and
 * every field must carry a description an editor can show on hover.
 */
class SchemaValidatorSchemaFilesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final java.util.Set<String> CONDITIONS = java.util.Set.of("if", "then", "else", "not");

    @ParameterizedTest
    @EnumSource(value = SpecKind.class, names = "POLICY", mode = EnumSource.Mode.EXCLUDE)
    void eachSchemaDeclaresItsDialectIdTitleAndDescription(SpecKind kind) {
        JsonNode schema = read(kind);

        assertThat(schema.get("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.get("$id").asString()).isEqualTo("https://stepwise.dev/schema/" + kind.schemaFile());
        assertThat(schema.get("title").asString()).contains(kind.kind());
        assertThat(schema.get("description").asString()).isNotBlank();
        assertThat(schema.at("/properties/apiVersion/const").asString()).isEqualTo(kind.apiVersion());
        assertThat(schema.at("/properties/kind/const").asString()).isEqualTo(kind.kind());
    }

    @ParameterizedTest
    @EnumSource(value = SpecKind.class, names = "POLICY", mode = EnumSource.Mode.EXCLUDE)
    void everyFieldHasADescription(SpecKind kind) {
        JsonNode schema = read(kind);
        List<String> undocumented = new ArrayList<>();
        collectUndocumented(schema, schema, "", undocumented);

        assertThat(undocumented).as("fields without a description in " + kind.schemaFile()).isEmpty();
    }

    @Test
    void clusterAnalysisTemplateHasTheSameSpecAsAnAnalysisTemplate() {
        JsonNode namespaced = read(SpecKind.ANALYSIS_TEMPLATE);
        JsonNode cluster = read(SpecKind.CLUSTER_ANALYSIS_TEMPLATE);

        assertThat(cluster.get("$defs")).isEqualTo(namespaced.get("$defs"));
        assertThat(cluster.at("/properties/spec")).isEqualTo(namespaced.at("/properties/spec"));
    }

    /** Fields (entries of {@code properties}) whose schema has no description, directly or through its $ref. */
    private static void collectUndocumented(JsonNode root, JsonNode node, String path, List<String> out) {
        if (node == null || !node.isContainer()) {
            return;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectUndocumented(root, node.get(i), path + "/" + i, out);
            }
            return;
        }
        JsonNode properties = node.get("properties");
        if (properties != null && properties.isObject()) {
            for (Map.Entry<String, JsonNode> field : properties.properties()) {
                if (!described(root, field.getValue())) {
                    out.add(path + "/properties/" + field.getKey());
                }
            }
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            // Conditions (if/then/else, not) only narrow fields declared and described elsewhere.
            if (!CONDITIONS.contains(entry.getKey())) {
                collectUndocumented(root, entry.getValue(), path + "/" + entry.getKey(), out);
            }
        }
    }

    private static boolean described(JsonNode root, JsonNode schema) {
        if (schema.hasNonNull("description")) {
            return true;
        }
        JsonNode ref = schema.get("$ref");
        return ref != null && ref.asString().startsWith("#/") && root.at(ref.asString().substring(1)).hasNonNull("description");
    }

    private static JsonNode read(SpecKind kind) {
        try (InputStream in = SchemaValidatorSchemaFilesTest.class.getResourceAsStream("/schema/" + kind.schemaFile())) {
            assertThat(in).as(kind.schemaFile()).isNotNull();
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
