package dev.stepwise.engine;

/**
 * What the traffic routers were read back at, for the rule that a setWeight step is complete only once the router
 * serves its weight (Argo's "verify weight"). Advancing on a weight that was written but is not served would judge the
 * next step (a pause, an analysis) on traffic the canary never got.
 */
public sealed interface TrafficReading {

    /** Nothing to check: no router, a simulation, a unit test. The engine trusts the weight it asked for. */
    TrafficReading NOT_REPORTED = new NotReported();

    record NotReported() implements TrafficReading {
    }

    /** The routers agree on this canary weight. */
    record Served(int weight) implements TrafficReading {
    }

    /**
     * There is a router, but no weight could be read from it: its object is missing or malformed, or two routers (or
     * two routes) disagree. No weight counts as served, so the step waits, and says why.
     *
     * @param readings what each router reads, for a person: {@code istio reads nothing}
     */
    record Unreadable(String readings) implements TrafficReading {
    }
}
