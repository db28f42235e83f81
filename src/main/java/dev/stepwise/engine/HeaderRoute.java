package dev.stepwise.engine;

import dev.stepwise.spec.model.HeaderMatch;
import java.util.List;

/** A managed route sending requests that match any of {@code matches} to the canary, whatever the weight. */
public record HeaderRoute(String name, List<HeaderMatch> matches) {
    public HeaderRoute {
        matches = List.copyOf(matches);
    }
}
