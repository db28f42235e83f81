package dev.stepwise.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What a platform's GitOps tool would have applied before Stepwise runs: the Services, Ingresses, Istio and Gateway
 * API objects and Flagger target Deployments of the seeded repository. The demo applies them to its embedded
 * cluster; Stepwise itself never creates them (it patches weights, selectors and subsets).
 */
final class Platform {

    /** Kind → where the API serves it (the versions Stepwise's routers use). */
    private static final Map<String, ResourceDefinitionContext> KINDS = Map.of(
            "Service", ctx("", "v1", "Service", "services"),
            "Deployment", ctx("apps", "v1", "Deployment", "deployments"),
            "Ingress", ctx("networking.k8s.io", "v1", "Ingress", "ingresses"),
            "VirtualService", ctx("networking.istio.io", "v1beta1", "VirtualService", "virtualservices"),
            "DestinationRule", ctx("networking.istio.io", "v1beta1", "DestinationRule", "destinationrules"),
            "HTTPRoute", ctx("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"));

    private Platform() {
    }

    private static ResourceDefinitionContext ctx(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    /** Applies every document of those kinds under {@code repo}; returns how many. */
    static int apply(Path repo, KubernetesClient client) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(repo)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("/.git/")).sorted().toList();
        }
        int applied = 0;
        for (Path f : files) {
            List<Object> docs = new ArrayList<>();
            new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(f, StandardCharsets.UTF_8)).forEach(docs::add);
            for (Object doc : docs) {
                if (!(doc instanceof Map<?, ?> m) || !(m.get("kind") instanceof String kind) || !KINDS.containsKey(kind)) {
                    continue;
                }
                GenericKubernetesResource r = client.getKubernetesSerialization().convertValue(m, GenericKubernetesResource.class);
                String ns = r.getMetadata().getNamespace() == null ? "default" : r.getMetadata().getNamespace();
                client.genericKubernetesResources(KINDS.get(kind)).inNamespace(ns).resource(r).create();
                applied++;
            }
        }
        return applied;
    }
}
