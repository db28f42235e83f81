package dev.stepwise.cluster;

import dev.stepwise.spec.model.FlaggerSource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pure: one of the three Services Flagger generates for a Canary, from its {@code spec.service} block. Flagger
 * creates them when it initialises a Canary, and so does Stepwise, so a Canary moved from Flagger needs no extra
 * manifests:
 *
 * <pre>
 *   service: {name: store-api, port: 80, targetPort: 8080}     target selector {app: store-api}
 *
 *   store-api          selector {app: store-api-primary}   80 → 8080 "http"   (the apex: what clients call)
 *   store-api-primary  selector {app: store-api-primary}   80 → 8080 "http"
 *   store-api-canary   selector {app: store-api}           80 → 8080 "http"
 * </pre>
 *
 * Each carries the matching {@code service.apex|primary|canary} labels and annotations and Stepwise's managed-by
 * label. {@code headless: true} gives {@code clusterIP: None}.
 */
public final class FlaggerServiceModel {
    /** Which of the three a Service is; it picks the custom metadata. */
    public enum Role { APEX, PRIMARY, CANARY }

    private FlaggerServiceModel() {
    }

    public static Service service(String namespace, String name, Role role, Map<String, String> selector,
                                  FlaggerSource.ServiceBlock ports) {
        FlaggerSource.Metadata custom = switch (role) {
            case APEX -> ports.apex();
            case PRIMARY -> ports.primary();
            case CANARY -> ports.canary();
        };
        Map<String, String> labels = new LinkedHashMap<>(custom.labels());
        labels.put(StepwiseLabels.MANAGED_BY, StepwiseLabels.MANAGER);
        ServicePortBuilder port = new ServicePortBuilder().withName(ports.portName()).withProtocol("TCP")
                .withPort(ports.port()).withTargetPort(targetPort(ports));
        ports.appProtocol().ifPresent(port::withAppProtocol);
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels).withAnnotations(new LinkedHashMap<>(custom.annotations())).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(new LinkedHashMap<>(selector)).withPorts(port.build()).endSpec();
        if (ports.headless()) {
            b.editSpec().withClusterIP("None").endSpec();
        }
        return b.build();
    }

    /** A number is a port number; anything else names a container port. Default: the Service's own port. */
    static IntOrString targetPort(FlaggerSource.ServiceBlock ports) {
        String t = ports.targetPort().orElse(String.valueOf(ports.port()));
        return t.chars().allMatch(Character::isDigit) && !t.isEmpty() ? new IntOrString(Integer.parseInt(t)) : new IntOrString(t);
    }
}
