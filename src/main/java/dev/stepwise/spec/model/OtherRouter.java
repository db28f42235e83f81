package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A router Stepwise knows by name but does not model field by field (Argo's ambassador, appMesh, traefik, apisix;
 * Flagger providers such as contour, gloo, skipper, kuma). Its configuration is kept as written.
 */
public record OtherRouter(String type, Map<String, Object> config, boolean needsCanaryAndStableServices, String pointer)
        implements TrafficRouter {

    public OtherRouter {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    @Override
    public String describe() {
        return type;
    }
}
