package dev.stepwise.analysis.judge;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One metric's classification and everything it rests on: sample sizes (after cleaning) and how many points were
 * dropped, the U statistic and p-value in the tested direction, the Hodges-Lehmann shift with its interval, the
 * effect size (canary mean / baseline mean; infinite when the baseline's mean is 0 and the canary's is not) and the
 * reason in words. Statistics are NaN when the metric had too little data to compute them.
 */
public record MetricVerdict(String name, String group, Classification classification, boolean criticalFailure,
                            String reason, int canarySamples, int baselineSamples, int canaryDropped,
                            int baselineDropped, double u, double pValue, double shift, double shiftLower,
                            double shiftUpper, double confidence, double effectSize, double canaryMean,
                            double baselineMean) {

    public boolean isJudged() {
        return classification != Classification.NO_DATA;
    }

    /** As plain data for JSON output and measurement evidence (non-finite numbers as strings). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("group", group);
        m.put("classification", classification.label());
        m.put("critical", criticalFailure);
        m.put("reason", reason);
        m.put("canarySamples", canarySamples);
        m.put("baselineSamples", baselineSamples);
        m.put("canaryDropped", canaryDropped);
        m.put("baselineDropped", baselineDropped);
        m.put("u", number(u));
        m.put("pValue", number(pValue));
        m.put("shift", number(shift));
        m.put("shiftInterval", java.util.Arrays.asList(number(shiftLower), number(shiftUpper)));
        m.put("confidence", number(confidence));
        m.put("effectSize", number(effectSize));
        m.put("canaryMean", number(canaryMean));
        m.put("baselineMean", number(baselineMean));
        return m;
    }

    static Object number(double d) {
        if (Double.isNaN(d)) {
            return null;
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        return d;
    }
}
