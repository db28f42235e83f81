package dev.stepwise.spec.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure: the queries of a Flagger Canary's metrics, as Flagger would run them.
 *
 * <p><b>Template variables.</b> A {@code MetricTemplate}'s query (and every builtin below) is a template over the
 * Canary: {@code {{ name }}}, {@code {{ namespace }}}, {@code {{ target }}} (the target Deployment), {@code
 * {{ service }}} ({@code service.name}, else the target), {@code {{ ingress }}} ({@code ingressRef.name}, else the
 * target), {@code {{ route }}} ({@code routeRef.name}, else the target), {@code {{ interval }}} (the metric's
 * {@code interval}, default 1m) and {@code {{ variables.KEY }}} (the metric's {@code templateVariables}). As in
 * Flagger, a variable that is not there is an error, not an empty string.
 *
 * <p><b>Builtin metrics.</b> {@code request-success-rate} (percent of non-5xx responses) and {@code request-duration}
 * (p99 in milliseconds) of the canary's pods, over the metrics of the mesh or ingress that routes its traffic
 * ({@code spec.provider}), worked out for the target {@code podinfo} in {@code test} with Istio:
 *
 * <pre>
 *   sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",
 *       destination_workload=~"podinfo",response_code!~"5.*"}[1m]))
 *   / sum(rate(istio_requests_total{... same without response_code ...}[1m])) * 100
 * </pre>
 *
 * The regex {@code =~"podinfo"} is anchored, so {@code podinfo-primary}'s pods are not counted: the canary is judged
 * on its own traffic.
 */
public final class FlaggerQueries {

    /** What a template can refer to. */
    public record Vars(String name, String namespace, String target, String service, String ingress, String route,
                       String interval, Map<String, String> variables) {
        public Vars {
            variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        }

        Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("namespace", namespace);
            m.put("target", target);
            m.put("service", service);
            m.put("ingress", ingress);
            m.put("route", route);
            m.put("interval", interval);
            return m;
        }

        /** As plain data, to travel in a provider's configuration until the query is rendered. */
        public Map<String, Object> toConfig() {
            Map<String, Object> m = new LinkedHashMap<>(asMap());
            m.put("variables", variables);
            return m;
        }

        @SuppressWarnings("unchecked")
        public static Optional<Vars> fromConfig(Object o) {
            if (!(o instanceof Map<?, ?> m)) {
                return Optional.empty();
            }
            Map<String, String> variables = new LinkedHashMap<>();
            if (m.get("variables") instanceof Map<?, ?> v) {
                v.forEach((k, x) -> variables.put(String.valueOf(k), String.valueOf(x)));
            }
            return Optional.of(new Vars(str(m, "name"), str(m, "namespace"), str(m, "target"), str(m, "service"),
                    str(m, "ingress"), str(m, "route"), str(m, "interval"), variables));
        }

