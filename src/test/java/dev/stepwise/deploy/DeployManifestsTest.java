package dev.stepwise.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.cluster.RbacIT;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kubernetes install ({@code deploy/}) and the image ({@code Dockerfile}) checked as data, so that a typo in a
 * field name, a file left out of a kustomization, a config path that does not match its mount or a permission
 * creeping into the RBAC fails the build instead of a cluster install. Every YAML file is read with snakeyaml-engine
 * and every Kubernetes document becomes a typed fabric8 object; unknown fields are errors.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");
    private static final Path BASE = DEPLOY.resolve("base");
    private static final Path NAMESPACED = DEPLOY.resolve("overlays/namespaced");
    private static final Path SECRETS_EXAMPLE = BASE.resolve("secrets.example.yaml");
    private static final String CONFIG_FILE = "/etc/stepwise/stepwise.yaml";
    private static final long UID = 10001;
    private static final int HTTP_PORT = 8080;

    /** Kinds that have no namespace: none of them may remain in the namespaced install. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService", "RuntimeClass");

    /**
     * The permissions RbacIT records the cluster code sending (routers and strategies, abort included) plus the ones
     * it accepts as reachable by code paths its scenarios do not take (workloadRef/Flagger Deployments, experiment
     * ReplicaSet clean-up, ReplicaSet creation) — docs/cluster.md's list. Pinned here so that a rule dropped from
     * the deployed ClusterRole fails {@code mvn test}, not only the slower {@code verify}.
     */
    private static final Set<RbacIT.Permission> CLUSTER_CODE_NEEDS = permissions(
            "apps replicasets get,list,create,patch,delete",
            "apps deployments get,create,patch,update",
            " services get,create,patch",
            "networking.k8s.io ingresses get,create,patch",
            "networking.istio.io virtualservices get,create,update",
            "networking.istio.io destinationrules get,update",
            "gateway.networking.k8s.io httproutes get,create,update",
            "split.smi-spec.io trafficsplits get,create,update",
            "batch jobs get,create,delete",
            " pods list",
            " pods/log get");

    // ---------------------------------------------------------------------------------------------------------
    // every file

    @Test
    void everyYamlFileUnderDeployParsesAndEveryKubernetesDocumentIsATypedObjectWithoutUnknownFields() {
        List<Path> files = yamlFilesUnder(DEPLOY);
        assertThat(files).extracting(Path::toString).containsExactlyInAnyOrder(
                "deploy/base/kustomization.yaml", "deploy/base/namespace.yaml", "deploy/base/serviceaccount.yaml",
                "deploy/base/clusterrole.yaml", "deploy/base/clusterrolebinding.yaml",
                "deploy/base/leader-election-rbac.yaml", "deploy/base/deployment.yaml", "deploy/base/service.yaml",
                "deploy/base/config/stepwise.yaml", "deploy/base/config/providers.yaml",
                "deploy/base/secrets.example.yaml", "deploy/overlays/namespaced/kustomization.yaml",
                "deploy/overlays/namespaced/role.yaml", "deploy/overlays/namespaced/rolebinding.yaml");

        List<String> kubernetesObjects = new ArrayList<>();
        List<String> unknownFields = new ArrayList<>();
        for (Path file : files) {
            List<Object> docs = yamlDocuments(file);
            assertThat(docs).as(file + " has documents").isNotEmpty();
            for (int i = 0; i < docs.size(); i++) {
                assertThat(docs.get(i)).as(file + " document " + (i + 1) + " is a mapping").isInstanceOf(Map.class);
                Map<?, ?> doc = (Map<?, ?>) docs.get(i);
                String apiVersion = Objects.toString(doc.get("apiVersion"), "");
                if (apiVersion.startsWith("kustomize.config.k8s.io/") || apiVersion.startsWith("stepwise.dev/")
                        || file.getFileName().toString().equals("providers.yaml")) {
                    continue; // not Kubernetes objects: kustomizations and Stepwise's own configuration
                }
                HasMetadata typed = typed(doc, file + " document " + (i + 1));
                kubernetesObjects.add(typed.getKind() + "/" + typed.getMetadata().getName());
                collectUnknownFields(typed, file + ": " + typed.getKind(), unknownFields);
            }
        }
        assertThat(unknownFields).as("fields fabric8 does not know (typos, wrong nesting)").isEmpty();
        assertThat(kubernetesObjects).containsExactlyInAnyOrder(
                "Namespace/stepwise", "ServiceAccount/stepwise", "ClusterRole/stepwise", "ClusterRoleBinding/stepwise",
                "Role/stepwise-leader-election", "RoleBinding/stepwise-leader-election", "Deployment/stepwise",
                "Service/stepwise", "Secret/stepwise-git", "Secret/stepwise-webhook", "Role/stepwise",
                "RoleBinding/stepwise");
    }

    @Test
    void everyKustomizationNamesExistingFilesAndEveryFileOfTheInstallIsListed() {
        for (Path dir : List.of(BASE, NAMESPACED)) {
            Map<String, Object> k = kustomization(dir);
            assertThat(k.get("apiVersion")).isEqualTo("kustomize.config.k8s.io/v1beta1");
            assertThat(k.get("kind")).isEqualTo("Kustomization");
            for (String entry : strings(k.get("resources"))) {
                Path p = dir.resolve(entry).normalize();
                assertThat(p).as(dir + "/kustomization.yaml resources: " + entry).exists();
                if (Files.isDirectory(p)) {
                    assertThat(p.resolve("kustomization.yaml")).as(entry + " is a kustomization").exists();
                }
            }
            for (Path p : generatorFiles(dir)) {
                assertThat(p).as(dir + "/kustomization.yaml configMapGenerator file").exists();
            }
            for (Object patch : list(k.get("patches"))) {
                Object path = map(patch).get("path");
                if (path != null) {
                    assertThat(dir.resolve(path.toString())).exists();
                }
            }
            // kustomize refuses files outside the kustomization's root; only directories may be shared (../../base)
            for (Path p : listedFiles(dir)) {
                assertThat(p.startsWith(dir)).as(p + " lies inside " + dir).isTrue();
            }
        }

        Set<Path> listed = new TreeSet<>(listedFiles(BASE));
        Set<Path> present = new TreeSet<>(regularFilesUnder(BASE));
        present.remove(BASE.resolve("kustomization.yaml"));
        assertThat(present).as("every file in deploy/base but the Secret example is part of the install")
                .containsExactlyInAnyOrderElementsOf(plus(listed, SECRETS_EXAMPLE));
        assertThat(listed).as("the example Secrets are documentation, never applied").doesNotContain(SECRETS_EXAMPLE);

        Set<Path> overlayPresent = new TreeSet<>(regularFilesUnder(NAMESPACED));
        overlayPresent.remove(NAMESPACED.resolve("kustomization.yaml"));
        assertThat(overlayPresent).containsExactlyInAnyOrderElementsOf(listedFiles(NAMESPACED));
        assertThat(strings(kustomization(NAMESPACED).get("resources"))).contains("../../base");
    }

    // ---------------------------------------------------------------------------------------------------------
    // the Deployment and the Service

    @Test
    void theDeploymentRunsTwoReplicasWithProbesLimitsAndARestrictedSecurityContext() {
        Deployment deployment = the(Deployment.class, "stepwise");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container c = stepwiseContainer(deployment);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(c.getArgs()).containsExactly("run", "--config", CONFIG_FILE);
        assertThat(pod.getServiceAccountName()).isEqualTo(the(ServiceAccount.class, "stepwise").getMetadata().getName());

        HTTPGetAction liveness = c.getLivenessProbe().getHttpGet();
        HTTPGetAction readiness = c.getReadinessProbe().getHttpGet();
        assertThat(liveness.getPath()).isEqualTo("/healthz");
        assertThat(readiness.getPath()).isEqualTo("/readyz");
        assertThat(containerPort(c, liveness.getPort().getValue())).isEqualTo(HTTP_PORT);
        assertThat(containerPort(c, readiness.getPort().getValue())).isEqualTo(HTTP_PORT);

        Map<String, Quantity> limits = c.getResources().getLimits();
        Map<String, Quantity> requests = c.getResources().getRequests();
        assertThat(limits).containsKeys("cpu", "memory");
        assertThat(requests).containsKeys("cpu", "memory");
        // the heap is a percentage of the memory limit (the image's -XX:MaxRAMPercentage): a limit of a few MiB is a typo
        assertThat(Quantity.getAmountInBytes(limits.get("memory"))).isGreaterThanOrEqualTo(
                Quantity.getAmountInBytes(new Quantity("512Mi")));
        assertThat(Quantity.getAmountInBytes(requests.get("memory")))
                .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("memory")));
        assertThat(Quantity.getAmountInBytes(requests.get("cpu")))
                .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("cpu")));
        assertThat(c.getEnv()).extracting(EnvVar::getName).doesNotContain("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

        PodSecurityContext podSecurity = pod.getSecurityContext();
        assertThat(podSecurity.getRunAsNonRoot()).isTrue();
        assertThat(podSecurity.getRunAsUser()).isEqualTo(UID);
        assertThat(podSecurity.getRunAsGroup()).isEqualTo(UID);
        assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        SecurityContext security = c.getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        // the container must not undo the Pod's settings
        assertThat(security.getRunAsUser()).isIn(null, UID);
        assertThat(security.getRunAsNonRoot()).isNotEqualTo(Boolean.FALSE);
        assertThat(security.getSeccompProfile() == null ? "RuntimeDefault" : security.getSeccompProfile().getType())
                .isEqualTo("RuntimeDefault");

        // leader election: identity and namespace from the downward API
        assertThat(fieldRef(c, "POD_NAME")).isEqualTo("metadata.name");
        assertThat(fieldRef(c, "POD_NAMESPACE")).isEqualTo("metadata.namespace");

        // the root filesystem is read-only: the cache and /tmp are emptyDirs
        assertThat(volumeAt(deployment, "/tmp").getEmptyDir()).as("/tmp").isNotNull();
        String cacheDir = (String) stepwiseConfig().get("cacheDir");
        assertThat(volumeAt(deployment, cacheDir).getEmptyDir()).as("cacheDir " + cacheDir).isNotNull();
    }

    @Test
    void theConfigFlagNamesTheConfigMapsStepwiseYamlAndEveryFileTheConfigNamesIsMounted() {
        Deployment deployment = the(Deployment.class, "stepwise");
        List<String> args = stepwiseContainer(deployment).getArgs();
        String configFile = args.get(args.indexOf("--config") + 1);

        MountedFile config = mountedFile(deployment, configFile);
        assertThat(config.kind()).isEqualTo("configMap");
        assertThat(config.name()).isEqualTo("stepwise-config");
        assertThat(config.key()).isEqualTo("stepwise.yaml");
        Map<String, Object> generator = configMapGenerator("stepwise-config");
        assertThat(strings(generator.get("files"))).contains("config/stepwise.yaml");

        // every path in stepwise.yaml is a key of a mounted ConfigMap or Secret
        Map<String, Object> stepwise = stepwiseConfig();
        List<String> paths = new ArrayList<>();
        paths.add((String) map(stepwise.get("providers")).get("file"));
        for (Object r : list(stepwise.get("repositories"))) {
            map(map(r).get("credentials")).forEach((k, v) -> paths.add((String) v));
            paths.add((String) map(map(r).get("webhook")).get("secretFile"));
        }
        assertThat(paths).containsExactlyInAnyOrder("/etc/stepwise/providers.yaml", "/etc/stepwise/git/username",
                "/etc/stepwise/git/token", "/etc/stepwise/webhook/secret");
        Map<String, Set<String>> secretKeysMounted = new LinkedHashMap<>();
        for (String path : paths) {
            MountedFile f = mountedFile(deployment, path);
            if (f.kind().equals("configMap")) {
                assertThat(f.name()).isEqualTo("stepwise-config");
                assertThat(strings(generator.get("files"))).as(path).contains("config/" + f.key());
            } else {
                secretKeysMounted.computeIfAbsent(f.name(), n -> new TreeSet<>()).add(f.key());
            }
        }

        // the documented example Secrets are exactly what the Deployment mounts
        Map<String, Set<String>> documented = new LinkedHashMap<>();
        for (Object doc : yamlDocuments(SECRETS_EXAMPLE)) {
            Secret s = (Secret) typed(map(doc), SECRETS_EXAMPLE.toString());
            assertThat(s.getMetadata().getNamespace()).isEqualTo(kustomization(BASE).get("namespace"));
            documented.put(s.getMetadata().getName(), new TreeSet<>(s.getStringData().keySet()));
        }
        assertThat(documented).isEqualTo(Map.of("stepwise-git", Set.of("username", "token"),
                "stepwise-webhook", Set.of("secret")));
        assertThat(secretKeysMounted).isEqualTo(documented);
    }

    @Test
    void theServiceExposesPort8080ToThePodsWithPrometheusScrapeAnnotations() {
        Service service = the(Service.class, "stepwise");
        Deployment deployment = the(Deployment.class, "stepwise");
        assertThat(service.getSpec().getPorts()).hasSize(1);
        assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(HTTP_PORT);
        Object target = service.getSpec().getPorts().get(0).getTargetPort().getValue();
        assertThat(containerPort(stepwiseContainer(deployment), target)).isEqualTo(HTTP_PORT);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(service.getSpec().getSelector());
        assertThat(service.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(HTTP_PORT))
                .containsEntry("prometheus.io/path", "/metrics");
        // the config listens where the probes and the Service connect
        String address = (String) map(stepwiseConfig().get("http")).get("address");
        assertThat(address).isEqualTo("0.0.0.0:" + HTTP_PORT);
    }

    // ---------------------------------------------------------------------------------------------------------
    // the configuration

    @Test
    void theConfigMapsStepwiseYamlHasTheContractsSectionsAndNoInlineSecret() throws Exception {
        Map<String, Object> config = stepwiseConfig();
        assertThat(config.get("apiVersion")).isEqualTo("stepwise.dev/v1alpha1");
        assertThat(config.get("kind")).isEqualTo("StepwiseConfig");
        assertThat(config).containsKeys("repositories", "clusters", "leaderElection", "cacheDir", "providers");

        List<Object> repositories = list(config.get("repositories"));
        assertThat(repositories).hasSize(1);
        assertThat(map(repositories.get(0))).containsKeys("name", "url", "branch", "path", "pollInterval", "status");
        assertThat(map(repositories.get(0)).get("url").toString()).startsWith("https://");

        List<Object> clusters = list(config.get("clusters"));
        assertThat(clusters).containsExactly(Map.of("name", "local", "inCluster", true));
        assertThat(config.get("defaultCluster")).isEqualTo("local");

        Map<String, Object> election = map(config.get("leaderElection"));
        assertThat(election.get("enabled")).isEqualTo(true);
        assertThat(election.get("leaseName")).isEqualTo("stepwise-leader");
        // left to $POD_NAMESPACE so that every overlay's Lease lands where its leader-election Role is
        assertThat(election).doesNotContainKey("namespace");

        List<String> inline = new ArrayList<>();
        secretLookingValues(config, "", inline);
        assertThat(inline).as("secrets are files, never values").isEmpty();

        // providers.yaml is read by the product's own parser, as `stepwise run` will read it
        Path providers = BASE.resolve("config/providers.yaml");
        ProviderSettings settings = ProviderSettings.load(providers, Map.of());
        assertThat(settings.endpoint("prometheus", "http://prometheus-server.monitoring.svc:80/api").limits()
                .requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.defaultLimits().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------------------------------------------------
    // RBAC

    @Test
    void theRbacHasNoWildcardsNoSecretsAndLeaderElectionGetsExactlyItsLease() {
        List<HasMetadata> all = new ArrayList<>(objects(BASE));
        all.addAll(objects(NAMESPACED));
        List<String> findings = new ArrayList<>();
        for (HasMetadata o : all) {
            List<PolicyRule> rules = o instanceof Role r ? r.getRules() : o instanceof ClusterRole cr ? cr.getRules() : null;
            if (rules == null) {
                continue;
            }
            for (PolicyRule rule : rules) {
                String what = o.getKind() + "/" + o.getMetadata().getName() + " " + rule.getResources() + " " + rule.getVerbs();
                Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs(), rule.getResourceNames())
                        .filter(Objects::nonNull).flatMap(List::stream).filter(s -> s.contains("*"))
                        .forEach(s -> findings.add(what + ": wildcard " + s));
                if (rule.getResources().contains("secrets")) {
                    findings.add(what + ": secrets");
                }
                rule.getVerbs().stream().filter(v -> Set.of("watch", "escalate", "bind", "impersonate", "deletecollection").contains(v))
                        .forEach(v -> findings.add(what + ": " + v));
                if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
                    findings.add(what + ": nonResourceURLs");
                }
            }
        }
        assertThat(findings).isEmpty();

        Role lease = the(Role.class, "stepwise-leader-election");
        String leaseName = (String) map(stepwiseConfig().get("leaderElection")).get("leaseName");
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : lease.getRules()) {
            List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    ? List.of("(any)") : rule.getResourceNames();
            for (String g : rule.getApiGroups()) {
                for (String res : rule.getResources()) {
                    for (String v : rule.getVerbs()) {
                        for (String n : names) {
                            granted.add(g + " " + res + " " + v + " " + n);
                        }
                    }
                }
            }
        }
        // create cannot be limited by name; Stepwise's lock renews with a PUT carrying the resourceVersion read
        assertThat(granted).containsExactlyInAnyOrder(
                "coordination.k8s.io leases get " + leaseName,
                "coordination.k8s.io leases update " + leaseName,
                "coordination.k8s.io leases create (any)");

        RoleBinding leaseBinding = the(RoleBinding.class, "stepwise-leader-election");
        assertThat(leaseBinding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(leaseBinding.getRoleRef().getName()).isEqualTo("stepwise-leader-election");
        assertThat(leaseBinding.getSubjects()).extracting(Subject::getKind, Subject::getName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ServiceAccount", "stepwise"));

        ClusterRoleBinding binding = the(ClusterRoleBinding.class, "stepwise");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(the(ClusterRole.class, "stepwise").getMetadata().getName());
        assertThat(binding.getSubjects()).hasSize(1);
        Subject sa = binding.getSubjects().get(0);
        assertThat(List.of(sa.getKind(), sa.getName(), sa.getNamespace()))
                .containsExactly("ServiceAccount", "stepwise", (String) kustomization(BASE).get("namespace"));
    }

    @Test
    void theDeployedRolesAreTheFilesRbacItProvesAndGrantWhatTheClusterCodeNeeds() throws IOException {
        Path clusterRoleFile = Path.of(RbacIT.CLUSTER_ROLE_FILE);
        Path namespacedRoleFile = Path.of(RbacIT.NAMESPACED_ROLE_FILE);
        assertThat(listedFiles(BASE)).as("base deploys the ClusterRole RbacIT checks").contains(clusterRoleFile);
        assertThat(listedFiles(NAMESPACED)).as("the overlay deploys the Role RbacIT checks").contains(namespacedRoleFile);
        assertThat(typedDocuments(clusterRoleFile)).singleElement().isInstanceOf(ClusterRole.class);
        assertThat(typedDocuments(namespacedRoleFile)).singleElement().isInstanceOf(Role.class);

        RoleBinding binding = objects(NAMESPACED).stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                .filter(b -> b.getMetadata().getName().equals("stepwise")).findFirst().orElseThrow();
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(typedDocuments(namespacedRoleFile).get(0).getMetadata().getName());

        Set<RbacIT.Permission> cluster = RbacIT.granted(RbacIT.CLUSTER_ROLE_FILE);
        Set<RbacIT.Permission> namespaced = RbacIT.granted(RbacIT.NAMESPACED_ROLE_FILE);
        assertThat(cluster).containsAll(CLUSTER_CODE_NEEDS);
        assertThat(namespaced).as("the namespaced install can do, in its namespace, what the cluster install can")
                .isEqualTo(cluster);
    }

    @Test
    void theNamespacedOverlayRemovesEveryClusterScopedObjectAndMovesTheBindingsSubjects() {
        Map<String, Object> k = kustomization(NAMESPACED);
        assertThat(k).doesNotContainKey("namespace"); // the transformer below does it, subjects included

        Set<String> deleted = new TreeSet<>();
        for (Object p : list(k.get("patches"))) {
            Map<String, Object> patch = map(yamlDocuments(map(p).get("patch").toString(), "inline patch").get(0));
            assertThat(patch.get("$patch")).isEqualTo("delete");
            deleted.add(patch.get("kind") + "/" + map(patch.get("metadata")).get("name"));
        }
        Set<String> clusterScopedInBase = objects(BASE).stream().filter(o -> CLUSTER_SCOPED.contains(o.getKind()))
                .map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(clusterScopedInBase).containsExactlyInAnyOrder("Namespace/stepwise", "ClusterRole/stepwise",
                "ClusterRoleBinding/stepwise");
        assertThat(deleted).isEqualTo(clusterScopedInBase);
        assertThat(objects(NAMESPACED)).extracting(HasMetadata::getKind).doesNotContainAnyElementsOf(CLUSTER_SCOPED);

        List<Object> transformers = list(k.get("transformers"));
        assertThat(transformers).hasSize(1);
        Map<String, Object> ns = map(yamlDocuments(transformers.get(0).toString(), "inline transformer").get(0));
        assertThat(ns.get("kind")).isEqualTo("NamespaceTransformer");
        assertThat(ns.get("setRoleBindingSubjects")).isEqualTo("allServiceAccounts");
        assertThat(map(ns.get("metadata")).get("namespace")).isEqualTo("production");
    }

    /** The real build, when kubectl (with its bundled kustomize) is installed: what `kubectl apply -k` would send. */
    @Test
    void kustomizeBuildsBothInstallsAsIntended() throws Exception {
        Optional<List<Map<String, Object>>> base = kustomize(BASE);
        Assumptions.assumeTrue(base.isPresent(), "kubectl is not installed");
        List<Map<String, Object>> overlay = kustomize(NAMESPACED).orElseThrow();

        assertThat(base.get()).extracting(o -> (o.get("kind") + "/" + map(o.get("metadata")).get("name"))
                .replaceAll("-[a-z0-9]{10}$", "-<hash>")).containsExactlyInAnyOrder("Namespace/stepwise",
                "ServiceAccount/stepwise", "ClusterRole/stepwise", "ClusterRoleBinding/stepwise",
                "Role/stepwise-leader-election", "RoleBinding/stepwise-leader-election",
                "ConfigMap/stepwise-config-<hash>", "Service/stepwise", "Deployment/stepwise");
        for (List<Map<String, Object>> build : List.of(base.get(), overlay)) {
            Deployment d = build.stream().filter(o -> "Deployment".equals(o.get("kind")))
                    .map(o -> (Deployment) typed(o, "kustomize output")).findFirst().orElseThrow();
            String configMap = build.stream().filter(o -> "ConfigMap".equals(o.get("kind")))
                    .map(o -> (String) map(o.get("metadata")).get("name")).findFirst().orElseThrow();
            assertThat(configMap).as("a content hash suffix: a config change rolls the Pods").matches("stepwise-config-[a-z0-9]{10}");
            assertThat(mountedFile(d, CONFIG_FILE).name()).isEqualTo(configMap);
            assertThat(stepwiseContainer(d).getImage()).isEqualTo("registry.example.com/stepwise:0.1.0");
        }

        assertThat(overlay).extracting(o -> (String) o.get("kind")).doesNotContainAnyElementsOf(CLUSTER_SCOPED)
                .contains("Role", "RoleBinding", "Deployment");
        for (Map<String, Object> o : overlay) {
            assertThat(map(o.get("metadata")).get("namespace")).as(o.get("kind") + " namespace").isEqualTo("production");
            if ("RoleBinding".equals(o.get("kind"))) {
                for (Object s : list(o.get("subjects"))) {
                    assertThat(map(s).get("namespace")).as("RoleBinding subject namespace").isEqualTo("production");
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the image

    @Test
    void theDockerfileIsPinnedRunsAsTheDeploymentsNonRootUserAndStartsTheDeploymentsCommand() throws IOException {
        List<String[]> instructions = dockerfile(Path.of("Dockerfile"));
        List<String> from = arguments(instructions, "FROM");
        assertThat(from).hasSize(1);
        Matcher image = Pattern.compile("eclipse-temurin:(?<tag>[^@\\s]+)(@sha256:[0-9a-f]{64})?").matcher(from.get(0));
        assertThat(image.matches()).as("FROM " + from.get(0)).isTrue();
        assertThat(image.group("tag")).isNotEqualTo("latest").matches("17\\.0\\.\\d+(\\.\\d+)?_\\d+-jre(-[a-z0-9]+)?");

        List<String> user = arguments(instructions, "USER");
        assertThat(user).hasSize(1);
        Matcher uid = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user.get(0));
        assertThat(uid.matches()).as("USER is numeric, so runAsNonRoot can verify it: " + user.get(0)).isTrue();
        long imageUid = Long.parseLong(uid.group(1));
        PodSecurityContext pod = the(Deployment.class, "stepwise").getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(imageUid).isNotZero().isEqualTo(pod.getRunAsUser());
        assertThat(uid.group(2)).isNotNull();
        assertThat(Long.parseLong(uid.group(2))).isEqualTo(pod.getRunAsGroup());

        List<Object> entrypoint = jsonArray(arguments(instructions, "ENTRYPOINT"));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).anySatisfy(a -> assertThat(a.toString()).matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"));
        assertThat(entrypoint).noneSatisfy(a -> assertThat(a.toString()).startsWith("-Xmx"));
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).containsExactly("-jar", "/app/stepwise.jar");
        List<Object> cmd = jsonArray(arguments(instructions, "CMD"));
        assertThat(cmd).isEqualTo(List.copyOf(stepwiseContainer(the(Deployment.class, "stepwise")).getArgs()));

        assertThat(arguments(instructions, "COPY")).containsExactly("target/stepwise.jar /app/stepwise.jar");
        assertThat(arguments(instructions, "RUN")).noneSatisfy(r -> assertThat(r).contains("mvn"));
        assertThat(Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))).containsExactly("*", "!target/stepwise.jar");
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers: YAML

    private static List<Object> yamlDocuments(Path file) {
        try {
            return yamlDocuments(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Object> yamlDocuments(String text, String label) {
        List<Object> out = new ArrayList<>();
        new Load(LoadSettings.builder().setLabel(label).build()).loadAllFromString(text).forEach(d -> {
            if (d != null) {
                out.add(d);
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static List<String> strings(Object o) {
        return list(o).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> kustomization(Path dir) {
        List<Object> docs = yamlDocuments(dir.resolve("kustomization.yaml"));
        assertThat(docs).hasSize(1);
        return map(docs.get(0));
    }

    private static List<Path> generatorFiles(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Object g : list(kustomization(dir).get("configMapGenerator"))) {
            for (String f : strings(map(g).get("files"))) {
                out.add(dir.resolve(f.contains("=") ? f.substring(f.indexOf('=') + 1) : f).normalize());
            }
        }
        return out;
    }

    /** The files (not directories) a kustomization deploys: its resources and its generators' files. */
    private static List<Path> listedFiles(Path dir) {
        List<Path> out = new ArrayList<>();
        for (String entry : strings(kustomization(dir).get("resources"))) {
            Path p = dir.resolve(entry).normalize();
            if (!Files.isDirectory(p)) {
                out.add(p);
            }
        }
        out.addAll(generatorFiles(dir));
        return out;
    }

    private static Map<String, Object> configMapGenerator(String name) {
        return list(kustomization(BASE).get("configMapGenerator")).stream().map(DeployManifestsTest::map)
                .filter(g -> name.equals(g.get("name"))).findFirst()
                .orElseGet(() -> fail("no configMapGenerator " + name + " in " + BASE));
    }

    private static Map<String, Object> stepwiseConfig() {
        List<Object> docs = yamlDocuments(BASE.resolve("config/stepwise.yaml"));
        assertThat(docs).hasSize(1);
        return map(docs.get(0));
    }

    private static List<Path> yamlFilesUnder(Path dir) {
        return regularFilesUnder(dir).stream().filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                .toList();
    }

    private static List<Path> regularFilesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> Set<T> plus(Set<T> set, T one) {
        Set<T> out = new LinkedHashSet<>(set);
        out.add(one);
        return out;
    }

    /** Keys that look like secrets must name files ({@code tokenFile}), never carry the value ({@code token}). */
    private static void secretLookingValues(Object node, String path, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                String key = String.valueOf(k);
                if (key.matches("(?i).*(token|password|secret|passphrase|key)$") && !(v instanceof Map)) {
                    out.add(path + "." + key);
                }
                secretLookingValues(v, path + "." + key, out);
            });
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                secretLookingValues(l.get(i), path + "[" + i + "]", out);
            }
        }
    }

    // helpers: typed Kubernetes objects

    private static HasMetadata typed(Map<?, ?> doc, String where) {
        Object o = Serialization.unmarshal(Serialization.asJson(doc));
        assertThat(o).as(where + " is a Kubernetes object fabric8 knows").isInstanceOf(HasMetadata.class)
                .isNotInstanceOf(GenericKubernetesResource.class);
        HasMetadata typed = (HasMetadata) o;
        assertThat(typed.getKind()).isEqualTo(doc.get("kind"));
        return typed;
    }

    private static List<HasMetadata> typedDocuments(Path file) {
        return yamlDocuments(file).stream().map(d -> typed(map(d), file.toString())).toList();
    }

    /** The objects a kustomization's own resource files hold (directories such as ../../base excluded). */
    private static List<HasMetadata> objects(Path dir) {
        List<HasMetadata> out = new ArrayList<>();
        for (String entry : strings(kustomization(dir).get("resources"))) {
            Path p = dir.resolve(entry).normalize();
            if (!Files.isDirectory(p)) {
                out.addAll(typedDocuments(p));
            }
        }
        return out;
    }

    private static <T extends HasMetadata> T the(Class<T> type, String name) {
        List<T> found = objects(BASE).stream().filter(type::isInstance).map(type::cast)
                .filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertThat(found).as(type.getSimpleName() + " " + name + " in " + BASE).hasSize(1);
        return found.get(0);
    }

    private static Container stepwiseContainer(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).containsExactly("stepwise");
        return containers.get(0);
    }

    private static int containerPort(Container c, Object port) {
        if (port instanceof Integer i) {
            return i;
        }
        return c.getPorts().stream().filter(p -> port.equals(p.getName())).findFirst()
                .orElseGet(() -> fail("no container port named " + port)).getContainerPort();
    }

    private static String fieldRef(Container c, String variable) {
        EnvVar v = c.getEnv().stream().filter(e -> e.getName().equals(variable)).findFirst()
                .orElseGet(() -> fail("no environment variable " + variable));
        return v.getValueFrom().getFieldRef().getFieldPath();
    }

    private static Volume volumeAt(Deployment d, String mountPath) {
        VolumeMount mount = stepwiseContainer(d).getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mountPath))
                .findFirst().orElseGet(() -> fail("nothing is mounted at " + mountPath));
        assertThat(mount.getSubPath()).isNullOrEmpty();
        return d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                .findFirst().orElseGet(() -> fail("no volume " + mount.getName()));
    }

    record MountedFile(String kind, String name, String key) {
    }

    /** Which ConfigMap or Secret key a path inside the container is, following mounts, projections and items. */
    private static MountedFile mountedFile(Deployment d, String path) {
        VolumeMount mount = stepwiseContainer(d).getVolumeMounts().stream()
                .filter(m -> path.startsWith(m.getMountPath() + "/"))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
                .orElseGet(() -> fail("no volume is mounted above " + path));
        String relative = path.substring(mount.getMountPath().length() + 1);
        Volume v = volumeAt(d, mount.getMountPath());
        List<MountedFile> found = new ArrayList<>();
        List<VolumeProjection> sources = v.getProjected() != null ? v.getProjected().getSources() : List.of();
        for (VolumeProjection s : sources) {
            if (s.getConfigMap() != null) {
                found.addAll(item(s.getConfigMap().getItems(), relative, "configMap", s.getConfigMap().getName()));
            }
            if (s.getSecret() != null) {
                found.addAll(item(s.getSecret().getItems(), relative, "secret", s.getSecret().getName()));
            }
        }
        if (v.getConfigMap() != null) {
            found.addAll(item(v.getConfigMap().getItems(), relative, "configMap", v.getConfigMap().getName()));
        }
        if (v.getSecret() != null) {
            found.addAll(item(v.getSecret().getItems(), relative, "secret", v.getSecret().getSecretName()));
        }
        assertThat(found).as(path + " is exactly one key of a mounted ConfigMap or Secret").hasSize(1);
        return found.get(0);
    }

    private static List<MountedFile> item(List<KeyToPath> items, String relative, String kind, String name) {
        if (items == null || items.isEmpty()) {
            return relative.contains("/") ? List.of() : List.of(new MountedFile(kind, name, relative));
        }
        return items.stream().filter(i -> i.getPath().equals(relative)).map(i -> new MountedFile(kind, name, i.getKey())).toList();
    }

    /** fabric8 keeps fields its model does not have in additionalProperties: anywhere in the tree, that is a typo. */
    private static void collectUnknownFields(Object o, String where, List<String> out) {
        if (o instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                collectUnknownFields(l.get(i), where + "[" + i + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectUnknownFields(v, where + "." + k, out));
            return;
        }
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(where + ": " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            collectUnknownFields(value, where + "." + field, out);
        }
    }

    private static Set<RbacIT.Permission> permissions(String... lines) {
        Set<RbacIT.Permission> out = new LinkedHashSet<>();
        for (String line : lines) {
            String[] p = line.split(" ", -1);
            for (String verb : p[2].split(",")) {
                out.add(new RbacIT.Permission(p[0], p[1], verb));
            }
        }
        return out;
    }

    // helpers: kubectl kustomize

    private static Optional<List<Map<String, Object>>> kustomize(Path dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
        return Optional.of(yamlDocuments(new String(out, StandardCharsets.UTF_8), "kustomize " + dir).stream()
                .map(DeployManifestsTest::map).toList());
    }

    // helpers: Dockerfile

    /** Instructions as {KEYWORD, arguments}, with continuation lines joined and comments dropped. */
    private static List<String[]> dockerfile(Path file) throws IOException {
        List<String[]> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String instruction = current.toString().strip();
                int space = instruction.indexOf(' ');
                out.add(new String[] {instruction.substring(0, space).toUpperCase(), instruction.substring(space + 1).strip()});
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String> arguments(List<String[]> instructions, String keyword) {
        return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> i[1]).toList();
    }

    /** ENTRYPOINT and CMD in exec form (a JSON array, which YAML reads too): no shell between Kubernetes and Java. */
    private static List<Object> jsonArray(List<String> instruction) {
        assertThat(instruction).hasSize(1);
        assertThat(instruction.get(0)).startsWith("[");
        return list(yamlDocuments(instruction.get(0), "Dockerfile").get(0));
    }
}
