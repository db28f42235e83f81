package dev.stepwise.traffic;

import dev.stepwise.cluster.StepwiseLabels;
import dev.stepwise.spec.model.FlaggerSource;
import dev.stepwise.spec.model.IstioRouter;
import dev.stepwise.spec.model.PluginRouter;
import dev.stepwise.spec.model.RolloutSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The route object Flagger generates for a Canary, which its users therefore never write: with {@code provider: istio}
 * a VirtualService named after the apex Service, with {@code provider: gatewayapi} an HTTPRoute of that name. Stepwise
 * creates it when it does not exist, at 100% primary, and from then on only the router edits its weights:
 *
 * <pre>
 *   service: {name: store-api, port: 80, hosts: [store.example.com], gateways: [public-gateway]}
 *
 *   VirtualService store-api   hosts [store-api, store.example.com], gateways [public-gateway]
 *     http[0].route: store-api-primary:80 weight 100, store-api-canary:80 weight 0
 * </pre>
 *
 * An object that already exists is the user's (or Flagger's, during a migration) and is left as it is.
 */
public final class FlaggerRoutes {
    private FlaggerRoutes() {
    }

    /** Creates the Canary's route object if it is missing; returns what was done, for the apply's operations. */
    public static Optional<String> ensure(RouteContext ctx, RolloutSpec spec) {
        Optional<GenericKubernetesResource> wanted = desired(spec);
        if (wanted.isEmpty()) {
            return Optional.empty();
        }
        GenericKubernetesResource route = wanted.get();
        ResourceDefinitionContext type = route.getKind().equals("VirtualService") ? GenericObjects.VIRTUAL_SERVICE : GenericObjects.HTTP_ROUTE;
        var op = GenericObjects.of(ctx.client(), type).inNamespace(ctx.namespace());
        if (op.withName(route.getMetadata().getName()).get() != null) {
            return Optional.empty();
        }
        try {
            op.resource(route).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Optional.empty(); // created meanwhile by someone else: theirs stands
            }
            throw e;
        }
        return Optional.of("create " + route.getKind() + " " + route.getMetadata().getName());
    }

    /** Pure: the route object a Flagger Canary's routing needs, if Stepwise drives a router for it. */
    public static Optional<GenericKubernetesResource> desired(RolloutSpec spec) {
        if (spec.flagger().isEmpty() || spec.flagger().get().serviceBlock().isEmpty() || spec.canary().isEmpty()) {
            return Optional.empty();
        }
        FlaggerSource f = spec.flagger().get();
        FlaggerSource.ServiceBlock s = f.serviceBlock().get();
        for (dev.stepwise.spec.model.TrafficRouter r : spec.canary().get().trafficRouting().routers()) {
            if (r instanceof IstioRouter) {
                return Optional.of(virtualService(spec.namespace(), f, s));
            }
            if (r instanceof PluginRouter p && p.name().equals(PluginRouter.GATEWAY_API)) {
                return Optional.of(httpRoute(spec.namespace(), f, s));
            }
        }
        return Optional.empty();
    }

    static GenericKubernetesResource virtualService(String namespace, FlaggerSource f, FlaggerSource.ServiceBlock s) {
        List<String> hosts = new ArrayList<>();
        hosts.add(f.service());
        s.hosts().stream().filter(h -> !hosts.contains(h)).forEach(hosts::add);
        Map<String, Object> http = new LinkedHashMap<>(s.istioRouteOptions());
        http.put("route", List.of(
                Map.of("destination", Map.of("host", f.primaryName(), "port", Map.of("number", s.port())), "weight", 100),
                Map.of("destination", Map.of("host", f.canaryName(), "port", Map.of("number", s.port())), "weight", 0)));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("hosts", hosts);
        if (!s.gateways().isEmpty()) {
            spec.put("gateways", s.gateways());
        }
        spec.put("http", List.of(http));
        return object(GenericObjects.VIRTUAL_SERVICE, namespace, f.service(), spec);
    }

    static GenericKubernetesResource httpRoute(String namespace, FlaggerSource f, FlaggerSource.ServiceBlock s) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (!s.gatewayRefs().isEmpty()) {
            spec.put("parentRefs", s.gatewayRefs());
        }
        if (!s.hosts().isEmpty()) {
            spec.put("hostnames", s.hosts());
        }
        spec.put("rules", List.of(Map.of("backendRefs", List.of(
                Map.of("name", f.primaryName(), "port", s.port(), "weight", 100),
                Map.of("name", f.canaryName(), "port", s.port(), "weight", 0)))));
        return object(GenericObjects.HTTP_ROUTE, namespace, f.service(), spec);
    }

    private static GenericKubernetesResource object(ResourceDefinitionContext type, String namespace, String name, Map<String, Object> spec) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(type.getGroup() + "/" + type.getVersion());
        r.setKind(type.getKind());
        r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
                .withLabels(Map.of(StepwiseLabels.MANAGED_BY, StepwiseLabels.MANAGER)).build());
        r.setAdditionalProperty("spec", spec);
        return r;
    }
}
