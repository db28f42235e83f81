package dev.stepwise.spec.model;

import java.util.Optional;

/** {@code trafficRouting.smi}: an SMI TrafficSplit (Linkerd, OSM) between canaryService and stableService. */
public record SmiRouter(Optional<String> rootService, Optional<String> trafficSplitName, String pointer) implements TrafficRouter {
    @Override
    public String type() {
        return "smi";
    }

    @Override
    public boolean needsCanaryAndStableServices() {
        return true;
    }

    @Override
    public String describe() {
        return "smi trafficSplit " + trafficSplitName.orElse("(rollout name)") + rootService.map(r -> " for " + r).orElse("");
    }
}
