package dev.stepwise.spec.model;

/** One traffic router of {@code canary.trafficRouting}. */
public sealed interface TrafficRouter permits NginxRouter, IstioRouter, SmiRouter, AlbRouter, PluginRouter, OtherRouter {

    /** The router's field name in Argo ({@code nginx}, {@code istio}, …; plugins by their plugin name). */
    String type();

    /** Whether Argo needs both canaryService and stableService to route with it. */
    boolean needsCanaryAndStableServices();

    String pointer();

    String describe();
}
