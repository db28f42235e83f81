package dev.stepwise.spec.model;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code trafficRouting.istio}: weights written into VirtualService routes. With a {@code destinationRule} the split
 * is by subset (one Service, canary and stable subsets labelled by pod template hash); without one it is by host
 * (canaryService and stableService as the two destinations).
 */
public record IstioRouter(List<VirtualService> virtualServices, Optional<DestinationRule> destinationRule, String pointer)
        implements TrafficRouter {

    public IstioRouter {
        virtualServices = List.copyOf(virtualServices);
    }

    /** {@code virtualService(s)[]}: a VirtualService and the HTTP routes in it to edit (all, if none named). */
    public record VirtualService(String name, List<String> routes) {
        public VirtualService {
            routes = List.copyOf(routes);
        }

        @Override
        public String toString() {
            return name + (routes.isEmpty() ? "" : " (routes " + String.join(", ", routes) + ")");
        }
    }

    /** {@code destinationRule}: the DestinationRule and its canary and stable subset names. */
    public record DestinationRule(String name, String canarySubsetName, String stableSubsetName) {
    }

    public boolean isSubsetLevel() {
        return destinationRule.isPresent();
    }

    @Override
    public String type() {
        return "istio";
    }

    @Override
    public boolean needsCanaryAndStableServices() {
        return !isSubsetLevel();
    }

    @Override
    public String describe() {
        String vs = virtualServices.stream().map(VirtualService::toString).collect(Collectors.joining(", "));
        return "istio virtualService " + vs + destinationRule
                .map(d -> ", destinationRule " + d.name() + " (subsets canary=" + d.canarySubsetName() + ", stable=" + d.stableSubsetName() + ")")
                .orElse("");
    }
}
