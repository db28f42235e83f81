package dev.stepwise.spec.model;

/** One {@code setHeaderRoute.match[]} entry: requests whose header matches go to the canary. */
public record HeaderMatch(String headerName, StringMatch headerValue) {
    @Override
    public String toString() {
        return headerName + " " + headerValue;
    }
}
