package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code trafficRouting.plugins.<name>}: a traffic router plugin, e.g. {@code argoproj-labs/gatewayAPI} with
 * {@code httpRoute} or {@code httpRoutes}. The configuration belongs to the plugin.
 */
public record PluginRouter(String name, Map<String, Object> config, String pointer) implements TrafficRouter {

    public static final String GATEWAY_API = "argoproj-labs/gatewayAPI";

    public PluginRouter {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    @Override
    public String type() {
        return name;
    }

    @Override
    public boolean needsCanaryAndStableServices() {
        return true;
    }

    @Override
    public String describe() {
        if (name.equals(GATEWAY_API)) {
            Object route = config.get("httpRoute");
            if (route == null && config.get("httpRoutes") instanceof java.util.List<?> routes) {
                route = routes.stream().map(r -> r instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : String.valueOf(r))
                        .reduce((a, b) -> a + ", " + b).orElse("");
            }
            return "gateway API httpRoute " + (route == null ? "?" : route);
        }
        return "plugin " + name;
    }
}
