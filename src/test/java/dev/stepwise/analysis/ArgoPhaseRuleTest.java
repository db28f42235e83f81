package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.MetricCondition;
import dev.stepwise.spec.model.IntParam;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ArgoPhaseRuleTest {

    private static MetricSpec metric(int failureLimit, int errorLimit, Optional<Integer> minSamples) {
        return new MetricSpec("m", Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("result < 1"),
                Optional.empty(), IntParam.of(failureLimit), IntParam.of(0), IntParam.of(errorLimit), IntParam.of(0), false,
                Optional.empty(), minSamples, new ProviderSpec("web", Map.of()), "/spec/metrics/0");
    }

    private static Optional<MetricCondition> cond(String s) {
        return Optional.of(((MetricCondition.Ok) MetricCondition.compile(s)).condition());
    }

    private static Measurement value(Object v, OptionalLong samples) {
        return Measurement.ofValue(v, samples, "q", Instant.EPOCH, Duration.ZERO);
    }

    @Test
    void conditionsFollowArgo() {
        MetricSpec m = metric(0, 4, Optional.empty());
        assertThat(ArgoPhaseRule.measurement(m, cond("result < 1"), Optional.empty(), value(0.5, OptionalLong.empty())).phase())
                .isEqualTo(Phase.SUCCESSFUL);
        ArgoPhaseRule.Judged failed = ArgoPhaseRule.measurement(m, cond("result < 1"), Optional.empty(), value(2.0, OptionalLong.empty()));
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.message()).isEqualTo("successCondition 'result < 1' is false");
        assertThat(ArgoPhaseRule.measurement(m, Optional.empty(), cond("result > 5"), value(2.0, OptionalLong.empty())).phase())
                .isEqualTo(Phase.SUCCESSFUL);
        assertThat(ArgoPhaseRule.measurement(m, cond("result > 5"), cond("result < 1"), value(2.0, OptionalLong.empty())).phase())
                .isEqualTo(Phase.INCONCLUSIVE);
        assertThat(ArgoPhaseRule.measurement(m, cond("result[0] > 5"), Optional.empty(), value("text", OptionalLong.empty())).phase())
                .isEqualTo(Phase.ERROR);
        assertThat(ArgoPhaseRule.measurement(m, Optional.empty(), Optional.empty(),
                value(40.0, OptionalLong.empty()).withProviderPhase(Phase.FAILED)).phase()).isEqualTo(Phase.FAILED);
    }

    @Test
    void tooFewSamplesIsInconclusiveWhateverTheValue() {
        MetricSpec m = metric(0, 4, Optional.of(50));
        ArgoPhaseRule.Judged few = ArgoPhaseRule.measurement(m, cond("result < 1"), Optional.empty(), value(0.5, OptionalLong.of(12)));
        assertThat(few.phase()).isEqualTo(Phase.INCONCLUSIVE);
        assertThat(few.message()).isEqualTo("insufficient data: 12 samples, minSamples is 50");
        assertThat(ArgoPhaseRule.measurement(m, cond("result < 1"), Optional.empty(), value(0.5, OptionalLong.empty())).message())
                .contains("reports no sample count");
        assertThat(ArgoPhaseRule.measurement(m, cond("result < 1"), Optional.empty(), value(0.5, OptionalLong.of(80))).phase())
                .isEqualTo(Phase.SUCCESSFUL);
    }

    @Test
    void errorsNeverCountAsSuccess() {
        MetricSpec m = metric(0, 4, Optional.empty());
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.ERROR), true)).isEqualTo(Phase.ERROR);
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.ERROR, Phase.ERROR, Phase.SUCCESSFUL), true)).isEqualTo(Phase.SUCCESSFUL);
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.ERROR, Phase.ERROR, Phase.ERROR, Phase.ERROR, Phase.ERROR), false))
                .isEqualTo(Phase.ERROR);
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.ERROR, Phase.ERROR), false)).isEqualTo(Phase.RUNNING);
    }

    @Test
    void limitsAndRunPrecedence() {
        MetricSpec m = metric(1, 4, Optional.empty());
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.FAILED, Phase.SUCCESSFUL), true)).isEqualTo(Phase.SUCCESSFUL);
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.FAILED, Phase.FAILED), false)).isEqualTo(Phase.FAILED);
        assertThat(ArgoPhaseRule.metric(m, List.of(Phase.INCONCLUSIVE), false)).isEqualTo(Phase.INCONCLUSIVE);
        assertThat(ArgoPhaseRule.run(List.of(Phase.SUCCESSFUL, Phase.INCONCLUSIVE, Phase.ERROR), List.of(false, false, false)))
                .isEqualTo(Phase.ERROR);
        assertThat(ArgoPhaseRule.run(List.of(Phase.SUCCESSFUL, Phase.FAILED), List.of(false, true))).isEqualTo(Phase.SUCCESSFUL);
    }
}
