package dev.stepwise.spec.model;

import java.util.List;
import java.util.Optional;

/** {@code trafficRouting.alb}: weighted target groups written into an AWS Load Balancer Controller Ingress. */
public record AlbRouter(List<String> ingresses, int servicePort, Optional<String> rootService,
                        Optional<String> annotationPrefix, String pointer) implements TrafficRouter {

    public AlbRouter {
        ingresses = List.copyOf(ingresses);
    }

    @Override
    public String type() {
        return "alb";
    }

    @Override
    public boolean needsCanaryAndStableServices() {
        return true;
    }

    @Override
    public String describe() {
        return "alb ingress " + String.join(", ", ingresses) + " port " + servicePort;
    }
}
