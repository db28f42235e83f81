package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterSpecTest {

    static List<SpecDocument> docs(String yaml) {
        var r = new SpecLoader().loadFile(new SourceFile("clusters/prod.yaml", yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.findings()).isEmpty();
        return r.documents();
    }

    static ClusterSpec.ClusterResult one(String spec) {
        return ClusterSpec.of(docs("""
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata: {name: prod-eu}
                spec:
                """ + spec.indent(2)).get(0));
    }

    static Finding onlyFinding(ClusterSpec.ClusterResult r) {
        assertThat(r.cluster()).isEmpty();
        assertThat(r.findings()).hasSize(1);
        return r.findings().get(0);
    }

    @Test
    void kubeconfigContextWithAndWithoutPath() {
        var r = one("kubeconfig: {context: staging}\ndefaultNamespace: shop");
        assertThat(r.findings()).isEmpty();
        assertThat(r.cluster()).contains(new ClusterSpec("prod-eu", new ClusterSpec.KubeconfigContext("staging", Optional.empty()), "shop"));
        var withPath = one("kubeconfig: {context: staging, path: /etc/stepwise/kubeconfig}");
        assertThat(withPath.cluster().orElseThrow().connection())
                .isEqualTo(new ClusterSpec.KubeconfigContext("staging", Optional.of("/etc/stepwise/kubeconfig")));
        assertThat(withPath.cluster().orElseThrow().defaultNamespace()).isEqualTo("default");
    }

    @Test
    void inCluster() {
        assertThat(one("inCluster: true").cluster().orElseThrow().connection()).isEqualTo(new ClusterSpec.InCluster());
    }

    @Test
    void serverWithTokenAndCaFiles() {
        var r = one("""
                server:
                  url: https://prod-eu.k8s.example.com:6443
                  tokenFile: /var/run/secrets/stepwise/prod-eu/token
                  caFile: /var/run/secrets/stepwise/prod-eu/ca.crt
                """);
        assertThat(r.findings()).isEmpty();
        assertThat(r.cluster().orElseThrow().connection()).isEqualTo(new ClusterSpec.Server("https://prod-eu.k8s.example.com:6443",
                Optional.of("/var/run/secrets/stepwise/prod-eu/token"), Optional.of("/var/run/secrets/stepwise/prod-eu/ca.crt")));
    }

    @Test
    void twoWaysToConnectIsOneLocatedFinding() {
        Finding f = onlyFinding(one("inCluster: true\nkubeconfig: {context: staging}"));
        assertThat(f.code()).isEqualTo("cluster.connection");
        assertThat(f.pointer()).isEqualTo("/spec");
        assertThat(f.location().file()).isEqualTo("clusters/prod.yaml");
        assertThat(f.location().line()).isEqualTo(5);
        assertThat(f.message()).contains("exactly one of").contains("found 2");
    }

    @Test
    void noWayToConnect() {
        Finding f = onlyFinding(one("defaultNamespace: shop"));
        assertThat(f.code()).isEqualTo("cluster.connection");
        assertThat(f.message()).endsWith("(found 0)");
    }

    @Test
    void badFieldsAreLocatedAtTheField() {
        Finding url = onlyFinding(one("server: {url: 'ftp://host', tokenFile: /t}"));
        assertThat(url.code()).isEqualTo("cluster.server-url");
        assertThat(url.pointer()).isEqualTo("/spec/server/url");
        assertThat(url.location().line()).isEqualTo(5);
        assertThat(url.message()).contains("http(s) URL with a host");

        Finding missingUrl = onlyFinding(one("server: {tokenFile: /t}"));
        assertThat(missingUrl.pointer()).isEqualTo("/spec/server");
        assertThat(missingUrl.message()).isEqualTo("spec.server needs a url");

        Finding token = onlyFinding(one("server: {url: 'https://h:6443'}"));
        assertThat(token.code()).isEqualTo("cluster.token-file");
        assertThat(token.message()).contains("never the token itself");

        Finding context = onlyFinding(one("kubeconfig: {path: /k}"));
        assertThat(context.code()).isEqualTo("cluster.kubeconfig-context");

        Finding inCluster = onlyFinding(one("inCluster: 'yes'"));
        assertThat(inCluster.code()).isEqualTo("cluster.in-cluster");
        assertThat(inCluster.pointer()).isEqualTo("/spec/inCluster");

        var ns = one("inCluster: true\ndefaultNamespace: Shop_1");
        assertThat(ns.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("cluster.namespace");
            assertThat(f.location().line()).isEqualTo(6);
        });
    }

    @Test
    void aPasswordInTheUrlIsRefusedAndNeverRepeated() {
        Finding f = onlyFinding(one("server: {url: 'https://admin:hunter2@h:6443', tokenFile: /t}"));
        assertThat(f.code()).isEqualTo("cluster.server-url");
        assertThat(f.message()).doesNotContain("hunter2").doesNotContain("admin").contains("user name or password");
        assertThat(ClusterSpec.urlProblem("https://h:6443/?token=abc")).hasValueSatisfying(m -> assertThat(m).doesNotContain("abc"));
    }

    @Test
    void oneBadDocumentDoesNotHideTheOthers() {
        var r = ClusterSpec.ofAll(docs("""
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata: {name: staging}
                spec: {kubeconfig: {context: staging}}
                ---
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata: {name: broken}
                spec: {}
                ---
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata: {name: prod-eu}
                spec: {inCluster: true}
                ---
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata: {name: staging}
                spec: {inCluster: true}
                """));
        assertThat(r.clusters()).containsOnlyKeys("prod-eu");
        assertThat(r.findings()).extracting(Finding::code).containsExactly("cluster.connection", "cluster.duplicate");
        assertThat(r.findings().get(0).location().line()).isEqualTo(9);
        assertThat(r.findings().get(1).location().line()).isEqualTo(18);
        assertThat(r.findings().get(1).pointer()).isEqualTo("/metadata/name");
    }
}
