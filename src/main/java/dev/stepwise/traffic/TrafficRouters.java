package dev.stepwise.traffic;

import dev.stepwise.spec.model.AlbRouter;
import dev.stepwise.spec.model.IstioRouter;
import dev.stepwise.spec.model.NginxRouter;
import dev.stepwise.spec.model.OtherRouter;
import dev.stepwise.spec.model.PluginRouter;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.SmiRouter;
import java.util.ArrayList;
import java.util.List;

/** The routers a rollout's {@code trafficRouting} names, in written order (Argo lets several work together). */
public final class TrafficRouters {
    private TrafficRouters() {
    }

    /** The routers of {@code spec}; a replica-ratio router when it names none. Unsupported routers are skipped. */
    public static List<TrafficRouter> forSpec(RolloutSpec spec) {
        List<TrafficRouter> out = new ArrayList<>();
        spec.canary().ifPresent(c -> {
            for (dev.stepwise.spec.model.TrafficRouter r : c.trafficRouting().routers()) {
                if (r instanceof NginxRouter n) {
                    out.add(new NginxTrafficRouter(n));
                } else if (r instanceof IstioRouter i) {
                    out.add(new IstioTrafficRouter(i));
                } else if (r instanceof SmiRouter s) {
                    out.add(new SmiTrafficRouter(s));
                } else if (r instanceof AlbRouter a) {
                    out.add(new AlbTrafficRouter(a));
                } else if (r instanceof PluginRouter p && p.name().equals(PluginRouter.GATEWAY_API)) {
                    out.add(new GatewayApiTrafficRouter(GatewayApiTrafficRouter.routesOf(p.config())));
                } else if (r instanceof OtherRouter || r instanceof PluginRouter) {
                    // not implemented: ClusterTarget reports it as a finding
                }
            }
        });
        if (out.isEmpty()) {
            out.add(new ReplicaRatioRouter());
        }
        return out;
    }

    /** Routers of {@code spec} Stepwise cannot drive (for a finding). */
    public static List<String> unsupported(RolloutSpec spec) {
        List<String> out = new ArrayList<>();
        spec.canary().ifPresent(c -> c.trafficRouting().routers().forEach(r -> {
            if (r instanceof OtherRouter || (r instanceof PluginRouter p && !p.name().equals(PluginRouter.GATEWAY_API))) {
                out.add(r.type());
            }
        }));
        return out;
    }
}
