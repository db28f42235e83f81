package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.MeasurementRecord;
import dev.stepwise.engine.analysis.MetricState;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.engine.analysis.Verdict;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RolloutStatus} to plain data (maps, lists, strings, longs, booleans: what a YAML writer takes and
 * {@code SafeYamlReader} gives back) and back, exactly: {@code decode(encode(s)).equals(s)} for every status.
 *
 * <p>Fields at their default (false, 0, empty, absent) are left out, so a status file says only what is so. Instants
 * are ISO-8601 strings ({@link Instant#toString()}, which keeps every nanosecond). Numbers read back may be any
 * {@link Number}. A status that cannot be read raises {@link StatusFormatException} naming the field: it was written
 * by Stepwise, so a bad one means a hand edit or a bug, and guessing would be worse than stopping.
 *
 * <p>Write the data with a YAML 1.2 core-schema dumper (snakeyaml-engine with {@code CoreSchema}), the schema
 * {@code SafeYamlReader} reads with: then strings such as {@code ~}, {@code 0x1F} or {@code 1e3} are quoted and come
 * back as strings. ({@code StatusCodecTest} round-trips generated statuses through that YAML text.)
 */
public final class StatusCodec {

    /** Written as {@code statusVersion}; a later format bumps it. */
    public static final long FORMAT_VERSION = 1;

    private StatusCodec() {
    }

    /** A status field that could not be read. */
    public static final class StatusFormatException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StatusFormatException(String message) {
            super(message);
        }
    }

    public static Map<String, Object> encode(RolloutStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("statusVersion", FORMAT_VERSION);
        m.put("phase", s.phase().label());
        flag(m, "aborted", s.aborted());
        text(m, "abortReason", s.abortReason());
        text(m, "message", s.message());
        text(m, "stable", s.stableHash());
        text(m, "canary", s.canaryHash());
        text(m, "specRevision", s.specRevision());
        number(m, "attempt", s.attempt());
        number(m, "step", s.stepIndex());
        time(m, "startedAt", s.startedAt());
        time(m, "stepStartedAt", s.stepStartedAt());
        time(m, "pausedAt", s.pausedAt());
        flag(m, "halted", s.halted());
        flag(m, "promoteFull", s.promoteFull());
        flag(m, "promoted", s.promoted());
        number(m, "weight", s.canaryWeight());
        if (!s.replicas().isEmpty()) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (VersionReplicas v : s.replicas()) {
                r.put(v.version(), (long) v.replicas());
            }
            m.put("replicas", r);
        }
        time(m, "waitingSince", s.waitingSince());
        number(m, "waitingAvailable", s.waitingAvailable());
        time(m, "previewReadyAt", s.previewReadyAt());
        time(m, "switchedAt", s.switchedAt());
        if (!s.runs().isEmpty()) {
            List<Object> runs = new ArrayList<>(s.runs().size());
            for (AnalysisRunState run : s.runs()) {
                runs.add(run(run));
            }
            m.put("runs", runs);
        }
        if (!s.appliedGates().isEmpty()) {
            m.put("appliedGates", new ArrayList<>(s.appliedGates()));
        }
        if (!s.scaleDowns().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (ScaleDownDeadline d : s.scaleDowns()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("version", d.version());
                x.put("at", d.at().toString());
                text(x, "reason", d.reason());
                list.add(x);
            }
            m.put("scaleDowns", list);
        }
        if (!s.events().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (EngineEvent e : s.events()) {
                list.add(event(e));
            }
            m.put("events", list);
        }
        return m;
    }

    public static RolloutStatus decode(Map<String, Object> m) {
        Reader r = new Reader(m, "");
        long version = r.number("statusVersion", FORMAT_VERSION);
        if (version != FORMAT_VERSION) {
            throw new StatusFormatException("statusVersion " + version + " is not one this Stepwise reads (" + FORMAT_VERSION + ")");
        }
        List<VersionReplicas> replicas = new ArrayList<>();
        Map<String, Object> rm = r.map("replicas");
        for (Map.Entry<String, Object> e : rm.entrySet()) {
            replicas.add(new VersionReplicas(e.getKey(), (int) new Reader(rm, "/replicas").number(e.getKey(), 0)));
        }
        List<AnalysisRunState> runs = new ArrayList<>();
        List<Map<String, Object>> runMaps = r.maps("runs");
        for (int i = 0; i < runMaps.size(); i++) {
            runs.add(run(new Reader(runMaps.get(i), "/runs/" + i)));
        }
        List<ScaleDownDeadline> scaleDowns = new ArrayList<>();
        List<Map<String, Object>> sd = r.maps("scaleDowns");
        for (int i = 0; i < sd.size(); i++) {
            Reader x = new Reader(sd.get(i), "/scaleDowns/" + i);
            scaleDowns.add(new ScaleDownDeadline(x.text("version"), x.requiredTime("at"), x.text("reason")));
        }
        List<EngineEvent> events = new ArrayList<>();
        List<Map<String, Object>> ev = r.maps("events");
        for (int i = 0; i < ev.size(); i++) {
            events.add(event(new Reader(ev.get(i), "/events/" + i)));
        }
        return new RolloutStatus(r.phase("phase"), r.flag("aborted"), r.text("abortReason"), r.text("message"),
                r.text("stable"), r.text("canary"), r.text("specRevision"), (int) r.number("attempt", 0),
                (int) r.number("step", 0), r.time("startedAt"), r.time("stepStartedAt"), r.time("pausedAt"),
                r.flag("halted"), r.flag("promoteFull"), r.flag("promoted"), (int) r.number("weight", 0), replicas,
                r.time("waitingSince"), (int) r.number("waitingAvailable", 0), r.time("previewReadyAt"),
                r.time("switchedAt"), runs, r.strings("appliedGates"), scaleDowns, events);
    }

    private static Map<String, Object> run(AnalysisRunState run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", run.id());
        m.put("kind", run.kind().label());
        m.put("step", (long) run.step());
        m.put("startedAt", run.startedAt().toString());
        m.put("phase", run.phase().label());
        time(m, "finishedAt", run.finishedAt());
        flag(m, "accepted", run.accepted());
        text(m, "message", run.message());
        List<Object> metrics = new ArrayList<>(run.metrics().size());
        for (MetricState s : run.metrics()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", s.name());
            x.put("phase", s.phase().label());
            number(x, "measured", s.measured());
            number(x, "successful", s.successful());
            number(x, "failed", s.failed());
            number(x, "inconclusive", s.inconclusive());
            number(x, "errors", s.errors());
            number(x, "consecutiveErrors", s.consecutiveErrors());
            number(x, "consecutiveSuccesses", s.consecutiveSuccesses());
            number(x, "insufficient", s.insufficient());
            time(x, "lastMeasuredAt", s.lastMeasuredAt());
            time(x, "insufficientSince", s.insufficientSince());
            text(x, "message", s.message());
            if (!s.measurements().isEmpty()) {
                List<Object> ms = new ArrayList<>(s.measurements().size());
                for (MeasurementRecord r : s.measurements()) {
                    Map<String, Object> y = new LinkedHashMap<>();
                    y.put("at", r.at().toString());
                    y.put("verdict", r.verdict().label());
                    text(y, "value", r.value());
                    if (r.samples() >= 0) {
                        y.put("samples", r.samples());
                    }
                    text(y, "note", r.note());
                    ms.add(y);
                }
                x.put("measurements", ms);
            }
            metrics.add(x);
        }
        m.put("metrics", metrics);
        return m;
    }

    private static AnalysisRunState run(Reader r) {
        List<MetricState> metrics = new ArrayList<>();
        List<Map<String, Object>> ms = r.maps("metrics");
        for (int i = 0; i < ms.size(); i++) {
            Reader x = new Reader(ms.get(i), r.at + "/metrics/" + i);
            List<MeasurementRecord> records = new ArrayList<>();
            List<Map<String, Object>> list = x.maps("measurements");
            for (int j = 0; j < list.size(); j++) {
                Reader y = new Reader(list.get(j), x.at + "/measurements/" + j);
                records.add(new MeasurementRecord(y.requiredTime("at"), y.verdict("verdict"), y.text("value"),
                        y.number("samples", -1), y.text("note")));
            }
            metrics.add(new MetricState(x.text("name"), x.analysisPhase("phase"), (int) x.number("measured", 0),
                    (int) x.number("successful", 0), (int) x.number("failed", 0), (int) x.number("inconclusive", 0),
                    (int) x.number("errors", 0), (int) x.number("consecutiveErrors", 0),
                    (int) x.number("consecutiveSuccesses", 0), (int) x.number("insufficient", 0), x.time("lastMeasuredAt"),
                    x.time("insufficientSince"), x.text("message"), records));
        }
        return new AnalysisRunState(r.text("id"), r.kind("kind"), (int) r.number("step", 0), r.requiredTime("startedAt"),
                r.analysisPhase("phase"), r.time("finishedAt"), r.flag("accepted"), r.text("message"), metrics);
    }

    private static Map<String, Object> event(EngineEvent e) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("at", e.at().toString());
        x.put("reason", e.reason());
        x.put("step", (long) e.step());
        x.put("weight", (long) e.weight());
        x.put("phase", e.phase().label());
        text(x, "message", e.message());
        if (!e.evidence().isEmpty()) {
            x.put("evidence", new ArrayList<>(e.evidence()));
        }
        return x;
    }

    private static EngineEvent event(Reader r) {
        return new EngineEvent(r.requiredTime("at"), r.text("reason"), (int) r.number("step", 0), (int) r.number("weight", 0),
                r.phase("phase"), r.text("message"), r.strings("evidence"));
    }

    private static void flag(Map<String, Object> m, String key, boolean value) {
        if (value) {
            m.put(key, true);
        }
    }

    private static void text(Map<String, Object> m, String key, String value) {
        if (value != null && !value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static void number(Map<String, Object> m, String key, long value) {
        if (value != 0) {
            m.put(key, value);
        }
    }

    private static void time(Map<String, Object> m, String key, Instant value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    /** Reads one map, naming the JSON pointer of whatever is wrong. */
    private static final class Reader {
        private final Map<String, Object> m;
        private final String at;

        Reader(Map<String, Object> m, String at) {
            this.m = m == null ? Map.of() : m;
            this.at = at;
        }

        private StatusFormatException bad(String key, String expected) {
            Object v = m.get(key);
            return new StatusFormatException("status field " + at + "/" + key + " should be " + expected + ", not "
                    + (v == null ? "absent" : v.getClass().getSimpleName() + " '" + v + "'"));
        }

        boolean flag(String key) {
            Object v = m.get(key);
            if (v == null) {
                return false;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw bad(key, "true or false");
        }

        String text(String key) {
            Object v = m.get(key);
            if (v == null) {
                return "";
            }
            if (v instanceof String s) {
                return s;
            }
            if (v instanceof Number || v instanceof Boolean) {
                return String.valueOf(v); // a YAML writer may have let a value like 0.99 lose its quotes
            }
            throw bad(key, "a string");
        }

        long number(String key, long fallback) {
            Object v = m.get(key);
            if (v == null) {
                return fallback;
            }
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            throw bad(key, "a whole number");
        }

        Instant time(String key) {
            Object v = m.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof String s) {
                try {
                    return Instant.parse(s);
                } catch (DateTimeParseException e) {
                    throw bad(key, "an ISO-8601 instant such as 2024-05-01T10:00:00Z");
                }
            }
            throw bad(key, "an ISO-8601 instant such as 2024-05-01T10:00:00Z");
        }

        Instant requiredTime(String key) {
            Instant t = time(key);
            if (t == null) {
                throw bad(key, "an ISO-8601 instant");
            }
            return t;
        }

        Phase phase(String key) {
            try {
                return Phase.ofLabel(text(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, "one of Progressing, Paused, Healthy, Degraded");
            }
        }

        AnalysisPhase analysisPhase(String key) {
            try {
                return AnalysisPhase.ofLabel(text(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, "an analysis phase (Pending, Running, Successful, Failed, Error, Inconclusive)");
            }
        }

        Verdict verdict(String key) {
            try {
                return Verdict.ofLabel(text(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, "a verdict (Successful, Failed, Inconclusive, Error, InsufficientData)");
            }
        }

        RunKind kind(String key) {
            try {
                return RunKind.ofLabel(text(key));
            } catch (IllegalArgumentException e) {
                throw bad(key, "a run kind (step, background, prePromotion, postPromotion, experiment)");
            }
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(String key) {
            Object v = m.get(key);
            if (v == null) {
                return Map.of();
            }
            if (v instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
            throw bad(key, "a mapping");
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> maps(String key) {
            Object v = m.get(key);
            if (v == null) {
                return List.of();
            }
            if (v instanceof List<?> list) {
                List<Map<String, Object>> out = new ArrayList<>(list.size());
                for (Object o : list) {
                    if (!(o instanceof Map<?, ?>)) {
                        throw bad(key, "a list of mappings");
                    }
                    out.add((Map<String, Object>) o);
                }
                return out;
            }
            throw bad(key, "a list");
        }

        List<String> strings(String key) {
            Object v = m.get(key);
            if (v == null) {
                return List.of();
            }
            if (v instanceof List<?> list) {
                List<String> out = new ArrayList<>(list.size());
                for (Object o : list) {
                    out.add(String.valueOf(o));
                }
                return out;
            }
            throw bad(key, "a list of strings");
        }
    }
}
