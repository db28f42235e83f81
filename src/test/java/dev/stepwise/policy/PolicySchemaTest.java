package dev.stepwise.policy;

import static dev.stepwise.policy.PolicyFixtures.examplePolicyFiles;
import static dev.stepwise.policy.PolicyFixtures.file;
import static dev.stepwise.policy.PolicyFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.stepwise.spec.SpecDocument;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** schema/policy.schema.json accepts the example policies, refuses mistakes, and documents every field for editors. */
class PolicySchemaTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode schemaNode() throws IOException {
        try (InputStream in = PolicySchemaTest.class.getResourceAsStream("/schema/policy.schema.json")) {
            assertThat(in).as("policy.schema.json is packaged under schema/").isNotNull();
            return JSON.readTree(in);
        }
    }

    private static List<Error> validate(Map<String, Object> content) throws IOException {
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaNode());
        return schema.validate(JSON.valueToTree(content));
    }

    @Test
    void schemaIdentifiesItself() throws IOException {
        JsonNode schema = schemaNode();
        assertThat(schema.get("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.get("$id").asString()).isEqualTo("https://stepwise.dev/schema/policy.schema.json");
    }

    @Test
    void examplePoliciesAreValid() throws IOException {
        List<SpecDocument> docs = load(examplePolicyFiles()).documents();
        assertThat(docs).hasSize(3);
        for (SpecDocument doc : docs) {
            assertThat(validate(doc.content())).as(doc.file()).isEmpty();
        }
    }

    @Test
    void theShapeFromTheBriefIsValid() throws IOException {
        SpecDocument doc = load(file("policies/p.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata:
                  name: production-safety
                spec:
                  rules:
                    - name: needs-analysis
                      match: {kinds: [Rollout], namespaces: [production], labels: {tier: critical}}
                      rule: "object.spec.strategy.canary.steps.exists(s, has(s.analysis))"
                      message: production rollouts need an analysis step
                      action: deny
                  approvers:
                    - match: {namespaces: [production]}
                      emails: [ana@acme.io]
                      requireSignedCommits: true
                """)).documents().get(0);
        assertThat(validate(doc.content())).isEmpty();
    }

    @Test
    void mistakesAreRefused() throws IOException {
        SpecDocument doc = load(file("policies/p.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata:
                  name: p
                spec:
                  rules:
                    - name: no-expression
                    - name: bad-action
                      rule: "true"
                      action: block
                    - name: typo
                      rule: "true"
                      severity: warn
                    - name: unknown-kind
                      rule: "true"
                      match: {kinds: [Rollouts]}
                  approvers:
                    - emails: []
                """)).documents().get(0);
        List<String> errors = validate(doc.content()).stream()
                .map(e -> e.getInstanceLocation() + " " + e.getKeyword()).toList();
        assertThat(errors).contains(
                "/spec/rules/0 required",
                "/spec/rules/1/action enum",
                "/spec/rules/2 additionalProperties",
                "/spec/rules/3/match/kinds/0 enum",
                "/spec/approvers/0/emails minItems");
    }

    @Test
    void everyFieldHasADescriptionForEditors() throws IOException {
        List<String> undocumented = new ArrayList<>();
        collectUndocumented(schemaNode(), "#", undocumented);
        assertThat(undocumented).isEmpty();
    }

    /** Every schema under properties, $defs and items of an object type carries a description. */
    private static void collectUndocumented(JsonNode node, String path, List<String> out) {
        for (String container : List.of("properties", "$defs")) {
            JsonNode children = node.get(container);
            if (children == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> child : children.properties()) {
                String childPath = path + "/" + container + "/" + child.getKey();
                if (!child.getValue().has("description")) {
                    out.add(childPath);
                }
                collectUndocumented(child.getValue(), childPath, out);
            }
        }
        JsonNode items = node.get("items");
        if (items != null) {
            collectUndocumented(items, path + "/items", out);
        }
    }
}
