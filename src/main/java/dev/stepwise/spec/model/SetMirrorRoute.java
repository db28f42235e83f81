package dev.stepwise.spec.model;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code setMirrorRoute}: copies {@code percentage} of the requests matching {@code matches} to the canary (responses
 * from the canary are dropped). With neither matches nor a percentage it removes the route.
 */
public record SetMirrorRoute(String name, Optional<Integer> percentage, List<RouteMatch> matches, boolean irreversible,
                             String pointer) implements Step {

    public SetMirrorRoute {
        matches = List.copyOf(matches);
    }

    public boolean removesRoute() {
        return matches.isEmpty() && percentage.isEmpty();
    }

    @Override
    public String kind() {
        return "setMirrorRoute";
    }

    @Override
    public String describe() {
        if (removesRoute()) {
            return "setMirrorRoute " + name + ": remove";
        }
        String what = matches.isEmpty() ? "all requests"
                : matches.stream().map(RouteMatch::toString).collect(Collectors.joining(" or "));
        return "setMirrorRoute " + name + ": mirror " + percentage.orElse(100) + "% of " + what;
    }
}
