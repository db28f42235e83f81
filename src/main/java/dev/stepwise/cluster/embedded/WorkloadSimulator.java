package dev.stepwise.cluster.embedded;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the ReplicaSet/Deployment controllers and the kubelet for the embedded API server: it polls ReplicaSets and
 * Deployments and, {@code readyAfter} after it first saw a replica count, writes their status (replicas,
 * readyReplicas, availableReplicas, observedGeneration). A version told to crash-loop keeps 0 ready pods. Polling (not
 * an informer) keeps it simple and independent of watch support; every {@link #settle()} also runs one pass at once.
 */
public final class WorkloadSimulator implements AutoCloseable {
    private static final String HASH = "rollouts-pod-template-hash";

    private final KubernetesClient client;
    private final Clock clock;
    private volatile Duration readyAfter;
    private final Set<String> crashLooping = ConcurrentHashMap.newKeySet();
    /** object key + replicas → when that count was first seen. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private ScheduledExecutorService poller;

    public WorkloadSimulator(KubernetesClient client, Duration readyAfter, Clock clock) {
        this.client = client;
        this.readyAfter = readyAfter;
        this.clock = clock;
    }

    public void readyAfter(Duration d) {
        this.readyAfter = d;
    }

    /** Pods of {@code version} (pod-template hash) never become ready, as in a crash loop. */
    public void crashLoop(String version) {
        crashLooping.add(version);
    }

    public void heal(String version) {
        crashLooping.remove(version);
    }

    public synchronized void start(Duration every) {
        if (poller == null) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stepwise-workload-simulator");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::safePass, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void safePass() {
        try {
            settle();
        } catch (RuntimeException e) {
            // the server may be stopping; the next pass tries again
        }
    }

    /** One pass: brings every status up to date where its delay has passed. */
    public synchronized void settle() {
        Instant now = clock.instant();
        for (ReplicaSet rs : client.apps().replicaSets().inAnyNamespace().list().getItems()) {
            String version = rs.getSpec().getTemplate() != null && rs.getSpec().getTemplate().getMetadata() != null
                    && rs.getSpec().getTemplate().getMetadata().getLabels() != null
                    ? rs.getSpec().getTemplate().getMetadata().getLabels().get(HASH) : null;
            int want = rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
            var st = rs.getStatus();
            update("ReplicaSet", rs.getMetadata().getNamespace(), rs.getMetadata().getName(), want, version,
                    rs.getMetadata().getGeneration(), st == null ? null : st.getReplicas(),
                    st == null ? null : st.getAvailableReplicas(), st == null ? null : st.getReadyReplicas(), now);
        }
        for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
            String version = d.getSpec().getTemplate() != null && d.getSpec().getTemplate().getMetadata() != null
                    && d.getSpec().getTemplate().getMetadata().getLabels() != null
                    ? d.getSpec().getTemplate().getMetadata().getLabels().get(HASH) : null;
            if (version == null && d.getMetadata().getAnnotations() != null) {
                version = d.getMetadata().getAnnotations().get("stepwise.dev/version");
            }
            int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            var st = d.getStatus();
            update("Deployment", d.getMetadata().getNamespace(), d.getMetadata().getName(), want, version,
                    d.getMetadata().getGeneration(), st == null ? null : st.getReplicas(),
                    st == null ? null : st.getAvailableReplicas(), st == null ? null : st.getReadyReplicas(), now);
        }
    }

    private void update(String kind, String ns, String name, int want, String version, Long generation, Integer replicas,
                        Integer available, Integer ready, Instant now) {
        String key = kind + "/" + ns + "/" + name + "=" + want;
        Instant seen = firstSeen.computeIfAbsent(key, k -> now);
        boolean crash = version != null && crashLooping.contains(version);
        int readyNow = crash ? 0 : (!now.isBefore(seen.plus(readyAfter)) ? want : Math.min(want, available == null ? 0 : available));
        if (Integer.valueOf(want).equals(replicas) && Integer.valueOf(readyNow).equals(available) && Integer.valueOf(readyNow).equals(ready)) {
            return;
        }
        String status = "{\"status\":{\"replicas\":" + want + ",\"readyReplicas\":" + readyNow + ",\"availableReplicas\":"
                + readyNow + (generation == null ? "" : ",\"observedGeneration\":" + generation) + "}}";
        try {
            if (kind.equals("ReplicaSet")) {
                client.apps().replicaSets().inNamespace(ns).withName(name).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), status);
            } else {
                client.apps().deployments().inNamespace(ns).withName(name).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), status);
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                throw e;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }
}
