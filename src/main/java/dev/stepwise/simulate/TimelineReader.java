package dev.stepwise.simulate;

import dev.stepwise.engine.GateAction;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SourceMap;
import dev.stepwise.spec.model.ArgoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads a timeline document (already parsed by {@code SafeYamlReader}) into a {@link Timeline}, reporting every
 * problem as a located finding:
 * <pre>
 * metrics:
 *   success-rate:
 *     - {at: 0s, value: 0.999, samples: 120}
 *     - {at: 7m, value: 0.92, samples: 130}
 *   p99-latency:
 *     - {at: 9m, error: "connection refused"}   # the provider fails from here on
 * gates:
 *   - {at: 12m, action: promote, by: release-manager@example.com}
 * readiness: {delay: 20s}
 * until: 6h
 * </pre>
 */
public final class TimelineReader {

    private static final List<String> TOP = List.of("metrics", "gates", "readiness", "until");
    private static final List<String> POINT = List.of("at", "value", "samples", "error", "succeeded");
    private static final List<String> GATE = List.of("at", "action", "by", "step");

    private TimelineReader() {
    }

    /** The timeline, or empty with the findings that prevent it. */
    public record Result(Optional<Timeline> timeline, List<Finding> findings) {
    }

    public static Result read(Object root, SourceMap map) {
        List<Finding> findings = new ArrayList<>();
        if (!(root instanceof Map<?, ?> top)) {
            findings.add(error(map, "", "a timeline is a mapping with metrics, gates and readiness"));
            return new Result(Optional.empty(), findings);
        }
        for (Object key : top.keySet()) {
            if (!TOP.contains(String.valueOf(key))) {
                findings.add(error(map, "/" + key, "unknown timeline field '" + key + "'; expected one of " + TOP));
            }
        }
        Map<String, List<Timeline.Point>> metrics = new LinkedHashMap<>();
        Object m = top.get("metrics");
        if (m != null && !(m instanceof Map<?, ?>)) {
            findings.add(error(map, "/metrics", "metrics is a mapping from metric name to a list of points"));
        } else if (m instanceof Map<?, ?> mm) {
            for (Map.Entry<?, ?> e : mm.entrySet()) {
                String name = String.valueOf(e.getKey());
                String at = "/metrics/" + name;
                if (!(e.getValue() instanceof List<?> list)) {
                    findings.add(error(map, at, "metric '" + name + "' needs a list of points such as {at: 0s, value: 0.99}"));
                    continue;
                }
                List<Timeline.Point> points = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    point(list.get(i), at + "/" + i, map, findings).ifPresent(points::add);
                }
                points.sort(Comparator.comparing(Timeline.Point::at));
                metrics.put(name, points);
            }
        }
        List<Timeline.TimedGate> gates = new ArrayList<>();
        Object g = top.get("gates");
        if (g != null && !(g instanceof List<?>)) {
            findings.add(error(map, "/gates", "gates is a list such as [{at: 12m, action: promote, by: someone}]"));
        } else if (g instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                gate(list.get(i), "/gates/" + i, map, findings).ifPresent(gates::add);
            }
        }
        Duration delay = Timeline.DEFAULT_READINESS_DELAY;
        Object r = top.get("readiness");
        if (r != null) {
            if (!(r instanceof Map<?, ?> rm)) {
                findings.add(error(map, "/readiness", "readiness is a mapping such as {delay: 20s}"));
            } else {
                for (Object key : rm.keySet()) {
                    if (!"delay".equals(key)) {
                        findings.add(error(map, "/readiness/" + key, "unknown readiness field '" + key + "'; expected delay"));
                    }
                }
                if (rm.containsKey("delay")) {
                    delay = duration(rm.get("delay"), "/readiness/delay", map, findings).orElse(delay);
                }
            }
        }
        Duration until = Timeline.DEFAULT_UNTIL;
        if (top.containsKey("until")) {
            until = duration(top.get("until"), "/until", map, findings).orElse(until);
            if (until.isZero()) {
                findings.add(error(map, "/until", "until must be longer than 0s"));
            }
        }
        if (findings.stream().anyMatch(Finding::isError)) {
            return new Result(Optional.empty(), findings);
        }
        return new Result(Optional.of(new Timeline(metrics, gates, delay, until)), findings);
    }

    private static Optional<Timeline.Point> point(Object o, String at, SourceMap map, List<Finding> findings) {
        if (!(o instanceof Map<?, ?> p)) {
            findings.add(error(map, at, "a point is a mapping such as {at: 5m, value: 0.99, samples: 120}"));
            return Optional.empty();
        }
        for (Object key : p.keySet()) {
            if (!POINT.contains(String.valueOf(key))) {
                findings.add(error(map, at + "/" + key, "unknown point field '" + key + "'; expected one of " + POINT));
            }
        }
        Optional<Duration> when = required(p, "at", at, map, findings);
        boolean hasValue = p.containsKey("value");
        boolean hasError = p.containsKey("error");
        boolean hasSucceeded = p.containsKey("succeeded");
        if (!hasValue && !hasError && !hasSucceeded) {
            findings.add(error(map, at, "a point needs a value, an error or succeeded"));
            return Optional.empty();
        }
        if (hasValue && hasError) {
            findings.add(error(map, at + "/error", "a point has a value or an error, not both"));
            return Optional.empty();
        }
        OptionalLong samples = OptionalLong.empty();
        if (p.containsKey("samples")) {
            Object s = p.get("samples");
            if (s instanceof Long l && l >= 0) {
                samples = OptionalLong.of(l);
            } else {
                findings.add(error(map, at + "/samples", "samples is a whole number of 0 or more"));
            }
        }
        Optional<String> err = Optional.empty();
        if (hasError) {
            if (p.get("error") instanceof String s && !s.isBlank()) {
                err = Optional.of(s);
            } else {
                findings.add(error(map, at + "/error", "error is the provider's message, a non-empty string"));
            }
        }
        Optional<Boolean> succeeded = Optional.empty();
        if (hasSucceeded) {
            if (p.get("succeeded") instanceof Boolean b) {
                succeeded = Optional.of(b);
            } else {
                findings.add(error(map, at + "/succeeded", "succeeded is true or false"));
            }
        }
        if (when.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Timeline.Point(when.get(), p.get("value"), samples, err, succeeded));
    }

    private static Optional<Timeline.TimedGate> gate(Object o, String at, SourceMap map, List<Finding> findings) {
        if (!(o instanceof Map<?, ?> g)) {
            findings.add(error(map, at, "a gate is a mapping such as {at: 12m, action: promote, by: someone}"));
            return Optional.empty();
        }
        for (Object key : g.keySet()) {
            if (!GATE.contains(String.valueOf(key))) {
                findings.add(error(map, at + "/" + key, "unknown gate field '" + key + "'; expected one of " + GATE));
            }
        }
        Optional<Duration> when = required(g, "at", at, map, findings);
        Object action = g.get("action");
        Optional<GateAction> a = action instanceof String s ? GateAction.of(s) : Optional.empty();
        if (a.isEmpty()) {
            findings.add(error(map, action == null ? at : at + "/action",
                    "action is one of promote, promote-full, abort, retry, skip" + (action == null ? "" : "; found '" + action + "'")));
        }
        OptionalInt step = OptionalInt.empty();
        if (g.containsKey("step")) {
            if (g.get("step") instanceof Long l && l >= 0 && l < Integer.MAX_VALUE) {
                step = OptionalInt.of(l.intValue());
            } else {
                findings.add(error(map, at + "/step", "step is a step index (0, 1, …)"));
            }
        }
        String by = g.get("by") == null ? "" : String.valueOf(g.get("by"));
        if (when.isEmpty() || a.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Timeline.TimedGate(when.get(), a.get(), by, step));
    }

    private static Optional<Duration> required(Map<?, ?> m, String key, String at, SourceMap map, List<Finding> findings) {
        if (!m.containsKey(key)) {
            findings.add(error(map, at, "'" + key + "' is missing: when this happens, as a duration from the start (e.g. 5m)"));
            return Optional.empty();
        }
        return duration(m.get(key), at + "/" + key, map, findings);
    }

    private static Optional<Duration> duration(Object value, String at, SourceMap map, List<Finding> findings) {
        try {
            return Optional.of(ArgoDuration.parse(value));
        } catch (RuntimeException e) {
            findings.add(error(map, at, e.getMessage()));
            return Optional.empty();
        }
    }

    private static Finding error(SourceMap map, String pointer, String message) {
        return Finding.error(map.valueAt(pointer), pointer, "simulate.timeline", message);
    }
}
