package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/** One {@code setMirrorRoute.match[]} entry: method, path and headers, all of which must match. */
public record RouteMatch(Optional<StringMatch> method, Optional<StringMatch> path, Map<String, StringMatch> headers) {

    public RouteMatch {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(" and ");
        method.ifPresent(m -> j.add("method " + m));
        path.ifPresent(p -> j.add("path " + p));
        headers.forEach((h, m) -> j.add(h + " " + m));
        return j.length() == 0 ? "all requests" : j.toString();
    }
}
