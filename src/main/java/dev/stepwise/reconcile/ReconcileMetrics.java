package dev.stepwise.reconcile;

import java.time.Duration;

/** What the reconciler reports for {@code /metrics}; the names and labels are in docs/http-api.md. */
public interface ReconcileMetrics {

    ReconcileMetrics NONE = new ReconcileMetrics() {
    };

    default void rollout(String repository, String cluster, String namespace, String name, String phase, int step, int weight) {
    }

    default void forgetRollout(String namespace, String name) {
    }

    default void specFindings(String namespace, String name, int errors, int warnings) {
    }

    default void analysisVerdict(String namespace, String name, String metric, String verdict) {
    }

    default void measurement(String namespace, String name, String metric, double value) {
    }

    default void gitPoll(String repository, Duration took, boolean ok) {
    }

    default void gitPush(String repository, Duration took, boolean ok) {
    }

    default void reconcile(String namespace, String name, Duration took, boolean ok) {
    }
}