        private static String str(Map<?, ?> m, String k) {
            Object v = m.get(k);
            return v == null ? "" : String.valueOf(v);
        }
    }

    /** A rendered query, or why it could not be rendered. */
    public record Rendered(Optional<String> query, Optional<String> problem) {
        static Rendered ok(String q) {
            return new Rendered(Optional.of(q), Optional.empty());
        }

        static Rendered failed(String why) {
            return new Rendered(Optional.empty(), Optional.of(why));
        }
    }

    private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}");
    private static final Pattern VARIABLE = Pattern.compile("variables\\.([A-Za-z_][A-Za-z0-9_]*)");

    private FlaggerQueries() {
    }

    /** Replaces every {@code {{ … }}} of {@code template}; anything but the variables above is refused. */
    public static Rendered render(String template, Vars vars) {
        Map<String, String> plain = vars.asMap();
        Matcher m = ACTION.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String action = m.group(1);
            String value;
            Matcher v = VARIABLE.matcher(action);
            if (plain.containsKey(action)) {
                value = plain.get(action);
            } else if (v.matches()) {
                value = vars.variables().get(v.group(1));
                if (value == null) {
                    return Rendered.failed("the query uses {{ variables." + v.group(1) + " }} but the metric's templateVariables has no '"
                            + v.group(1) + "'");
                }
            } else {
                return Rendered.failed("{{ " + action + " }} is not a Flagger template variable (name, namespace, target, service, "
                        + "ingress, route, interval, variables.KEY)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return Rendered.ok(out.toString().strip());
    }

    /** The builtin metrics' query templates per observer. */
    private static final Map<String, Map<String, String>> BUILTIN = new LinkedHashMap<>();

    private static void builtin(String observer, String successRate, String duration) {
        BUILTIN.put(observer, Map.of("request-success-rate", successRate, "request-duration", duration));
    }

    /** {@code sum(rate(M{S,E}[i])) / sum(rate(M{S}[i])) * 100}: the share of requests without a 5xx, in percent. */
    private static String share(String metric, String selector, String errors) {
        return "sum(rate(" + metric + "{" + selector + "," + errors + "}[{{ interval }}])) / sum(rate(" + metric + "{"
                + selector + "}[{{ interval }}])) * 100";
    }

    private static String p99(String bucket, String selector) {
        return "histogram_quantile(0.99, sum(rate(" + bucket + "{" + selector + "}[{{ interval }}])) by (le))";
    }

    static {
        String istio = "reporter=\"destination\",destination_workload_namespace=\"{{ namespace }}\",destination_workload=~\"{{ target }}\"";
        builtin("istio", share("istio_requests_total", istio, "response_code!~\"5.*\""),
                p99("istio_request_duration_milliseconds_bucket", istio));
        String linkerd = "namespace=\"{{ namespace }}\",deployment=~\"{{ target }}\",direction=\"inbound\"";
        builtin("linkerd", share("response_total", linkerd, "classification!=\"failure\""),
                p99("response_latency_ms_bucket", linkerd));
        String pods = "kubernetes_namespace=\"{{ namespace }}\",kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"";
        builtin("appmesh", share("envoy_cluster_upstream_rq", pods, "envoy_response_code!~\"5.*\""),
                p99("envoy_cluster_upstream_rq_time_bucket", pods));
        // provider kubernetes and Gateway API: the application's own HTTP histogram, per pod
        builtin("http", share("http_request_duration_seconds_count", pods, "status!~\"5.*\""),
                p99("http_request_duration_seconds_bucket", pods));
        String contour = "envoy_cluster_name=~\"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+\"";
        builtin("contour", share("envoy_cluster_upstream_rq", contour, "envoy_response_code!~\"5.*\""),
                p99("envoy_cluster_upstream_rq_time_bucket", contour));
        String gloo = "envoy_cluster_name=~\"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\"";
        builtin("gloo", share("envoy_cluster_upstream_rq", gloo, "envoy_response_code!~\"5.*\""),
                p99("envoy_cluster_upstream_rq_time_bucket", gloo));
        String nginx = "namespace=\"{{ namespace }}\",ingress=\"{{ ingress }}\",canary!=\"\"";
        builtin("nginx", share("nginx_ingress_controller_requests", nginx, "status!~\"5.*\""),
                "sum(rate(nginx_ingress_controller_response_duration_seconds_sum{" + nginx + "}[{{ interval }}])) / "
                        + "sum(rate(nginx_ingress_controller_response_duration_seconds_count{" + nginx + "}[{{ interval }}])) * 1000");
        String traefik = "service=~\"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd\"";
        builtin("traefik", share("traefik_service_request_duration_seconds_bucket", traefik + ",le=\"+Inf\"", "code!~\"5..\""),
                p99("traefik_service_request_duration_seconds_bucket", traefik) + " * 1000");
        String osm = "destination_namespace=\"{{ namespace }}\",destination_kind=\"Deployment\",destination_name=\"{{ target }}\"";
        builtin("osm", share("osm_request_total", osm, "response_code!~\"5.*\""), p99("osm_request_duration_ms_bucket", osm));
        String kuma = "service=~\"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+\"";
        builtin("kuma", share("envoy_cluster_upstream_rq", kuma, "envoy_response_code!~\"5.*\""),
                p99("envoy_cluster_upstream_rq_time_bucket", kuma));
        String apisix = "route=~\"{{ namespace }}_{{ route }}-{{ target }}-canary_.+\"";
        builtin("apisix", share("apisix_http_status", apisix, "code!~\"5..\""),
                p99("apisix_http_latency_bucket", "type=~\"request\"," + apisix));
        String knative = "envoy_cluster_name=~\"{{ namespace }}/{{ route }}\"";
        builtin("knative", share("envoy_cluster_upstream_rq", knative, "envoy_response_code!~\"5.*\""),
                p99("envoy_cluster_upstream_rq_time_bucket", knative));
    }

    /**
     * Which metrics a Canary's {@code spec.provider} is measured with, as Flagger chooses: the provider's own observer,
     * the application's HTTP histogram for {@code kubernetes} and {@code gatewayapi:*}, Istio's for a Canary that
     * names none (Flagger's default mesh). Empty for a provider Stepwise has no builtin for (skipper).
     */
    public static Optional<String> observer(Optional<String> provider) {
        String p = provider.orElse("istio");
        String base = p.contains(":") ? p.substring(0, p.indexOf(':')) : p;
        if (base.equals("kubernetes") || base.equals("gatewayapi")) {
            return Optional.of("http");
        }
        if (base.equals("smi")) {
            return Optional.of("istio"); // Flagger's fallback for a provider without its own observer
        }
        return BUILTIN.containsKey(base) ? Optional.of(base) : Optional.empty();
    }

    /** The template of {@code metric} (request-success-rate, request-duration) for {@code observer}. */
    public static Optional<String> builtinTemplate(String observer, String metric) {
        return Optional.ofNullable(BUILTIN.getOrDefault(observer, Map.of()).get(metric));
    }

    /** Every observer with builtin queries (for tests that run them all against a real Prometheus). */
    public static java.util.Set<String> observers() {
        return java.util.Collections.unmodifiableSet(BUILTIN.keySet());
    }
}
