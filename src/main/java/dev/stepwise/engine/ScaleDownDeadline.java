package dev.stepwise.engine;

import java.time.Instant;

/**
 * A version (pod-template hash, or {@code experiment/<name>} for an experiment's ReplicaSet) to scale to zero at
 * {@code at}: an old stable after {@code scaleDownDelaySeconds}, an aborted canary after
 * {@code abortScaleDownDelaySeconds}.
 */
public record ScaleDownDeadline(String version, Instant at, String reason) {
}
