package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small values status writing is made of: rollout keys as paths, commit messages, locations. */
class GitStatusModelTest {

    @Test
    void rolloutKeysAreKubernetesNamesAndSafePaths() {
        RolloutKey key = RolloutKey.parse("shop/checkout-api");
        assertThat(key.path("status")).isEqualTo("status/shop/checkout-api.yaml");
        assertThat(key.path("")).isEqualTo("shop/checkout-api.yaml");
        assertThatThrownBy(() -> new RolloutKey("..", "x")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> new RolloutKey("shop", "a/b")).hasMessageContaining("object name");
        assertThatThrownBy(() -> new RolloutKey("Shop", "a")).hasMessageContaining("namespace");
        assertThatThrownBy(() -> RolloutKey.parse("checkout")).hasMessageContaining("namespace/name");
    }

    @Test
    void theMessageIsASubjectLineThenTrailers() {
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Stepwise-Source", "main@sha1:0123456789abcdef0123456789abcdef01234567");
        trailers.put("Stepwise-Rollouts", "shop/checkout");
        StatusCommit c = new StatusCommit("status: checkout step 3/7 weight 25%\n(analysis ok)", trailers, f -> StatusChanges.none());

        assertThat(c.message()).isEqualTo("""
                status: checkout step 3/7 weight 25% (analysis ok)

                Stepwise-Source: main@sha1:0123456789abcdef0123456789abcdef01234567
                Stepwise-Rollouts: shop/checkout
                """);
        assertThatThrownBy(() -> new StatusCommit(" ", Map.of(), f -> StatusChanges.none())).hasMessageContaining("subject");
        assertThatThrownBy(() -> new StatusCommit("s", Map.of("Bad Key", "v"), f -> StatusChanges.none()))
                .hasMessageContaining("trailer key");
    }

    @Test
    void locationsNormaliseFoldersAndCheckBranchNames() {
        assertThat(StatusWriter.Location.statusBranch()).isEqualTo(new StatusWriter.Location("stepwise/status", "status"));
        assertThat(StatusWriter.Location.folderOn("main", "/.stepwise/status/").folder()).isEqualTo(".stepwise/status");
        assertThatThrownBy(() -> new StatusWriter.Location("bad..branch", "status")).hasMessageContaining("branch name");
        assertThatThrownBy(() -> new StatusWriter.Location("main", "../x")).hasMessageContaining("'..'");
    }

    @Test
    void changesRecordPutsAndDeletes() {
        RolloutKey a = new RolloutKey("shop", "a");
        RolloutKey b = new RolloutKey("shop", "b");
        StatusChanges c = StatusChanges.none().put(a, "x: 1\n").delete(b);
        assertThat(c.asMap()).containsEntry(a, java.util.Optional.of("x: 1\n")).containsEntry(b, java.util.Optional.empty());
        assertThat(StatusChanges.none().isEmpty()).isTrue();
    }
}
