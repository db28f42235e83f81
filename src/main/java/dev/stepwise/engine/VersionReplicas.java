package dev.stepwise.engine;

/** How many pods of one version (pod-template hash, or {@code experiment/<name>}) the engine last asked for. */
public record VersionReplicas(String version, int replicas) {
}
