package dev.stepwise.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;

/** The user's own objects a rollout works with, created in the test cluster, and readers for assertions. */
final class Objects {
    static final ResourceDefinitionContext VS = ctx("networking.istio.io", "v1beta1", "VirtualService", "virtualservices");
    static final ResourceDefinitionContext DR = ctx("networking.istio.io", "v1beta1", "DestinationRule", "destinationrules");
    static final ResourceDefinitionContext ROUTE = ctx("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes");
    static final ResourceDefinitionContext SPLIT = ctx("split.smi-spec.io", "v1alpha2", "TrafficSplit", "trafficsplits");

    private Objects() {
    }

    /**
     * The canary Rollout {@code shop/api} the cluster tests drive: 4 replicas of {@code image} behind api-stable and
     * api-canary, {@code routing} under {@code trafficRouting} (YAML; none when blank) and {@code steps} (a YAML list).
     */
    static String canaryRollout(String image, String routing, String steps) {
        return "apiVersion: argoproj.io/v1alpha1\n"
                + "kind: Rollout\n"
                + "metadata: {name: api, namespace: shop}\n"
                + "spec:\n"
                + "  replicas: 4\n"
                + "  template: {spec: {containers: [{name: app, image: " + image + "}]}}\n"
                + "  strategy:\n"
                + "    canary:\n"
                + "      canaryService: api-canary\n"
                + "      stableService: api-stable\n"
                + (routing.isBlank() ? "" : "      trafficRouting:\n" + routing.stripTrailing().indent(8))
                + "      steps:\n"
                + steps.stripTrailing().indent(8);
    }

    static ResourceDefinitionContext ctx(String g, String v, String k, String p) {
        return new ResourceDefinitionContext.Builder().withGroup(g).withVersion(v).withKind(k).withPlural(p).withNamespaced(true).build();
    }

    static void service(KubernetesClient c, String ns, String name) {
        c.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "app")).addNewPort().withPort(80).endPort().endSpec().build()).create();
    }

    static void generic(KubernetesClient c, ResourceDefinitionContext ctx, String ns, String name, Map<String, Object> spec) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(ctx.getGroup() + "/" + ctx.getVersion());
        r.setKind(ctx.getKind());
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        r.getAdditionalProperties().put("spec", spec);
        c.genericKubernetesResources(ctx).inNamespace(ns).resource(r).create();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(KubernetesClient c, ResourceDefinitionContext ctx, String ns, String name) {
        return (Map<String, Object>) c.genericKubernetesResources(ctx).inNamespace(ns).withName(name).get().getAdditionalProperties().get("spec");
    }

    static void ingress(KubernetesClient c, String ns, String name, String service, Map<String, String> annotations) {
        c.network().v1().ingresses().inNamespace(ns).resource(new IngressBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewRule().withHost("app.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                .withNewBackend().withNewService().withName(service).withNewPort().withNumber(80).endPort().endService().endBackend()
                .endPath().endHttp().endRule().endSpec().build()).create();
    }

    static Map<String, Integer> replicaSets(KubernetesClient c, String ns) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        c.apps().replicaSets().inNamespace(ns).list().getItems()
                .forEach(rs -> out.put(rs.getMetadata().getName(), rs.getSpec().getReplicas()));
        return out;
    }

    static String selectedHash(KubernetesClient c, String ns, String service) {
        return c.services().inNamespace(ns).withName(service).get().getSpec().getSelector().get(StepwiseLabels.HASH);
    }

    static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
