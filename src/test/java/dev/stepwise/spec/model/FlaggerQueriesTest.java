package dev.stepwise.spec.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlaggerQueriesTest {

    static final FlaggerQueries.Vars VARS = new FlaggerQueries.Vars("podinfo", "test", "podinfo", "podinfo-svc", "podinfo-ingress",
            "podinfo-route", "2m", Map.of("direction", "inbound"));

    @Test
    void everyFlaggerVariableIsRenderedWithOrWithoutSpaces() {
        FlaggerQueries.Rendered r = FlaggerQueries.render("{{ name }}/{{namespace}}/{{ target }}/{{ service }}/{{ ingress }}/"
                + "{{ route }}/[{{ interval }}]/{{ variables.direction }}", VARS);
        assertThat(r.problem()).isEmpty();
        assertThat(r.query()).contains("podinfo/test/podinfo/podinfo-svc/podinfo-ingress/podinfo-route/[2m]/inbound");
    }

    @Test
    void aMissingVariableOrAnythingElseIsAProblemNotAnEmptyString() {
        assertThat(FlaggerQueries.render("x{direction=\"{{ variables.dir }}\"}", VARS).problem()).get().asString()
                .contains("{{ variables.dir }}").contains("templateVariables has no 'dir'");
        assertThat(FlaggerQueries.render("{{ .Values.x }}", VARS).problem()).get().asString()
                .contains("{{ .Values.x }} is not a Flagger template variable");
        // text without actions passes through
        assertThat(FlaggerQueries.render("up == 1", VARS).query()).contains("up == 1");
    }

    @Test
    void theObserverFollowsTheCanarysProviderAsFlaggerChoosesIt() {
        assertThat(FlaggerQueries.observer(Optional.of("istio"))).contains("istio");
        assertThat(FlaggerQueries.observer(Optional.empty())).contains("istio"); // Flagger's default mesh
        assertThat(FlaggerQueries.observer(Optional.of("kubernetes"))).contains("http");
        assertThat(FlaggerQueries.observer(Optional.of("gatewayapi:v1"))).contains("http");
        assertThat(FlaggerQueries.observer(Optional.of("appmesh:v1beta2"))).contains("appmesh");
        assertThat(FlaggerQueries.observer(Optional.of("smi:v1alpha3"))).contains("istio");
        assertThat(FlaggerQueries.observer(Optional.of("skipper"))).isEmpty();
    }

    @Test
    void everyBuiltinOfEveryObserverRendersCompletelyForTheCanary() {
        assertThat(FlaggerQueries.observers()).hasSize(12);
        for (String observer : FlaggerQueries.observers()) {
            for (String metric : new String[] {"request-success-rate", "request-duration"}) {
                FlaggerQueries.Rendered r = FlaggerQueries.render(FlaggerQueries.builtinTemplate(observer, metric).orElseThrow(), VARS);
                assertThat(r.query()).as(observer + " " + metric).get().asString().doesNotContain("{{").contains("[2m]");
            }
        }
        assertThat(FlaggerQueries.render(FlaggerQueries.builtinTemplate("linkerd", "request-success-rate").orElseThrow(), VARS).query())
                .get().asString().contains("deployment=~\"podinfo\"").contains("classification!=\"failure\"").endsWith("* 100");
        assertThat(FlaggerQueries.render(FlaggerQueries.builtinTemplate("nginx", "request-duration").orElseThrow(), VARS).query())
                .get().asString().contains("ingress=\"podinfo-ingress\"").endsWith("* 1000");
    }

    @Test
    void varsTravelThroughAProviderConfigUnchanged() {
        assertThat(FlaggerQueries.Vars.fromConfig(VARS.toConfig())).contains(VARS);
        assertThat(FlaggerQueries.Vars.fromConfig("not a map")).isEmpty();
    }
}
