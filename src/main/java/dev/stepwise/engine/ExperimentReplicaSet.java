package dev.stepwise.engine;

/**
 * An experiment's ReplicaSet: {@code replicas} pods of {@code version} (the stable or canary hash) named after the
 * experiment template, given {@code weight}% of traffic when a router can do so.
 */
public record ExperimentReplicaSet(String name, String version, int replicas, int weight) {

    /** The key this ReplicaSet has in a status's replica list. */
    public String key() {
        return "experiment/" + name;
    }
}
