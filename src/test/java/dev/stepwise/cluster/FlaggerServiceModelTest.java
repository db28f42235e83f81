package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.model.FlaggerSource;
import dev.stepwise.spec.model.FlaggerSource.Metadata;
import io.fabric8.kubernetes.api.model.Service;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlaggerServiceModelTest {

    static FlaggerSource.ServiceBlock ports(Optional<String> targetPort, boolean headless) {
        return new FlaggerSource.ServiceBlock(80, targetPort, "http", Optional.of("grpc"), headless,
                new Metadata(Map.of("exposed", "true"), Map.of("team/owner", "shop")), Metadata.NONE,
                new Metadata(Map.of("track", "canary"), Map.of()), java.util.List.of(), java.util.List.of(), java.util.List.of(), Map.of());
    }

    @Test
    void aNumericTargetPortIsANumberAndANamedOneAName() {
        assertThat(FlaggerServiceModel.targetPort(ports(Optional.of("8080"), false)).getIntVal()).isEqualTo(8080);
        assertThat(FlaggerServiceModel.targetPort(ports(Optional.of("http-web"), false)).getStrVal()).isEqualTo("http-web");
        // Flagger's default: the Service's own port
        assertThat(FlaggerServiceModel.targetPort(ports(Optional.empty(), false)).getIntVal()).isEqualTo(80);
    }

    @Test
    void eachRoleCarriesItsOwnCustomMetadataAndStepwisesLabel() {
        Service apex = FlaggerServiceModel.service("shop", "api", FlaggerServiceModel.Role.APEX, Map.of("app", "api-primary"),
                ports(Optional.of("8080"), false));
        assertThat(apex.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(
                Map.of("exposed", "true", StepwiseLabels.MANAGED_BY, "stepwise"));
        assertThat(apex.getMetadata().getAnnotations()).containsExactlyEntriesOf(Map.of("team/owner", "shop"));
        assertThat(apex.getSpec().getSelector()).containsExactlyEntriesOf(Map.of("app", "api-primary"));
        assertThat(apex.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getAppProtocol()).isEqualTo("grpc");
            assertThat(p.getPort()).isEqualTo(80);
        });
        assertThat(apex.getSpec().getClusterIP()).isNull();

        Service canary = FlaggerServiceModel.service("shop", "api-canary", FlaggerServiceModel.Role.CANARY, Map.of("app", "api"),
                ports(Optional.empty(), true));
        assertThat(canary.getMetadata().getLabels()).containsEntry("track", "canary").doesNotContainKey("exposed");
        assertThat(canary.getSpec().getClusterIP()).isEqualTo("None");
    }
}
