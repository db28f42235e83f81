package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Argo's workloadRef migration path: the Deployment lends its pod template and is scaled down on success. */
class WorkloadRefIT {
    static final String NS = "shop";
    ClusterDrive drive;

    @BeforeEach
    void cluster() {
        drive = ClusterDrive.withServices("api-stable", "api-canary");
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("api").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(3).withNewSelector().withMatchLabels(Map.of("app", "api")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "api")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("legacy:7").endContainer().endSpec().endTemplate()
                .endSpec().build();
        drive.client().apps().deployments().inNamespace(NS).resource(d).create();
    }

    @AfterEach
    void stop() {
        drive.close();
    }

    @Test
    void theDeploymentsTemplateIsUsedAndItIsScaledDownOnSuccess() {
        drive.spec("""
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: api, namespace: shop}
                spec:
                  replicas: 3
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api, scaleDown: onsuccess}
                  strategy:
                    canary:
                      stableService: api-stable
                      canaryService: api-canary
                      steps: [{setWeight: 50}]
                """).runUntil(20, Phase.HEALTHY);
        drive.tick();
        String v = drive.spec.podTemplateHash();
        var rs = drive.client().apps().replicaSets().inNamespace(NS).withName("api-" + v).get();
        assertThat(rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("legacy:7");
        assertThat(rs.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "api").containsEntry(StepwiseLabels.HASH, v);
        assertThat(rs.getSpec().getReplicas()).isEqualTo(3);
        // owned by the referenced Deployment for garbage collection, never as its controller (the Deployment
        // controller would otherwise adopt and scale it)
        String uid = drive.client().apps().deployments().inNamespace(NS).withName("api").get().getMetadata().getUid();
        assertThat(rs.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Deployment");
            assertThat(o.getApiVersion()).isEqualTo("apps/v1");
            assertThat(o.getName()).isEqualTo("api");
            assertThat(o.getUid()).isEqualTo(uid).isNotBlank();
            assertThat(o.getController()).isFalse();
            assertThat(o.getBlockOwnerDeletion()).isFalse();
        });
        assertThat(drive.client().apps().deployments().inNamespace(NS).withName("api").get().getSpec().getReplicas()).isZero();
    }
}
