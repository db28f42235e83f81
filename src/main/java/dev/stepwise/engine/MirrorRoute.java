package dev.stepwise.engine;

import dev.stepwise.spec.model.RouteMatch;
import java.util.List;

/** A managed route copying {@code percentage}% of matching requests to the canary (its answers are dropped). */
public record MirrorRoute(String name, int percentage, List<RouteMatch> matches) {
    public MirrorRoute {
        matches = List.copyOf(matches);
    }
}
