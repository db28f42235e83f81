package dev.stepwise.bench;

import dev.stepwise.spec.model.RolloutSpec;

/** Test access to the benchmark's spec copier: a rollout as if its pod template had changed. */
public final class EngineBenchmarkAccess {
    private EngineBenchmarkAccess() {
    }

    public static RolloutSpec withHash(RolloutSpec spec, String hash) {
        return EngineBenchmark.withStrategy(spec, spec.strategy(), hash);
    }
}
