package dev.stepwise.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.model.ModelCases;
import dev.stepwise.spec.model.RepositoryModel;
import org.junit.jupiter.api.Test;

/** The worked example of docs/flagger-mapping.md: if this changes, the document must change with it. */
class FlaggerDocExampleTest {

    @Test
    void stepWeight10MaxWeight50Interval1m() {
        RepositoryModel model = ModelCases.model("flagger-doc-example.yaml");
        String text = PlanTextRenderer.render(Planner.planAll(model));
        String hash = model.rollouts().get(0).podTemplateHash();
        assertThat(text).isEqualTo(String.join("\n",
                "Canary test/podinfo: Flagger progressive canary, from model-cases/flagger-doc-example.yaml",
                "  pod template      hash " + hash,
                "  replicas          as Deployment podinfo says",
                "  workload          Deployment podinfo (Flagger target; podinfo-primary is the stable copy)",
                "  traffic           istio virtualService podinfo",
                "  services          canary podinfo-canary, stable podinfo-primary",
                "  progress deadline 10m, then abort",
                "  flagger           progressive canary, checks every 1m, rollback after 5 failed checks",
                "",
                "  step  weight  action",
                "     1     10%  setWeight 10",
                "     2     10%  pause 1m",
                "     3     20%  setWeight 20",
                "     4     20%  pause 1m",
                "     5     30%  setWeight 30",
                "     6     30%  pause 1m",
                "     7     40%  setWeight 40",
                "     8     40%  pause 1m",
                "     9     50%  setWeight 50",
                "    10     50%  pause 1m",
                "    11     50%  wait for confirm-promotion webhook 'ask-on-call'  <- waits for a person",
                "    12    100%  promote: copy podinfo to podinfo-primary, route all traffic to it, scale the canary to zero",
                "",
                "  background analysis from step 1: flagger-metrics",
                "                request-success-rate [prometheus] every 1m until stopped; success when result >= 99; failureLimit 4",
                "                request-duration [prometheus] every 1m until stopped; success when result <= 500; failureLimit 4",
                "",
                "  least total time  5m",
                "  + waits for a person at step 11",
                "  note: Flagger holds the weight when a check fails and rolls back after 5 failed checks; each failed check adds 1m",
                ""));
    }
}
