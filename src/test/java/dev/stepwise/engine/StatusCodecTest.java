package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.MeasurementRecord;
import dev.stepwise.engine.analysis.MetricState;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.engine.analysis.Verdict;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** StatusCodec round trips exactly, through plain data and through YAML text, and says which field is wrong. */
class StatusCodecTest {

    static Stream<Integer> seeds() {
        return IntStream.range(0, 1000).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void generatedStatusesRoundTripExactly(int seed) {
        RolloutStatus s = random(new Random(seed));
        Map<String, Object> data = StatusCodec.encode(s);
        assertThat(StatusCodec.decode(data)).isEqualTo(s);
        // and through YAML text, as it is written to Git and read back
        String yaml = new Dump(DumpSettings.builder().setSchema(new CoreSchema()).build()).dumpToString(data);
        SafeYamlReader.Result read = new SafeYamlReader().read(new SourceFile("status.yaml", yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(read.findings()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) read.documents().get(0).root();
        assertThat(StatusCodec.decode(back)).isEqualTo(s);
    }

    @Test
    void statusesTheEngineWritesRoundTripExactly() {
        Drive d = Fixtures.rollout(Fixtures.examples("rollouts/checkout-api.yaml", "analysis/success-rate.yaml",
                "analysis/error-rate.yaml")).drive();
        d.runUntilSettled("error-rate", List.of(0.001), 5);
        for (int i = 0; i < 40 && d.status.inFlight(); i++) {
            d.podsReady().atRequeue().measure("error-rate", List.of(0.001)).measure("success-rate", List.of(0.999), 80).decide();
            assertThat(StatusCodec.decode(StatusCodec.encode(d.status))).isEqualTo(d.status);
        }
        assertThat(d.history).hasSizeGreaterThan(10);
    }

    @Test
    void defaultsAreLeftOut() {
        Map<String, Object> data = StatusCodec.encode(RolloutStatus.initial());
        assertThat(data).containsOnlyKeys("statusVersion", "phase");
        Map<String, Object> stable = StatusCodec.encode(RolloutStatus.stable("abc", 3, 4, Instant.parse("2025-01-01T00:00:00Z")));
        assertThat(stable).containsEntry("replicas", Map.of("abc", 3L)).containsEntry("step", 4L)
                .containsEntry("startedAt", "2025-01-01T00:00:00Z").doesNotContainKeys("aborted", "runs", "events");
    }

    @Test
    void aBadFieldIsNamed() {
        Map<String, Object> data = new LinkedHashMap<>(StatusCodec.encode(RolloutStatus.stable("abc", 3, 4, Instant.EPOCH)));
        data.put("phase", "Sleeping");
        assertThatThrownBy(() -> StatusCodec.decode(data)).hasMessage(
                "status field /phase should be one of Progressing, Paused, Healthy, Degraded, not String 'Sleeping'");
        data.put("phase", "Healthy");
        data.put("startedAt", "yesterday");
        assertThatThrownBy(() -> StatusCodec.decode(data)).hasMessageContaining("/startedAt should be an ISO-8601 instant");
        data.put("startedAt", "2025-01-01T00:00:00Z");
        data.put("runs", List.of(Map.of("id", "1.bg", "kind", "sideways")));
        assertThatThrownBy(() -> StatusCodec.decode(data)).hasMessageStartingWith("status field /runs/0/kind should be a run kind");
        data.remove("runs");
        data.put("statusVersion", 9L);
        assertThatThrownBy(() -> StatusCodec.decode(data)).hasMessageContaining("statusVersion 9");
    }

    private static RolloutStatus random(Random r) {
        Instant base = Instant.parse("2025-01-01T00:00:00Z").plusNanos(r.nextInt(1_000_000_000));
        List<VersionReplicas> replicas = new ArrayList<>();
        for (int i = 0; i < r.nextInt(4); i++) {
            replicas.add(new VersionReplicas(text(r) + i, r.nextInt(50)));
        }
        List<AnalysisRunState> runs = new ArrayList<>();
        for (int i = 0; i < r.nextInt(4); i++) {
            List<MetricState> metrics = new ArrayList<>();
            for (int j = 0; j < r.nextInt(3); j++) {
                List<MeasurementRecord> ms = new ArrayList<>();
                for (int k = 0; k < r.nextInt(4); k++) {
                    ms.add(new MeasurementRecord(time(r, base), pick(r, Verdict.values()), text(r),
                            r.nextBoolean() ? -1 : r.nextInt(10_000), text(r)));
                }
                metrics.add(new MetricState("m" + j + text(r), pick(r, AnalysisPhase.values()), r.nextInt(9), r.nextInt(9),
                        r.nextInt(9), r.nextInt(9), r.nextInt(9), r.nextInt(9), r.nextInt(9), r.nextInt(9), maybe(r, base),
                        maybe(r, base), text(r), ms));
            }
            runs.add(new AnalysisRunState(r.nextInt(5) + ".s" + i, pick(r, RunKind.values()), r.nextInt(10) - 1,
                    time(r, base), pick(r, AnalysisPhase.values()), maybe(r, base), r.nextBoolean(), text(r), metrics));
        }
        List<String> gates = new ArrayList<>();
        for (int i = 0; i < r.nextInt(3); i++) {
            gates.add("gate-" + text(r));
        }
        List<ScaleDownDeadline> downs = new ArrayList<>();
        for (int i = 0; i < r.nextInt(3); i++) {
            downs.add(new ScaleDownDeadline("v" + i, time(r, base), text(r)));
        }
        List<EngineEvent> events = new ArrayList<>();
        for (int i = 0; i < r.nextInt(4); i++) {
            List<String> evidence = new ArrayList<>();
            for (int j = 0; j < r.nextInt(3); j++) {
                evidence.add(text(r));
            }
            events.add(new EngineEvent(time(r, base), "Reason" + i, r.nextInt(9), r.nextInt(101), pick(r, Phase.values()),
                    text(r), evidence));
        }
        return new RolloutStatus(pick(r, Phase.values()), r.nextBoolean(), text(r), text(r), text(r), text(r), text(r),
                r.nextInt(5), r.nextInt(9), maybe(r, base), maybe(r, base), maybe(r, base), r.nextBoolean(), r.nextBoolean(),
                r.nextBoolean(), r.nextInt(101), replicas, maybe(r, base), r.nextInt(20), maybe(r, base), maybe(r, base),
                runs, gates, downs, events);
    }

    private static final String[] TEXTS = {"", "0.99", "true", "null", "a: b", "- x", "#hash", "naïve ✓", "line\nbreak",
            "'quoted'", "\"dq\"", "123", "1e3", "~", "[0.5, 2]", "{a: 1}", "0x1F", "  spaced  ", "yes", "2025-01-01"};

    private static String text(Random r) {
        return TEXTS[r.nextInt(TEXTS.length)];
    }

    private static Instant time(Random r, Instant base) {
        return base.plus(Duration.ofMillis(r.nextInt(10_000_000))).plusNanos(r.nextInt(1000));
    }

    private static Instant maybe(Random r, Instant base) {
        return r.nextInt(3) == 0 ? null : time(r, base);
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
