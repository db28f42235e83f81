package dev.stepwise.traffic;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Non-core kinds (Istio, Gateway API, SMI) through fabric8's generic resource API. The resource context is given in
 * full (group, version, plural, namespaced) so no discovery request is needed: one request less per call, and no
 * need for discovery rights in the role.
 */
final class GenericObjects {

    static final ResourceDefinitionContext VIRTUAL_SERVICE = ctx("networking.istio.io", "v1beta1", "VirtualService", "virtualservices");
    static final ResourceDefinitionContext DESTINATION_RULE = ctx("networking.istio.io", "v1beta1", "DestinationRule", "destinationrules");
    static final ResourceDefinitionContext HTTP_ROUTE = ctx("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes");
    static final ResourceDefinitionContext TRAFFIC_SPLIT = ctx("split.smi-spec.io", "v1alpha2", "TrafficSplit", "trafficsplits");

    private GenericObjects() {
    }

    private static ResourceDefinitionContext ctx(String group, String version, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> of(
            KubernetesClient client, ResourceDefinitionContext ctx) {
        return client.genericKubernetesResources(ctx);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
    }

    static Map<String, Object> spec(GenericKubernetesResource r) {
        return map(r.getAdditionalProperties().get("spec"));
    }

    static int intOf(Object o) {
        return o instanceof Number n ? n.intValue() : 0;
    }
}
