package dev.stepwise.cluster;

import dev.stepwise.engine.DesiredState;
import dev.stepwise.engine.ScaleDownDeadline;
import dev.stepwise.engine.TrafficReading;
import dev.stepwise.engine.WorkloadReadiness;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.WorkloadRef;
import dev.stepwise.traffic.FlaggerRoutes;
import dev.stepwise.traffic.IstioTrafficRouter;
import dev.stepwise.traffic.RouteContext;
import dev.stepwise.traffic.TrafficRouter;
import dev.stepwise.traffic.TrafficRouters;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes one cluster look like the engine's {@link DesiredState} for a rollout, and reports what it holds.
 *
 * <p>Order within one apply, so that users are never sent to pods that are not there:
 * <ol>
 *   <li>traffic-reducing changes (an abort's weight back to 0, header and mirror routes removed), with Istio's
 *       DestinationRule subsets switched before any weight;</li>
 *   <li>scale-ups (the stable version comes back before traffic moves to it);</li>
 *   <li>Service selectors (only onto a version with available pods) and traffic-increasing changes;</li>
 *   <li>scale-downs (never of a version a Service still selects).</li>
 * </ol>
 * Every weight written is read back before the result says it is verified.
 *
 * <p>Versions live in ReplicaSets {@code <rollout>-<hash>} (also with a {@code workloadRef}, whose Deployment lends
 * the pod template) or, for a Flagger Canary, in the target Deployment (canary) and a generated
 * {@code <target>-primary} Deployment (stable). All state a restart needs is on the objects ({@link #recover}).
 */
public final class ClusterTarget {
    private final KubernetesClient client;
    private final Writes writes = new Writes();
    /** Last verified canary weight per rollout: tells reducing from increasing without reading first. */
    private final Map<String, Integer> lastWeight = new ConcurrentHashMap<>();
    private final Map<String, Instant> notReadySince = new ConcurrentHashMap<>();
    /** Routing last written and verified per rollout: an apply that would write the same only verifies. */
    private final Map<String, Routing> lastRouting = new ConcurrentHashMap<>();
    /**
     * Per rollout: the canary weight the routers were read back at by the last apply, verified or not. The next
     * observation hands it to the engine, which completes a setWeight step only once the router serves its weight.
     * Absent when the routers could not be read or disagree (the apply then reports WeightNotVerified).
     */
    private final Map<String, Integer> readBack = new ConcurrentHashMap<>();
    /** Flagger Canaries whose generated route object this process has seen (or created). */
    private final Set<String> flaggerRouteSeen = ConcurrentHashMap.newKeySet();
    /** Workloads listed by the last observe, used once by the apply that follows it (one list request less). */
    private final Map<String, Map<String, Workload>> observed = new ConcurrentHashMap<>();

    private record Routing(int weight, String stable, String canary, Object headers, Object mirrors) {
        static Routing of(DesiredState d) {
            return new Routing(d.canaryWeight(), d.stableVersion(), d.canaryVersion(), d.headerRoutes(), d.mirrorRoutes());
        }
    }

    /** How long a written weight may go unserved before {@code traffic.not-verified} is reported. */
    public static final java.time.Duration DEFAULT_VERIFY_TIMEOUT = java.time.Duration.ofMinutes(2);

    /** Per rollout: the weight Stepwise is waiting for the routers to serve, and since when (apply time). */
    private record PendingWeight(int weight, Instant since) {
    }

    private final Map<String, PendingWeight> pending = new ConcurrentHashMap<>();
    private volatile java.time.Duration verifyTimeout = DEFAULT_VERIFY_TIMEOUT;

    public ClusterTarget(KubernetesClient client) {
        this.client = client;
    }

    public ClusterTarget(KubernetesClient client, java.time.Duration verifyTimeout) {
        this(client);
        verifyTimeout(verifyTimeout);
    }

    /**
     * How long the routers may fail to serve a written weight before the apply reports {@code traffic.not-verified}
     * (the engine keeps waiting for the weight either way; the finding tells a person why). Default 2 minutes.
     */
    public ClusterTarget verifyTimeout(java.time.Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("verify timeout must be zero or positive");
        }
        this.verifyTimeout = timeout;
        return this;
    }

    public java.time.Duration verifyTimeout() {
        return verifyTimeout;
    }

    public KubernetesClient client() {
        return client;
    }

    public Writes writes() {
        return writes;
    }

    private static boolean flaggerModel(RolloutSpec spec) {
        return spec.flagger().isPresent() && spec.workloadRef().isPresent();
    }

    // ---------------------------------------------------------------- resolve

    /**
     * The spec as the engine should see it on this cluster. For a Flagger Canary the release lives in the target
     * Deployment, not in the Canary document (whose hash only covers the reference): the version is the hash of the
     * target's pod template and the replica count is the target's (or the primary's, while Stepwise holds the target
     * at zero between releases), as Flagger reads them. Other specs are returned as they are. The reconciler calls this
     * before {@link #observe} and hands the result to the engine, {@code observe} and {@code apply}.
     */
    public RolloutSpec resolve(RolloutSpec spec) {
        if (!flaggerModel(spec)) {
            return spec;
        }
        String target = spec.workloadRef().orElseThrow().name();
        var deployments = client.apps().deployments().inNamespace(spec.namespace());
        Deployment canary = deployments.withName(target).get();
        if (canary == null) {
            return spec; // apply reports the missing target
        }
        Deployment primary = deployments.withName(target + "-primary").get();
        int replicas = nz(canary.getSpec().getReplicas());
        if (primary != null) {
            replicas = Math.max(replicas, nz(primary.getSpec().getReplicas()));
        }
        return new RolloutSpec(spec.namespace(), spec.name(), spec.origin(), spec.file(), spec.documentIndex(),
                Math.max(replicas, 1), spec.images(), templateHash(canary), spec.workloadRef(), spec.progressDeadlineSeconds(),
                spec.progressDeadlineAbort(), spec.minReadySeconds(), spec.revisionHistoryLimit(), spec.strategy(),
                spec.waves(), spec.promoteTo(), spec.onAbortRevert(), spec.inlineTemplates(), spec.flagger());
    }

    /** The version of a Flagger target: the hash of its pod template, as the user wrote it (Stepwise never edits it). */
    private String templateHash(Deployment d) {
        var ser = client.getKubernetesSerialization();
        Object template = ser.unmarshal(ser.asJson(d.getSpec().getTemplate()), Map.class);
        return dev.stepwise.spec.model.PodTemplateHash.of(template);
    }

    // ---------------------------------------------------------------- observe

    /** Readiness of every version of {@code spec} on the cluster, with drift findings for hand-edited replica counts. */
    public ClusterObservation observe(RolloutSpec spec, Instant now) {
        Map<String, WorkloadReadiness> out = new LinkedHashMap<>();
        List<ClusterFinding> findings = new ArrayList<>();
        Map<String, Workload> listed = workloads(spec);
        observed.put(spec.qualifiedName(), listed);
        for (Workload w : listed.values()) {
            int avail = Math.min(w.available, w.specReplicas);
            out.put(w.version, new WorkloadReadiness(w.version, w.specReplicas, Math.min(w.ready, w.specReplicas), avail, now));
            String key = spec.qualifiedName() + "/" + w.version;
            if (avail < w.specReplicas) {
                notReadySince.putIfAbsent(key, now);
            } else {
                notReadySince.remove(key);
            }
            if (w.appliedReplicas != null && w.appliedReplicas != w.specReplicas) {
                findings.add(drift(w, "replicas are " + w.specReplicas + ", Stepwise set " + w.appliedReplicas));
            }
        }
        Map<String, Instant> since = new LinkedHashMap<>();
        notReadySince.forEach((k, v) -> {
            if (k.startsWith(spec.qualifiedName() + "/")) {
                since.put(k.substring(spec.qualifiedName().length() + 1), v);
            }
        });
        Integer served = readBack.get(spec.qualifiedName());
        TrafficReading traffic = TrafficReading.NOT_REPORTED;
        if (spec.canary().map(c -> !c.trafficRouting().isReplicaRatio()).orElse(false)) {
            if (served == null) {
                // nothing read back yet in this process (a restart, or the routers could not be read last time): read
                // the routers now, so the engine knows what they serve before the first apply
                List<TrafficRouter> routers = TrafficRouters.forSpec(spec);
                RouterReadings read = RouterReadings.of(routers, readContext(spec));
                served = read.agreed();
                if (served != null) {
                    readBack.put(spec.qualifiedName(), served);
                } else {
                    // a router whose object is missing serves nothing: the step waits instead of counting a weight
                    // no one serves
                    traffic = new TrafficReading.Unreadable(read.described());
                }
            }
            if (served != null) {
                traffic = new TrafficReading.Served(served);
            }
        }
        return new ClusterObservation(out, since, findings, traffic);
    }

    /** The state a restarted process needs, read from the objects alone. */
    public RecoveredState recover(RolloutSpec spec) {
        Map<String, Integer> replicas = new LinkedHashMap<>();
        String revision = "";
        String commit = "";
        List<ScaleDownDeadline> scaleDowns = new ArrayList<>();
        for (Workload w : workloads(spec).values()) {
            replicas.put(w.version, w.appliedReplicas != null ? w.appliedReplicas : w.specReplicas);
            Map<String, String> a = w.annotations;
            if (a.get(StepwiseLabels.SPEC_REVISION) != null && !a.get(StepwiseLabels.SPEC_REVISION).isEmpty()) {
                revision = a.get(StepwiseLabels.SPEC_REVISION);
                commit = a.getOrDefault(StepwiseLabels.SOURCE_COMMIT, "");
            }
            if (a.get(StepwiseLabels.SCALE_DOWN_AT) != null) {
                scaleDowns.add(new ScaleDownDeadline(w.version, Instant.parse(a.get(StepwiseLabels.SCALE_DOWN_AT)), "recovered"));
            }
        }
        return new RecoveredState(replicas, revision, commit, scaleDowns);
    }

    // ---------------------------------------------------------------- apply

    public ApplyResult apply(RolloutSpec spec, DesiredState desired, ApplyContext ctx) {
        List<String> ops = new ArrayList<>();
        List<ClusterFinding> findings = new ArrayList<>();
        for (String type : TrafficRouters.unsupported(spec)) {
            findings.add(new ClusterFinding("UnsupportedRouter", "Rollout/" + spec.qualifiedName(),
                    "traffic router '" + type + "' is not driven by Stepwise; traffic follows pods"));
        }
        Map<String, Workload> cached = observed.remove(spec.qualifiedName());
        Map<String, Workload> current = cached != null ? cached : workloads(spec);
        RouteContext route = routeContext(spec, desired);
        List<TrafficRouter> routers = TrafficRouters.forSpec(spec);
        boolean hasRouter = spec.canary().map(c -> !c.trafficRouting().isReplicaRatio()).orElse(false);
        if (hasRouter && flaggerModel(spec) && !flaggerRouteSeen.contains(spec.qualifiedName())) {
            // Flagger generates a Canary's VirtualService / HTTPRoute, so its users never wrote one. Looked for until
            // it is seen; after that the weight read-back notices if it goes away (and it is looked for again)
            FlaggerRoutes.ensure(route, spec).ifPresent(ops::add);
            flaggerRouteSeen.add(spec.qualifiedName());
        }

        Integer before = hasRouter ? lastWeight.computeIfAbsent(spec.qualifiedName(), k -> RouterReadings.of(routers, route).agreed()) : null;
        boolean reducing = hasRouter && (before == null || desired.canaryWeight() < before);
        // nothing to route when the same routing was written and verified last time; the read-back below still
        // verifies it (and catches a hand edit, which the next apply corrects)
        boolean unchanged = hasRouter && Routing.of(desired).equals(lastRouting.get(spec.qualifiedName()));

        if (hasRouter) {
            for (TrafficRouter r : routers) {
                for (String problem : r.routeProblems(desired.headerRoutes(), desired.mirrorRoutes())) {
                    findings.add(new ClusterFinding("UnsupportedRoute", "Rollout/" + spec.qualifiedName(), problem));
                }
            }
        }
        // 1. traffic-reducing changes: managed routes the desired state no longer has (the rollout completed or was
        // aborted, or a restarted process finds routes a previous one wrote) go first, then weights
        if (hasRouter && !unchanged && desired.headerRoutes().isEmpty() && desired.mirrorRoutes().isEmpty()) {
            for (TrafficRouter r : routers) {
                if (r.hasManagedRoutes(route)) {
                    r.removeManagedRoutes(route);
                    ops.add(r.name() + " remove managed routes");
                }
            }
        }
        if (reducing && !unchanged) {
            traffic(routers, route, desired, ops);
        }
        // 2. scale-ups
        for (Map.Entry<String, Integer> e : desired.replicas().entrySet()) {
            Workload w = current.get(e.getKey());
            if (w == null || e.getValue() > w.specReplicas) {
                scale(spec, e.getKey(), e.getValue(), w, desired, ctx, ops, findings);
            }
        }
        // 3. services and traffic-increasing changes
        Set<String> selected = services(spec, desired, current, ops, findings);
        if (hasRouter && !reducing && !unchanged) {
            traffic(routers, route, desired, ops);
        }
        // 4. scale-downs (versions not listed go to zero), annotations only where nothing else changes
        Set<String> versions = new LinkedHashSet<>(current.keySet());
        versions.addAll(desired.replicas().keySet());
        for (String v : versions) {
            Workload w = current.get(v);
            int want = desired.replicasOf(v);
            if (w == null || want > w.specReplicas) {
                continue; // created or scaled up above
            }
            if (want < w.specReplicas && want == 0 && selected.contains(v)) {
                findings.add(new ClusterFinding("ScaleDownDeferred", w.kind + "/" + spec.namespace() + "/" + w.name,
                        "a Service still selects version " + v + "; it keeps its pods until the Service is switched"));
                continue;
            }
            scale(spec, v, want, w, desired, ctx, ops, findings);
        }
        workloadRefScaleDown(spec, desired, ops);
        flaggerTargetScaleDown(spec, desired, current, ctx, ops);

        boolean verified = true;
        Optional<Integer> verifiedWeight = Optional.empty();
        if (hasRouter) {
            RouterReadings seen = RouterReadings.of(routers, route);
            Integer w = seen.agreed();
            ops.add("verify weight " + w);
            if (unchanged && (w == null || w != desired.canaryWeight())) {
                // Stepwise wrote and verified this routing before: someone else changed it since. Report, correct.
                findings.add(new ClusterFinding("Drift", "Rollout/" + spec.qualifiedName(),
                        "traffic router holds canary weight " + w + ", Stepwise set " + desired.canaryWeight() + "; corrected"));
                traffic(routers, route, desired, ops);
                seen = RouterReadings.of(routers, route);
                w = seen.agreed();
                ops.add("verify weight " + w);
            }
            verified = w != null && w == desired.canaryWeight();
            verifiedWeight = Optional.ofNullable(w);
            if (w != null) {
                readBack.put(spec.qualifiedName(), w);
            } else {
                readBack.remove(spec.qualifiedName());
                flaggerRouteSeen.remove(spec.qualifiedName());
            }
            if (verified) {
                lastWeight.put(spec.qualifiedName(), w);
                lastRouting.put(spec.qualifiedName(), Routing.of(desired));
                pending.remove(spec.qualifiedName());
            } else {
                lastWeight.remove(spec.qualifiedName());
                lastRouting.remove(spec.qualifiedName());
                findings.add(new ClusterFinding("WeightNotVerified", "Rollout/" + spec.qualifiedName(),
                        "routers hold canary weight " + w + ", wanted " + desired.canaryWeight()));
                PendingWeight p = pending.compute(spec.qualifiedName(), (k, old) ->
                        old != null && old.weight() == desired.canaryWeight() ? old : new PendingWeight(desired.canaryWeight(), ctx.now()));
                java.time.Duration waited = java.time.Duration.between(p.since(), ctx.now());
                if (waited.compareTo(verifyTimeout) >= 0) {
                    findings.add(new ClusterFinding(NOT_VERIFIED, "Rollout/" + spec.qualifiedName(), "traffic weight "
                            + desired.canaryWeight() + " written since " + p.since() + " (" + waited.toSeconds() + "s, limit "
                            + verifyTimeout.toSeconds() + "s) is not served: " + seen.described()));
                }
            }
        }
        return new ApplyResult(ops, verified, verifiedWeight, findings);
    }

    /**
     * Reads the routers' weight and compares it with what Stepwise last verified: a difference is a hand edit (drift),
     * which the next apply corrects. Returns the finding, if any.
     */
    public Optional<ClusterFinding> checkTrafficDrift(RolloutSpec spec, DesiredState desired) {
        Integer known = lastWeight.get(spec.qualifiedName());
        if (known == null || spec.canary().map(c -> c.trafficRouting().isReplicaRatio()).orElse(true)) {
            return Optional.empty();
        }
        Integer now = RouterReadings.of(TrafficRouters.forSpec(spec), routeContext(spec, desired)).agreed();
        if (!Objects.equals(now, known)) {
            lastWeight.remove(spec.qualifiedName());
            lastRouting.remove(spec.qualifiedName());
            return Optional.of(new ClusterFinding("Drift", "Rollout/" + spec.qualifiedName(),
                    "traffic router holds canary weight " + now + ", Stepwise set " + known));
        }
        return Optional.empty();
    }

    private void traffic(List<TrafficRouter> routers, RouteContext route, DesiredState desired, List<String> ops) {
        for (TrafficRouter r : routers) {
            if (r instanceof IstioTrafficRouter istio) {
                istio.setSubsets(route); // before any weight: a weight must never land on a subset of the wrong pods
                ops.add("istio subsets stable=" + route.stableVersion() + " canary=" + route.canaryVersion());
            }
        }
        for (TrafficRouter r : routers) {
            r.route(route, desired.canaryWeight(), desired.headerRoutes(), desired.mirrorRoutes());
            ops.add(r.name() + " weight " + desired.canaryWeight());
        }
    }

    /** The code of the finding a weight that is never served gets. */
    public static final String NOT_VERIFIED = "traffic.not-verified";

    /**
     * One read of every router: the canary weight they agree on ({@code null} when one reads nothing or two disagree)
     * and, for a person, what each read ({@code istio reads 0, nginx reads nothing}). Both come from the same reads,
     * so a finding never costs a second round of GETs.
     */
    private record RouterReadings(Integer agreed, String described) {
        static RouterReadings of(List<TrafficRouter> routers, RouteContext route) {
            List<String> described = new ArrayList<>();
            Integer found = null;
            boolean agree = true;
            for (TrafficRouter r : routers) {
                Optional<Integer> w = r.currentWeight(route);
                described.add(r.name() + " reads " + w.map(String::valueOf).orElse("nothing"));
                if (w.isEmpty() || (found != null && !found.equals(w.get()))) {
                    agree = false;
                } else {
                    found = w.get();
                }
            }
            return new RouterReadings(agree ? found : null, String.join(", ", described));
        }
    }

    /** A route context for reading weights only: reading needs the Services and subsets' names, not the versions. */
    private RouteContext readContext(RolloutSpec spec) {
        String stableSvc = spec.canary().flatMap(c -> c.stableService()).orElse(null);
        String canarySvc = spec.canary().flatMap(c -> c.canaryService()).orElse(null);
        int max = spec.canary().map(c -> c.trafficRouting().maxTrafficWeight()).orElse(100);
        return new RouteContext(client, writes, spec.namespace(), spec.name(), stableSvc, canarySvc, null, null, max);
    }

    private RouteContext routeContext(RolloutSpec spec, DesiredState desired) {
        String stableSvc = spec.canary().flatMap(c -> c.stableService()).orElse(null);
        String canarySvc = spec.canary().flatMap(c -> c.canaryService()).orElse(null);
        int max = spec.canary().map(c -> c.trafficRouting().maxTrafficWeight()).orElse(100);
        return new RouteContext(client, writes, spec.namespace(), spec.name(), stableSvc, canarySvc,
                desired.stableVersion(), desired.canaryVersion(), max);
    }

    // ---------------------------------------------------------------- services

    /** Pins every Service of the desired state; returns the versions Services select afterwards. */
    private Set<String> services(RolloutSpec spec, DesiredState desired, Map<String, Workload> current,
                                 List<String> ops, List<ClusterFinding> findings) {
        if (flaggerModel(spec)) {
            return flaggerServices(spec, desired, ops, findings);
        }
        Set<String> selected = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : desired.services().entrySet()) {
            var res = client.services().inNamespace(spec.namespace()).withName(e.getKey());
            Service svc = res.get();
            if (svc == null) {
                findings.add(new ClusterFinding("MissingObject", "Service/" + spec.namespace() + "/" + e.getKey(),
                        "the Service does not exist; create it (Stepwise pins selectors of existing Services)"));
                continue;
            }
            // computed again from the Service as re-read after a conflict: only the last attempt's outcome counts
            List<ClusterFinding> seen = new ArrayList<>();
            String[] pinned = new String[1];
            boolean[] written = {false};
            writes.patch(svc, res::get, cur -> {
                seen.clear();
                Map<String, String> selector = cur.getSpec().getSelector() == null ? Map.of() : cur.getSpec().getSelector();
                Map<String, String> ann = cur.getMetadata().getAnnotations() == null ? Map.of() : cur.getMetadata().getAnnotations();
                String applied = ann.get(StepwiseLabels.APPLIED_VERSION + "." + spec.name());
                String now = versionSelected(spec, selector, current);
                if (applied != null && now != null && !applied.equals(now)) {
                    seen.add(new ClusterFinding("Drift", "Service/" + spec.namespace() + "/" + e.getKey(),
                            "selects version " + now + ", Stepwise set " + applied + "; corrected"));
                }
                String want = e.getValue();
                Workload target = current.get(want);
                boolean hasPods = target != null && target.available > 0;
                if (!want.equals(now) && !hasPods && now != null && current.containsKey(now)) {
                    seen.add(new ClusterFinding("ServiceSwitchDeferred", "Service/" + spec.namespace() + "/" + e.getKey(),
                            "version " + want + " has no available pods yet; the Service stays on " + now));
                    pinned[0] = now;
                    return Optional.empty();
                }
                pinned[0] = want;
                // only the hash key is replaced; the Service's other selector keys are the user's and stay (as Argo does)
                Map<String, String> patch = ServiceModel.selectorPatch(selector, Map.of(StepwiseLabels.HASH, want), List.of());
                if (patch == null && want.equals(applied)) {
                    return Optional.empty();
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("metadata", Map.of("annotations", Map.of(StepwiseLabels.APPLIED_VERSION + "." + spec.name(), want)));
                if (patch != null) {
                    body.put("spec", Map.of("selector", patch));
                }
                return Optional.of(client.getKubernetesSerialization().asJson(
                        Writes.withResourceVersion(body, cur.getMetadata().getResourceVersion())));
            }, (cur, json) -> {
                Service out = res.patch(PatchContext.of(PatchType.JSON_MERGE), json);
                written[0] = true;
                return out;
            });
            findings.addAll(seen);
            if (pinned[0] != null) {
                selected.add(pinned[0]);
            }
            if (written[0]) {
                ops.add("service " + e.getKey() + " -> " + pinned[0]);
            }
        }
        return selected;
    }

    /**
     * Flagger's Services select Deployments, not versions: {@code <svc>} and {@code <svc>-primary} the primary's pods,
     * {@code <svc>-canary} the target's, whatever version each runs (a promotion copies the template into the primary
     * instead of switching a Service). Stepwise only keeps those selectors as Flagger writes them: it adds or replaces
     * the primary's/target's selector keys and never removes a key (a merge-patch {@code null} for a selector key is
     * not removed by every server, and another key the user added is theirs). Only the primary's version counts as
     * selected: the target may go to zero while {@code <svc>-canary} selects it (its weight is then 0). A missing one
     * is created from the Canary's {@code service} block ({@link FlaggerServiceModel}), as Flagger does.
     */
    private Set<String> flaggerServices(RolloutSpec spec, DesiredState desired, List<String> ops, List<ClusterFinding> findings) {
        var flagger = spec.flagger().orElseThrow();
        String target = spec.workloadRef().orElseThrow().name();
        var deployments = client.apps().deployments().inNamespace(spec.namespace());
        Deployment canary = deployments.withName(target).get();
        if (canary == null) {
            return Set.of(desired.stableVersion());
        }
        Map<String, String> canarySelector = canary.getSpec().getSelector() == null || canary.getSpec().getSelector().getMatchLabels() == null
                ? Map.of("app", target) : canary.getSpec().getSelector().getMatchLabels();
        Map<String, String> primarySelector = FlaggerPrimaryModel.primarySelector(target, canarySelector);
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        wanted.put(flagger.service(), primarySelector);
        wanted.put(flagger.primaryName(), primarySelector);
        wanted.put(flagger.canaryName(), canarySelector);
        Map<String, FlaggerServiceModel.Role> roles = Map.of(flagger.service(), FlaggerServiceModel.Role.APEX,
                flagger.primaryName(), FlaggerServiceModel.Role.PRIMARY, flagger.canaryName(), FlaggerServiceModel.Role.CANARY);
        for (Map.Entry<String, Map<String, String>> e : wanted.entrySet()) {
            var res = client.services().inNamespace(spec.namespace()).withName(e.getKey());
            Service svc = res.get();
            if (svc == null && flagger.serviceBlock().isPresent()) {
                // as Flagger does on initialisation: the Canary's service block says what the Service exposes
                try {
                    client.services().inNamespace(spec.namespace()).resource(FlaggerServiceModel.service(spec.namespace(),
                            e.getKey(), roles.get(e.getKey()), e.getValue(), flagger.serviceBlock().get())).create();
                    ops.add("create service " + e.getKey() + " -> " + e.getValue());
                } catch (KubernetesClientException ex) {
                    if (ex.getCode() != 409) { // 409: created meanwhile by someone else; theirs stands
                        throw ex;
                    }
                }
                continue;
            }
            if (svc == null) {
                findings.add(new ClusterFinding("MissingObject", "Service/" + spec.namespace() + "/" + e.getKey(),
                        "Flagger's Service does not exist and the Canary gives no service.port to create it with"));
                continue;
            }
            Map<String, String> patch = ServiceModel.selectorPatch(svc.getSpec().getSelector(), e.getValue(), List.of());
            if (patch == null) {
                continue;
            }
            findings.add(new ClusterFinding("Drift", "Service/" + spec.namespace() + "/" + e.getKey(),
                    "selects " + svc.getSpec().getSelector() + ", Flagger's model wants " + e.getValue() + "; corrected"));
            writes.patch(svc, res::get, cur -> Optional.ofNullable(ServiceModel.selectorPatch(cur.getSpec().getSelector(), e.getValue(), List.of()))
                            .map(p -> client.getKubernetesSerialization().asJson(Writes.withResourceVersion(
                                    Map.of("spec", Map.of("selector", p)), cur.getMetadata().getResourceVersion()))),
                    (cur, json) -> res.patch(PatchContext.of(PatchType.JSON_MERGE), json));
            ops.add("service " + e.getKey() + " -> " + e.getValue());
        }
        return Set.of(desired.stableVersion());
    }

    private String versionSelected(RolloutSpec spec, Map<String, String> selector, Map<String, Workload> current) {
        if (selector.containsKey(StepwiseLabels.HASH)) {
            return selector.get(StepwiseLabels.HASH);
        }
        for (Workload w : current.values()) {
            if (!w.selector.isEmpty() && selector.entrySet().containsAll(w.selector.entrySet())) {
                return w.version;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- workloads

    /** One version's workload as read from the cluster. */
    private record Workload(String kind, String name, String version, int specReplicas, Integer appliedReplicas,
                            int ready, int available, Map<String, String> annotations, Map<String, String> selector,
                            String resourceVersion) {
    }

    private Map<String, Workload> workloads(RolloutSpec spec) {
        Map<String, Workload> out = new LinkedHashMap<>();
        if (flaggerModel(spec)) {
            String target = spec.workloadRef().orElseThrow().name();
            var deployments = client.apps().deployments().inNamespace(spec.namespace());
            Deployment primary = deployments.withName(target + "-primary").get();
            Deployment canary = deployments.withName(target).get();
            String primaryVersion = null;
            if (primary != null) {
                primaryVersion = annotations(primary.getMetadata()).get(StepwiseLabels.VERSION);
                out.put(primaryVersion, workload("Deployment", primary, primaryVersion));
            }
            if (canary != null) {
                String v = templateHash(canary);
                if (!v.equals(primaryVersion)) {
                    Workload w = workload("Deployment", canary, v);
                    if (!v.equals(annotations(canary.getMetadata()).get(StepwiseLabels.VERSION))) {
                        // a new release re-applied the target (its replicas with it): not a hand edit of Stepwise's count
                        w = new Workload(w.kind, w.name, v, w.specReplicas, null, w.ready, w.available, w.annotations, w.selector,
                                w.resourceVersion);
                    }
                    out.put(v, w);
                }
            }
            return out;
        }
        for (ReplicaSet rs : client.apps().replicaSets().inNamespace(spec.namespace())
                .withLabels(ReplicaSetModel.managedLabels(spec)).list().getItems()) {
            String experiment = rs.getMetadata().getLabels().get(StepwiseLabels.EXPERIMENT);
            // an experiment's ReplicaSet is reported under the engine's key for it, experiment/<template>
            String v = experiment != null ? "experiment/" + experiment : rs.getMetadata().getLabels().get(StepwiseLabels.HASH);
            if (v != null) {
                Map<String, String> a = annotations(rs.getMetadata());
                var st = rs.getStatus();
                out.put(v, new Workload("ReplicaSet", rs.getMetadata().getName(), v, nz(rs.getSpec().getReplicas()),
                        parse(a.get(StepwiseLabels.APPLIED_REPLICAS)), st == null ? 0 : nz(st.getReadyReplicas()),
                        st == null ? 0 : nz(st.getAvailableReplicas()), a, Map.of(StepwiseLabels.HASH, v),
                        rs.getMetadata().getResourceVersion()));
            }
        }
        return out;
    }

    private static Workload workload(String kind, Deployment d, String version) {
        Map<String, String> a = annotations(d.getMetadata());
        var st = d.getStatus();
        Map<String, String> sel = d.getSpec().getSelector() == null || d.getSpec().getSelector().getMatchLabels() == null
                ? Map.of() : d.getSpec().getSelector().getMatchLabels();
        return new Workload(kind, d.getMetadata().getName(), version, nz(d.getSpec().getReplicas()),
                parse(a.get(StepwiseLabels.APPLIED_REPLICAS)), st == null ? 0 : nz(st.getReadyReplicas()),
                st == null ? 0 : nz(st.getAvailableReplicas()), a, sel, d.getMetadata().getResourceVersion());
    }

    private void scale(RolloutSpec spec, String version, int replicas, Workload w, DesiredState desired, ApplyContext ctx,
                       List<String> ops, List<ClusterFinding> findings) {
        if (version.startsWith("experiment/")) {
            experiment(spec, version, replicas, w, desired, ctx, ops, findings);
            return;
        }
        Map<String, String> annotations = ReplicaSetModel.annotations(version, replicas, ctx);
        if (flaggerModel(spec)) {
            scaleFlagger(spec, version, replicas, w, desired, annotations, ops, findings);
            return;
        }
        var rsOps = client.apps().replicaSets().inNamespace(spec.namespace());
        if (w == null) {
            if (replicas == 0) {
                return;
            }
            Optional<PodTemplateSpec> template = templateFor(spec, version, findings);
            if (template.isEmpty()) {
                return;
            }
            ReplicaSet rs = ReplicaSetModel.build(spec, version, replicas, template.get(), ctx, ownerOf(spec));
            try {
                rsOps.resource(rs).create();
                ops.add("create " + rs.getMetadata().getName() + " replicas " + replicas);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // created meanwhile (a second process, or a restart racing itself): scale the one that exists
                patchWorkload(rsOps.withName(rs.getMetadata().getName()), null, replicas, annotations);
                ops.add("scale " + rs.getMetadata().getName() + " " + replicas);
            }
            return;
        }
        if (w.appliedReplicas != null && w.appliedReplicas != w.specReplicas) {
            findings.add(drift(w, "replicas were " + w.specReplicas + ", Stepwise set " + w.appliedReplicas + "; corrected"));
        }
        if (w.specReplicas == replicas && sameAnnotations(w.annotations, annotations)) {
            return;
        }
        patchWorkload(rsOps.withName(w.name), w.resourceVersion, replicas, annotations);
        ops.add("scale " + w.name + " " + replicas);
    }

    /**
     * An experiment's ReplicaSet ({@code <rollout>-<canary hash>-<template>}): created with the stable or canary
     * version's pod template when the engine first asks for it, scaled like a version while it runs, and deleted when
     * the engine no longer asks for pods (the experiment ended, or the rollout aborted).
     */
    private void experiment(RolloutSpec spec, String key, int replicas, Workload w, DesiredState desired, ApplyContext ctx,
                            List<String> ops, List<ClusterFinding> findings) {
        var rsOps = client.apps().replicaSets().inNamespace(spec.namespace());
        if (replicas == 0) {
            if (w != null) {
                rsOps.withName(w.name).delete();
                ops.add("delete " + w.name + " (experiment ended)");
            }
            return;
        }
        if (w != null) {
            Map<String, String> annotations = ReplicaSetModel.annotations(key, replicas, ctx);
            if (w.specReplicas != replicas || !sameAnnotations(w.annotations, annotations)) {
                patchWorkload(rsOps.withName(w.name), w.resourceVersion, replicas, annotations);
                ops.add("scale " + w.name + " " + replicas);
            }
            return;
        }
        if (flaggerModel(spec)) {
            findings.add(new ClusterFinding("UnsupportedExperiment", "Rollout/" + spec.qualifiedName(),
                    "experiments are not run for Flagger Canaries"));
            return;
        }
        var e = desired.experiments().stream().filter(x -> x.key().equals(key)).findFirst()
                .orElse(new dev.stepwise.engine.ExperimentReplicaSet(key.substring("experiment/".length()), desired.canaryVersion(), replicas, 0));
        e = new dev.stepwise.engine.ExperimentReplicaSet(e.name(), e.version(), replicas, e.weight());
        // the template of the version it copies: that version's ReplicaSet holds it (the stable's spec is not at hand)
        ReplicaSet source = rsOps.withName(ReplicaSetModel.name(spec, e.version())).get();
        Optional<PodTemplateSpec> template = source != null ? Optional.of(source.getSpec().getTemplate()) : templateFor(spec, e.version(), findings);
        if (template.isEmpty()) {
            return;
        }
        ReplicaSet rs = ReplicaSetModel.experiment(spec, e, desired.canaryVersion(), template.get(), ctx, ownerOf(spec));
        try {
            rsOps.resource(rs).create();
            ops.add("create " + rs.getMetadata().getName() + " replicas " + replicas + " (experiment " + e.name() + ", " + e.version() + ")");
        } catch (KubernetesClientException ex) {
            if (ex.getCode() != 409) {
                throw ex;
            }
            patchWorkload(rsOps.withName(rs.getMetadata().getName()), null, replicas, ReplicaSetModel.annotations(key, replicas, ctx));
            ops.add("scale " + rs.getMetadata().getName() + " " + replicas);
        }
    }

    private static boolean sameAnnotations(Map<String, String> have, Map<String, String> want) {
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (!Objects.equals(have.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sets a workload's replicas and annotations with a JSON merge patch carrying the resourceVersion it was read at
     * ({@code resourceVersion}; null: read it first). A 409 (someone scaled or annotated it since) means: read again and
     * send again with the new resourceVersion; the replica count is the decision's either way, and the next observe
     * reports what the other writer did as drift.
     */
    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void patchWorkload(
            io.fabric8.kubernetes.client.dsl.Resource<T> res, String resourceVersion, int replicas, Map<String, String> annotations) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metadata", Map.of("annotations", annotations));
        body.put("spec", Map.of("replicas", replicas));
        String[] rv = {resourceVersion};
        writes.patch(rv[0], () -> {
                    T cur = res.get();
                    return cur == null ? null : cur.getMetadata().getResourceVersion();
                },
                version -> Optional.of(client.getKubernetesSerialization().asJson(Writes.withResourceVersion(body, version))),
                (version, json) -> {
                    res.patch(PatchContext.of(PatchType.JSON_MERGE), json);
                    return version;
                });
    }

    /**
     * Flagger's model: the target Deployment runs the canary, {@code <target>-primary} the stable version. A new stable
     * version (promotion) copies the target's pod template into the primary.
     */
    private void scaleFlagger(RolloutSpec spec, String version, int replicas, Workload w, DesiredState desired,
                              Map<String, String> annotations, List<String> ops, List<ClusterFinding> findings) {
        String target = spec.workloadRef().orElseThrow().name();
        var deployments = client.apps().deployments().inNamespace(spec.namespace());
        boolean stable = version.equals(desired.stableVersion());
        String name = stable ? target + "-primary" : target;
        Deployment d = deployments.withName(name).get();
        if (stable && (d == null || !version.equals(annotations(d.getMetadata()).get(StepwiseLabels.VERSION)))) {
            Deployment source = deployments.withName(target).get();
            if (source == null) {
                findings.add(new ClusterFinding("MissingObject", "Deployment/" + spec.namespace() + "/" + target, "the Canary's target does not exist"));
                return;
            }
            Deployment primary = FlaggerPrimaryModel.primary(source, spec, version, replicas, annotations);
            if (d == null) {
                if (source.getMetadata().getUid() != null) {
                    // the target is the only object on the cluster the primary comes from (the Canary lives in Git)
                    primary.getMetadata().setOwnerReferences(List.of(owner(source)));
                }
                deployments.resource(primary).create();
                ops.add("create " + name + " replicas " + replicas);
            } else {
                Deployment next = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(d)
                        .editSpec().withTemplate(primary.getSpec().getTemplate()).withReplicas(replicas).endSpec()
                        .editMetadata().addToAnnotations(primary.getMetadata().getAnnotations()).endMetadata().build();
                writes.update(() -> deployments.withName(name).get(), cur -> Optional.of(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(cur)
                        .editSpec().withTemplate(next.getSpec().getTemplate()).withReplicas(replicas).endSpec()
                        .editMetadata().addToAnnotations(next.getMetadata().getAnnotations()).endMetadata().build()),
                        x -> deployments.resource(x).update());
                ops.add("promote " + name + " to " + version + " replicas " + replicas);
            }
            return;
        }
        if (d == null) {
            return;
        }
        Map<String, String> withVersion = new LinkedHashMap<>(annotations);
        withVersion.put(StepwiseLabels.VERSION, version);
        if (nz(d.getSpec().getReplicas()) == replicas && sameAnnotations(annotations(d.getMetadata()), withVersion)) {
            return;
        }
        patchWorkload(deployments.withName(name), d.getMetadata().getResourceVersion(), replicas, withVersion);
        ops.add("scale " + name + " " + replicas);
    }

    /**
     * Flagger's model between releases: once the primary runs the target's pod template and has all its pods, the
     * target Deployment is scaled to zero (as Flagger does), so only the primary serves. The target is not among the
     * workloads then (it has the primary's version), so the general scale-down does not see it.
     */
    private void flaggerTargetScaleDown(RolloutSpec spec, DesiredState desired, Map<String, Workload> current,
                                        ApplyContext ctx, List<String> ops) {
        if (!flaggerModel(spec)) {
            return;
        }
        String name = spec.workloadRef().orElseThrow().name();
        var res = client.apps().deployments().inNamespace(spec.namespace()).withName(name);
        Deployment target = res.get();
        Workload primary = current.get(desired.stableVersion());
        if (target == null || primary == null || !primary.name.equals(name + "-primary") || nz(target.getSpec().getReplicas()) == 0
                || !templateHash(target).equals(desired.stableVersion())
                || primary.available < Math.max(1, desired.replicasOf(desired.stableVersion()))) {
            return;
        }
        Map<String, String> annotations = new LinkedHashMap<>(ReplicaSetModel.annotations(desired.stableVersion(), 0, ctx));
        annotations.put(StepwiseLabels.VERSION, desired.stableVersion());
        patchWorkload(res, target.getMetadata().getResourceVersion(), 0, annotations);
        ops.add("scale " + name + " 0 (the primary serves " + desired.stableVersion() + ")");
    }

    private Optional<PodTemplateSpec> templateFor(RolloutSpec spec, String version, List<ClusterFinding> findings) {
        if (!version.equals(spec.podTemplateHash())) {
            findings.add(new ClusterFinding("MissingObject", "ReplicaSet/" + spec.namespace() + "/" + ReplicaSetModel.name(spec, version),
                    "version " + version + " is not the spec's version and has no ReplicaSet to scale"));
            return Optional.empty();
        }
        if (spec.workloadRef().isPresent()) {
            WorkloadRef ref = spec.workloadRef().get();
            Deployment d = client.apps().deployments().inNamespace(spec.namespace()).withName(ref.name()).get();
            if (d == null) {
                findings.add(new ClusterFinding("MissingObject", "Deployment/" + spec.namespace() + "/" + ref.name(),
                        "the workloadRef Deployment does not exist"));
                return Optional.empty();
            }
            return Optional.of(d.getSpec().getTemplate());
        }
        return Optional.of(ReplicaSetModel.templateFromSpec(spec));
    }

    /**
     * The owner of a ReplicaSet Stepwise creates. There is no Rollout object on the cluster (the spec lives in Git), so
     * only a rollout with a {@code workloadRef} has one: the referenced Deployment, which holds the pod template, so
     * deleting the application's Deployment removes its versions too. Without a workloadRef there is no owner; the
     * managed-by and rollout labels find the objects.
     */
    private Optional<OwnerReference> ownerOf(RolloutSpec spec) {
        if (spec.workloadRef().isEmpty()) {
            return Optional.empty();
        }
        Deployment d = client.apps().deployments().inNamespace(spec.namespace()).withName(spec.workloadRef().get().name()).get();
        return d == null || d.getMetadata().getUid() == null ? Optional.empty() : Optional.of(owner(d));
    }

    /**
     * Argo's {@code workloadRef.scaleDown}: never leaves the Deployment alone; onsuccess scales it to zero once the
     * rollout is healthy; progressively scales it down as the rollout's stable pods become available.
     */
    private void workloadRefScaleDown(RolloutSpec spec, DesiredState desired, List<String> ops) {
        if (spec.workloadRef().isEmpty() || flaggerModel(spec)
                || spec.workloadRef().get().scaleDown() == WorkloadRef.ScaleDown.NEVER) {
            return;
        }
        WorkloadRef ref = spec.workloadRef().get();
        var res = client.apps().deployments().inNamespace(spec.namespace()).withName(ref.name());
        Deployment d = res.get();
        if (d == null) {
            return;
        }
        Map<String, Workload> now = workloads(spec);
        int stableAvailable = Optional.ofNullable(now.get(desired.stableVersion())).map(Workload::available).orElse(0);
        int want = nz(d.getSpec().getReplicas());
        if (ref.scaleDown() == WorkloadRef.ScaleDown.ONSUCCESS) {
            if (desired.stableVersion().equals(desired.canaryVersion()) && stableAvailable >= spec.replicas()) {
                want = 0;
            }
        } else {
            want = Math.min(want, Math.max(0, spec.replicas() - stableAvailable));
        }
        if (want != nz(d.getSpec().getReplicas())) {
            int replicas = want;
            writes.patch(d, res::get, cur -> Optional.of(client.getKubernetesSerialization().asJson(Writes.withResourceVersion(
                            Map.of("spec", Map.of("replicas", replicas)), cur.getMetadata().getResourceVersion()))),
                    (cur, json) -> res.patch(PatchContext.of(PatchType.JSON_MERGE), json));
            ops.add("scale Deployment " + ref.name() + " " + want + " (workloadRef scaleDown " + ref.scaleDown().value() + ")");
        }
    }

    private ClusterFinding drift(Workload w, String message) {
        return new ClusterFinding("Drift", w.kind + "/" + w.name, message);
    }

    private static Map<String, String> annotations(io.fabric8.kubernetes.api.model.ObjectMeta m) {
        return m.getAnnotations() == null ? Map.of() : m.getAnnotations();
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static Integer parse(String s) {
        try {
            return s == null ? null : Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A reference that makes {@code d} the owner for garbage collection only: {@code controller: false}, so the
     * Deployment controller never adopts, scales or deletes what Stepwise manages, and {@code blockOwnerDeletion:
     * false}, so deleting the Deployment is never held up by Stepwise's objects.
     */
    static OwnerReference owner(Deployment d) {
        return ownerReference("apps/v1", "Deployment", d.getMetadata());
    }

    /** See {@link #owner(Deployment)}: garbage collection only, never a controller. */
    public static OwnerReference ownerReference(String apiVersion, String kind, io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(meta.getName())
                .withUid(meta.getUid()).withController(false).withBlockOwnerDeletion(false).build();
    }
}
