package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.validate.RepositoryValidator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which rollouts of a revision may be acted on: each error finding holds exactly the rollouts it concerns. */
class RevisionCheckTest {

    static final RolloutKey CART = new RolloutKey("shop", "cart");
    static final RolloutKey WEB = new RolloutKey("shop", "web");
    static final RolloutKey API = new RolloutKey("shop", "api");

    static final String TEMPLATE = """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata:
              name: success-rate
              namespace: shop
            spec:
              metrics:
                - name: success-rate
                  interval: 1m
                  count: 2
                  successCondition: result[0] >= 0.95
                  provider:
                    prometheus:
                      address: http://prometheus.monitoring:9090
                      query: sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
            """;

    /** A canary rollout; {@code analysis} adds an analysis step using the success-rate template. */
    static String rollout(String name, String replicas, String image, boolean analysis) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %s
                  namespace: shop
                spec:
                  replicas: %s
                  selector:
                    matchLabels:
                      app: %s
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      containers:
                        - name: main
                          image: %s
                  strategy:
                    canary:
                      steps:
                        - setWeight: 10
                        - pause: {duration: 30s}
                %s""".formatted(name, replicas, name, name, image,
                analysis ? "        - analysis:\n            templates:\n              - templateName: success-rate\n" : "");
    }

    static final String DENY_BIG = """
            apiVersion: stepwise.dev/v1alpha1
            kind: Policy
            metadata:
              name: size
            spec:
              rules:
                - name: at-most-10-replicas
                  match: {kinds: [Rollout]}
                  rule: object.spec.replicas <= 10
                  message: at most 10 replicas
                  action: %s
            """;

    /** The three rollouts, cart using the template, each in its own file; {@code overrides} replaces or adds files. */
    static Map<String, String> repository(Map<String, String> overrides) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("rollouts/cart.yaml", rollout("cart", "5", "registry.example.com/cart:1.0", true));
        files.put("rollouts/web.yaml", rollout("web", "3", "registry.example.com/web:1.0", false));
        files.put("rollouts/api.yaml", rollout("api", "2", "registry.example.com/api:1.0", false));
        files.put("analysis/success-rate.yaml", TEMPLATE);
        files.putAll(overrides);
        return files;
    }

    static Map<RolloutKey, RevisionCheck.RolloutAtRevision> check(Map<String, String> files) {
        List<SourceFile> sources = new ArrayList<>();
        files.forEach((name, text) -> sources.add(new SourceFile(name, text.getBytes(StandardCharsets.UTF_8))));
        SpecSet set = new SpecLoader().load(sources);
        return RevisionCheck.check(set, RepositoryValidator.bundled().check(set, List.of()));
    }

    static List<RolloutKey> held(Map<RolloutKey, RevisionCheck.RolloutAtRevision> checked) {
        return checked.values().stream().filter(r -> !r.actionable()).map(RevisionCheck.RolloutAtRevision::key).toList();
    }

    static List<String> codes(RevisionCheck.RolloutAtRevision r) {
        return r.errors().stream().map(Finding::code).toList();
    }

    @Test
    void aCleanRevisionHoldsNothing() {
        var checked = check(repository(Map.of()));
        assertThat(checked.keySet()).containsExactlyInAnyOrder(CART, WEB, API);
        assertThat(held(checked)).isEmpty();
        var cart = checked.get(CART);
        assertThat(cart.file()).isEqualTo("rollouts/cart.yaml");
        assertThat(cart.spec()).get().satisfies(s -> assertThat(s.name()).isEqualTo("cart"));
        assertThat(cart.templates()).containsOnlyKeys("success-rate");
        assertThat(checked.get(WEB).templates()).isEmpty();
        assertThat(cart.errors()).isEmpty();
    }

    @Test
    void anErrorInOneRolloutsFileHoldsOnlyThatRollout() {
        var checked = check(repository(Map.of("rollouts/web.yaml", rollout("web", "many", "registry.example.com/web:1.0", false))));
        assertThat(held(checked)).containsExactly(WEB);
        var web = checked.get(WEB);
        assertThat(web.actionable()).isFalse();
        assertThat(web.spec()).as("the document failed its schema: no spec").isEmpty();
        assertThat(web.file()).isEqualTo("rollouts/web.yaml");
        assertThat(web.errors()).isNotEmpty().allSatisfy(f -> {
            assertThat(f.isError()).isTrue();
            assertThat(f.location().file()).isEqualTo("rollouts/web.yaml");
        });
        assertThat(web.errors()).anySatisfy(f -> {
            assertThat(f.location().line()).isEqualTo(7);
            assertThat(f.pointer()).isEqualTo("/spec/replicas");
        });
        assertThat(checked.get(CART).actionable()).isTrue();
        assertThat(checked.get(API).actionable()).isTrue();
        assertThat(checked.get(CART).errors()).isEmpty();
    }

    @Test
    void aRolloutThatFailsItsSchemaIsStillListed() {
        var checked = check(Map.of("rollouts/web.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: web
                  namespace: shop
                spec:
                  replicas: 3
                  strategy: {canary: {steps: [{setWeight: 10}]}}
                  unknownField: 1
                """));
        assertThat(checked.keySet()).containsExactly(WEB);
        var web = checked.get(WEB);
        assertThat(web.actionable()).isFalse();
        assertThat(web.spec()).isEmpty();
        assertThat(web.errors()).isNotEmpty().allSatisfy(f -> assertThat(f.location().file()).isEqualTo("rollouts/web.yaml"));
    }

    @Test
    void anErrorInATemplateHoldsOnlyTheRolloutsUsingIt() {
        // the template is well-formed (it passes its schema) but its success condition does not compile
        var checked = check(repository(Map.of("analysis/success-rate.yaml",
                TEMPLATE.replace("successCondition: result[0] >= 0.95", "successCondition: result[0] >= ("))));
        assertThat(held(checked)).containsExactly(CART);
        var cart = checked.get(CART);
        assertThat(cart.spec()).as("its own spec is fine").isPresent();
        assertThat(cart.errors()).isNotEmpty()
                .allSatisfy(f -> assertThat(f.location().file()).isEqualTo("analysis/success-rate.yaml"));
        assertThat(cart.errors()).anySatisfy(f -> assertThat(f.location().line()).isEqualTo(11));
    }

    @Test
    void aTemplateThatFailsItsSchemaHoldsOnlyTheRolloutsUsingIt() {
        var checked = check(repository(Map.of("analysis/success-rate.yaml",
                TEMPLATE.replace("      count: 2\n", "      count: two\n"))));
        assertThat(held(checked)).containsExactly(CART);
    }

    @Test
    void aPolicyThatDoesNotCompileHoldsEveryRollout() {
        var checked = check(repository(Map.of("policies/broken.yaml", DENY_BIG.formatted("deny")
                .replace("object.spec.replicas <= 10", "object.spec.replicas <=== 10"))));
        assertThat(held(checked)).containsExactlyInAnyOrder(CART, WEB, API);
        for (var r : checked.values()) {
            assertThat(r.spec()).isPresent();
            assertThat(r.errors()).isNotEmpty()
                    .allSatisfy(f -> assertThat(f.location().file()).isEqualTo("policies/broken.yaml"));
        }
        assertThat(checked.get(CART).errors()).isEqualTo(checked.get(WEB).errors());
    }

    @Test
    void anErrorInAnyOtherFileHoldsEveryRollout() {
        var checked = check(repository(Map.of("clusters/prod.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata:
                  name: prod
                spec:
                  nonsense: true
                """)));
        assertThat(held(checked)).containsExactlyInAnyOrder(CART, WEB, API);
        assertThat(checked.get(API).errors()).isNotEmpty()
                .allSatisfy(f -> assertThat(f.location().file()).isEqualTo("clusters/prod.yaml"));
    }

    @Test
    void aPolicyDenyOnOneRolloutHoldsOnlyIt() {
        var checked = check(repository(Map.of("policies/size.yaml", DENY_BIG.formatted("deny"),
                "rollouts/api.yaml", rollout("api", "20", "registry.example.com/api:1.0", false))));
        assertThat(held(checked)).containsExactly(API);
        var api = checked.get(API);
        assertThat(api.spec()).isPresent();
        assertThat(api.errors()).singleElement().satisfies(f -> {
            assertThat(f.location().file()).isEqualTo("rollouts/api.yaml");
            assertThat(f.message()).contains("at most 10 replicas");
        });
        assertThat(codes(api)).singleElement().asString().startsWith("policy.");
    }

    @Test
    void warningsHoldNothing() {
        var checked = check(repository(Map.of("policies/size.yaml", DENY_BIG.formatted("warn"),
                "rollouts/api.yaml", rollout("api", "20", "registry.example.com/api:1.0", false))));
        assertThat(held(checked)).isEmpty();
        assertThat(checked.get(API).errors()).isEmpty();
    }

    @Test
    void aRolloutFileThatIsNotYamlHoldsEveryRolloutButIsNotListed() {
        // nothing says which rollout the file held, so it could have been a Policy: every rollout is held. The broken
        // rollout itself is not listed at all (the reconciler must not take that as "removed from Git").
        var checked = check(repository(Map.of("rollouts/web.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n"
                + "metadata: {name: web, namespace: shop\nspec: [\n")));
        assertThat(checked.keySet()).containsExactlyInAnyOrder(CART, API);
        assertThat(held(checked)).containsExactlyInAnyOrder(CART, API);
        assertThat(checked.get(CART).errors()).isNotEmpty()
                .allSatisfy(f -> assertThat(f.location().file()).isEqualTo("rollouts/web.yaml"));
    }

    @Test
    void twoBadRolloutsEachHoldTheirOwnErrorsOnly() {
        var checked = check(repository(Map.of(
                "rollouts/web.yaml", rollout("web", "many", "registry.example.com/web:1.0", false),
                "rollouts/api.yaml", rollout("api", "[1]", "registry.example.com/api:1.0", false))));
        assertThat(held(checked)).containsExactlyInAnyOrder(WEB, API);
        assertThat(checked.get(WEB).errors()).allSatisfy(f -> assertThat(f.location().file()).isEqualTo("rollouts/web.yaml"));
        assertThat(checked.get(API).errors()).allSatisfy(f -> assertThat(f.location().file()).isEqualTo("rollouts/api.yaml"));
    }

    @Test
    void errorsAreNotRepeated() {
        // a rollout that is denied and whose template is broken gets each finding once
        var checked = check(repository(Map.of("policies/size.yaml", DENY_BIG.formatted("deny"),
                "rollouts/cart.yaml", rollout("cart", "20", "registry.example.com/cart:1.0", true))));
        var cart = checked.get(CART);
        assertThat(cart.errors()).doesNotHaveDuplicates().hasSize(1);
    }
}
