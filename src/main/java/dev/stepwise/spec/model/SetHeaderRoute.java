package dev.stepwise.spec.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code setHeaderRoute}: sends requests matching any of {@code matches} to the canary through the managed route
 * {@code name}, whatever the weight. Without matches it removes the route.
 */
public record SetHeaderRoute(String name, List<HeaderMatch> matches, boolean irreversible, String pointer) implements Step {

    public SetHeaderRoute {
        matches = List.copyOf(matches);
    }

    @Override
    public String kind() {
        return "setHeaderRoute";
    }

    @Override
    public String describe() {
        if (matches.isEmpty()) {
            return "setHeaderRoute " + name + ": remove";
        }
        return "setHeaderRoute " + name + ": " + matches.stream().map(HeaderMatch::toString).collect(Collectors.joining(" or "));
    }
}
