package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.MetricProvider;
import dev.stepwise.analysis.Pacer;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderConfig;
import dev.stepwise.spec.model.Args;
import dev.stepwise.spec.model.ProviderSpec;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Argo's {@code job} provider: runs a Kubernetes Job built from the metric's {@code metadata} and {@code spec} (a
 * JobSpec, arguments substituted in its strings) and waits for it. The measurement succeeds when the Job completes
 * and fails when it fails — the provider's own verdict, as in Argo — with the tail of its pod's log as evidence. A
 * Job that cannot be created, or that does not finish within {@code timeout} (a Stepwise extension, default 15m), is
 * an error. The Job is deleted afterwards (its pods with it).
 */
public final class JobProvider implements MetricProvider {

    public static final String TYPE = "job";
    static final int LOG_TAIL_LINES = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private final Pacer pacer;
    private final Duration pollInterval;

    public JobProvider(KubernetesClient client, String namespace, Clock clock, Pacer pacer, Duration pollInterval) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
        this.pacer = pacer;
        this.pollInterval = pollInterval;
    }

    /** The Kubernetes client from the environment (in-cluster, or the kubeconfig), created when first used. */
    public static MetricProvider withDefaultClient(Clock clock) {
        return new LazyJobProvider(clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        Optional<ProviderConfig> jobSpec = c.map("spec");
        if (jobSpec.isEmpty()) {
            problems.add(new ConfigProblem("/spec", "analysis.provider.missing", "a job metric needs spec (a Kubernetes JobSpec)"));
            return problems;
        }
        Optional<ProviderConfig> podSpec = jobSpec.get().map("template").flatMap(t -> t.map("spec"));
        if (podSpec.isEmpty() || podSpec.get().list("containers").isEmpty()) {
            problems.add(new ConfigProblem("/spec/template/spec/containers", "analysis.provider.missing", "the job's pod template needs at least one container"));
            return problems;
        }
        String restart = podSpec.get().string("restartPolicy").orElse("");
        if (!restart.equals("Never") && !restart.equals("OnFailure")) {
            problems.add(new ConfigProblem("/spec/template/spec/restartPolicy", "analysis.provider.job-restart",
                    "a Job's pods need restartPolicy Never or OnFailure (Kubernetes refuses Always)"));
        }
        return problems;
    }

    @Override
    public Measurement measure(ProviderSpec spec, MeasureArgs args) {
        MeasurementTimer timer = MeasurementTimer.start(clock, args.redactor());
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, problems.get(0).message() + " (at " + problems.get(0).pointer() + ")");
        }
        String name = "stepwise-analysis-" + suffix();
        timer.query("Job " + namespace + "/" + name);
        Job job;
        try {
            job = build(spec, args, name);
        } catch (RuntimeException e) {
            return timer.error(Kind.MISCONFIGURED, "the job spec cannot be read as a Kubernetes JobSpec (" + e.getClass().getSimpleName() + ")");
        }
        try {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        } catch (KubernetesClientException e) {
            Kind kind = e.getCode() == 422 || e.getCode() == 400 ? Kind.MISCONFIGURED : e.getCode() == 0 ? Kind.CONNECTION : Kind.HTTP_STATUS;
            return timer.error(kind, "the Job could not be created (HTTP " + e.getCode() + "): " + firstLine(e.getMessage()));
        }
        Duration timeout = new ProviderConfig(spec.config()).string("timeout")
                .flatMap(dev.stepwise.spec.model.ArgoDuration::tryParse).orElse(Duration.ofMinutes(15));
        Instant deadline = clock.instant().plus(timeout);
        try {
            while (true) {
                Job current = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
                if (current == null) {
                    return timer.error(Kind.FAILED, "Job " + name + " disappeared before it finished");
                }
                Optional<Boolean> done = finished(current.getStatus());
                if (done.isPresent()) {
                    Map<String, Object> evidence = new LinkedHashMap<>();
                    evidence.put("job", namespace + "/" + name);
                    evidence.put("logTail", timer.redactor().redact(logTail(name)));
                    boolean ok = done.get();
                    return timer.value(ok ? "Complete" : "Failed", OptionalLong.empty())
                            .withProviderPhase(ok ? Phase.SUCCESSFUL : Phase.FAILED).withEvidence(evidence);
                }
                if (!clock.instant().plus(pollInterval).isBefore(deadline)) {
                    return timer.error(Kind.TIMEOUT, "Job " + name + " did not finish within " + timeout.toMinutes() + "m");
                }
                if (!pacer.pause(pollInterval)) {
                    return timer.error(Kind.TIMEOUT, "interrupted while waiting for Job " + name);
                }
            }
        } catch (KubernetesClientException e) {
            return timer.error(Kind.CONNECTION, "watching Job " + name + " failed (HTTP " + e.getCode() + ")");
        } finally {
            delete(name);
        }
    }

    /** Complete → true, Failed → false, still running → empty. */
    static Optional<Boolean> finished(JobStatus status) {
        if (status == null) {
            return Optional.empty();
        }
        for (JobCondition c : Optional.ofNullable(status.getConditions()).orElse(List.of())) {
            if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                return Optional.of(true);
            }
            if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                return Optional.of(false);
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private Job build(ProviderSpec spec, MeasureArgs args, String name) {
        Map<String, Object> config = (Map<String, Object>) substitute(spec.config(), args.values());
        JobSpec jobSpec = client.getKubernetesSerialization().convertValue(config.get("spec"), JobSpec.class);
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (config.get("metadata") instanceof Map<?, ?> meta) {
            if (meta.get("labels") instanceof Map<?, ?> l) {
                l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
            }
            if (meta.get("annotations") instanceof Map<?, ?> a) {
                a.forEach((k, v) -> annotations.put(String.valueOf(k), String.valueOf(v)));
            }
        }
        labels.put("app.kubernetes.io/managed-by", "stepwise");
        return new JobBuilder().withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
                .withLabels(labels).withAnnotations(annotations).build()).withSpec(jobSpec).build();
    }

    private String logTail(String jobName) {
        try {
            List<Pod> pods = client.pods().inNamespace(namespace).withLabel("job-name", jobName).list().getItems();
            if (pods.isEmpty()) {
                return "(no pod of the Job was found)";
            }
            Pod last = pods.get(pods.size() - 1);
            // A plain GET of the log subresource. fabric8's getLog() first watches the pod until it is ready or done
            // (even with a zero wait it opens and closes a watch); the Job has already finished, so there is nothing to
            // wait for, and one request is all a finished pod's log needs.
            String log = client.raw("/api/v1/namespaces/" + namespace + "/pods/" + last.getMetadata().getName()
                    + "/log?tailLines=" + LOG_TAIL_LINES);
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            return "(the log could not be read: HTTP " + e.getCode() + ")";
        }
    }

    private void delete(String name) {
        try {
            client.batch().v1().jobs().inNamespace(namespace).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
            // left for the cluster's TTL controller; the measurement is already decided
        }
    }

    private static Object substitute(Object node, Map<String, String> args) {
        if (node instanceof String s) {
            return Args.substitute(s, args);
        }
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), substitute(v, args)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(v -> substitute(v, args)).toList();
        }
        return node;
    }

    private static String suffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        // the client belongs to whoever built it
    }

    /** Creates the default client only when a job metric first runs: most analyses never need Kubernetes. */
    private static final class LazyJobProvider implements MetricProvider {
        private final Clock clock;
        private KubernetesClient client;
        private JobProvider delegate;

        LazyJobProvider(Clock clock) {
            this.clock = clock;
        }

        private synchronized JobProvider delegate() {
            if (delegate == null) {
                client = new KubernetesClientBuilder().build();
                String ns = client.getNamespace() == null ? "default" : client.getNamespace();
                delegate = new JobProvider(client, ns, clock, Pacer.SLEEPING, Duration.ofSeconds(5));
            }
            return delegate;
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
            return new JobProvider(null, "default", clock, Pacer.SLEEPING, Duration.ofSeconds(5)).check(spec, args);
        }

        @Override
        public Measurement measure(ProviderSpec spec, MeasureArgs args) {
            try {
                return delegate().measure(spec, args);
            } catch (KubernetesClientException | IllegalStateException e) {
                return MeasurementTimer.start(clock, args.redactor()).error(Kind.CONNECTION,
                        "no Kubernetes client could be set up (" + e.getClass().getSimpleName() + ")");
            }
        }

        @Override
        public synchronized void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
