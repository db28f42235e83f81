package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code trafficRouting.nginx}: canary Ingresses cloned from {@code stableIngress(es)} with weight annotations. */
public record NginxRouter(List<String> stableIngresses, Optional<String> annotationPrefix,
                          Map<String, String> additionalIngressAnnotations, String pointer) implements TrafficRouter {

    public NginxRouter {
        stableIngresses = List.copyOf(stableIngresses);
        additionalIngressAnnotations = Collections.unmodifiableMap(new LinkedHashMap<>(additionalIngressAnnotations));
    }

    @Override
    public String type() {
        return "nginx";
    }

    @Override
    public boolean needsCanaryAndStableServices() {
        return true;
    }

    @Override
    public String describe() {
        return "nginx ingress " + String.join(", ", stableIngresses);
    }
}
