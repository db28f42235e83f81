package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.RolloutKey;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the reconciler must not do: overwrite a status file it cannot read, keep the status of a rollout removed from
 * Git, write or change anything without the lease, or change a cluster (other than an abort) when its status did not
 * reach Git.
 */
class RepositoryReconcilerIT {

    @TempDir
    Path tmp;
    ReconcileFixture f;
    RepositoryReconciler reconciler;

    @BeforeEach
    void start() {
        f = new ReconcileFixture(tmp);
        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v1"))
                .write("rollouts/web.yaml", ReconcileFixture.rollout("web", "v1"))
                .write("analysis/success-rate.yaml", ReconcileFixture.TEMPLATE);
        f.alice.commit("cart and web v1");
        f.alice.push();
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    String driveUntil(String rollout, Predicate<String> done, int maxCycles) {
        String status = "";
        for (int i = 0; i < maxCycles; i++) {
            RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);
            assertThat(report.problems()).as("cycle problems").isEmpty();
            status = f.statusFile(rollout);
            if (done.test(status)) {
                return status;
            }
        }
        throw new AssertionError("not reached after " + maxCycles + " cycles; status of " + rollout + ":\n" + status);
    }

    Map<String, Integer> cartReplicas() {
        Map<String, Integer> out = new java.util.TreeMap<>(f.replicaSets());
        out.keySet().removeIf(name -> !name.startsWith("cart-"));
        return out;
    }

    @Test
    void aStatusFileThatCannotBeReadHoldsItsRolloutAndIsNeverOverwritten() {
        // someone broke cart's status file by hand before Stepwise started
        String broken = "rollout: shop/cart\nphase: [Healthy\n";
        f.alice.git().run(f.alice.workDir(), "checkout", "--quiet", "--orphan", "stepwise/status");
        f.alice.git().run(f.alice.workDir(), "rm", "-r", "--quiet", "--cached", ".");
        f.alice.write("status/shop/cart.yaml", broken);
        f.alice.git().run(f.alice.workDir(), "add", "status/shop/cart.yaml");
        f.alice.git().run(f.alice.workDir(), "commit", "--quiet", "-m", "broken status");
        f.alice.git().run(f.alice.workDir(), "push", "--quiet", "origin", "stepwise/status");
        assertThat(f.statusFile("cart")).isEqualTo(broken);

        reconciler = f.reconciler();
        String web = driveUntil("web", s -> s.contains("phase: Healthy"), 20);
        assertThat(web).contains("source: main@sha1:");
        for (int i = 0; i < 3; i++) {
            f.cycle(reconciler, true);
        }
        assertThat(f.statusFile("cart")).as("byte-identical").isEqualTo(broken);
        assertThat(f.replicaSets().keySet()).as("cart is not acted on").allMatch(name -> name.startsWith("web-"))
                .isNotEmpty();
        RolloutView cart = reconciler.views().stream().filter(v -> v.key().equals(new RolloutKey("shop", "cart")))
                .findFirst().orElseThrow();
        assertThat(cart.heldBecause()).startsWith("its status file status/shop/cart.yaml on stepwise/status cannot be read"
                + " (the status file is not YAML: ").endsWith("); fix or delete it");
        RolloutView webView = reconciler.views().stream().filter(v -> v.key().name().equals("web")).findFirst().orElseThrow();
        assertThat(webView.heldBecause()).isEmpty();
    }

    @Test
    void aHeldRolloutIsActedOnOnceItsBrokenStatusFileIsDeleted() {
        f.alice.git().run(f.alice.workDir(), "checkout", "--quiet", "--orphan", "stepwise/status");
        f.alice.git().run(f.alice.workDir(), "rm", "-r", "--quiet", "--cached", ".");
        f.alice.write("status/shop/cart.yaml", "phase: [Healthy\n");
        f.alice.git().run(f.alice.workDir(), "add", "status/shop/cart.yaml");
        f.alice.git().run(f.alice.workDir(), "commit", "--quiet", "-m", "broken status");
        f.alice.git().run(f.alice.workDir(), "push", "--quiet", "origin", "stepwise/status");
        reconciler = f.reconciler();
        driveUntil("web", s -> s.contains("phase: Healthy"), 20);
        assertThat(cartReplicas()).isEmpty();

        // the person deletes the broken file, as the message says
        f.alice.git().run(f.alice.workDir(), "fetch", "--quiet", "origin", "stepwise/status");
        f.alice.git().run(f.alice.workDir(), "checkout", "--quiet", "-B", "status-edit", "FETCH_HEAD");
        f.alice.git().run(f.alice.workDir(), "rm", "--quiet", "status/shop/cart.yaml");
        f.alice.git().run(f.alice.workDir(), "commit", "--quiet", "-m", "remove the broken status");
        f.alice.git().run(f.alice.workDir(), "push", "--quiet", "origin", "status-edit:stepwise/status");

        String cart = driveUntil("cart", s -> s.contains("phase: Healthy"), 20);
        assertThat(cart).contains("rollout: shop/cart");
        assertThat(cartReplicas().values()).containsExactly(5);
    }

    @Test
    void aRolloutRemovedFromGitHasItsStatusFileDeleted() {
        reconciler = f.reconciler();
        driveUntil("web", s -> s.contains("phase: Healthy"), 20);
        assertThat(f.statusFile("cart")).contains("phase: Healthy");
        String before = f.statusHead();

        f.alice.delete("rollouts/web.yaml").commit("web is gone");
        f.alice.push();
        RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);

        assertThat(report.problems()).isEmpty();
        assertThat(report.statusCommit()).isPresent();
        assertThat(f.statusHead()).isNotEqualTo(before).isEqualTo(report.statusCommit().get());
        assertThat(f.statusFile("web")).as("deleted in the next commit").isEmpty();
        assertThat(f.statusFile("cart")).contains("phase: Healthy");
        assertThat(f.git.repos().log(ReconcileFixture.REPO, "stepwise/status").get(0)).contains("status: web removed");
        assertThat(f.replicaSets().keySet()).as("its cluster objects are left for people to remove")
                .anyMatch(name -> name.startsWith("web-"));
        assertThat(reconciler.views()).extracting(v -> v.key().name()).containsExactly("cart");
    }

    @Test
    void aStatusLeftForARolloutNoLongerInGitIsDeletedOnStart() {
        // a status file from before a restart, of a rollout removed from Git meanwhile
        f.alice.git().run(f.alice.workDir(), "checkout", "--quiet", "--orphan", "stepwise/status");
        f.alice.git().run(f.alice.workDir(), "rm", "-r", "--quiet", "--cached", ".");
        f.alice.write("status/shop/old.yaml", "rollout: shop/old\nphase: Healthy\nclusters: {}\n");
        f.alice.git().run(f.alice.workDir(), "add", "status/shop/old.yaml");
        f.alice.git().run(f.alice.workDir(), "commit", "--quiet", "-m", "old status");
        f.alice.git().run(f.alice.workDir(), "push", "--quiet", "origin", "stepwise/status");

        reconciler = f.reconciler();
        RepositoryReconciler.CycleReport first = f.cycle(reconciler, true);
        assertThat(first.problems()).isEmpty();
        assertThat(first.statusCommit()).isPresent();
        assertThat(f.statusFile("old")).isEmpty();
        assertThat(f.statusFile("cart")).contains("rollout: shop/cart");
        assertThat(f.git.repos().log(ReconcileFixture.REPO, "stepwise/status").get(0))
                .as("cart, web and the removal of old").contains("status: 3 rollouts: ");
    }

    @Test
    void aRolloutFileThatIsNotYamlHoldsEveryRolloutAndDeletesNothing() {
        reconciler = f.reconciler();
        driveUntil("cart", s -> s.contains("phase: Healthy"), 20);
        driveUntil("web", s -> s.contains("phase: Healthy"), 5);
        String web = f.statusFile("web");
        Map<String, Integer> replicaSets = f.replicaSets();

        // a typo: the file no longer parses, so nothing says which rollout it held; web must not count as removed
        f.alice.write("rollouts/web.yaml", ReconcileFixture.rollout("web", "v2").replace("  replicas: 5\n", "  replicas: [5\n"))
                .commit("web v2, broken");
        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v2")).commit("cart v2");
        f.alice.push();
        for (int i = 0; i < 3; i++) {
            f.cycle(reconciler, true);
        }
        assertThat(f.replicaSets()).as("cart v2 is held too: the broken file could have been a Policy").isEqualTo(replicaSets);
        assertThat(f.statusFile("cart")).contains("pending: main@sha1:").contains("file: rollouts/web.yaml");
        assertThat(f.statusFile("web")).as("web's status is kept").startsWith(web.substring(0, web.indexOf("\nsource:")));
    }

    @Test
    void withoutTheLeaseNothingIsWrittenOrApplied() {
        reconciler = f.reconciler();
        driveUntil("cart", s -> s.contains("phase: Healthy"), 20);
        driveUntil("web", s -> s.contains("phase: Healthy"), 5);
        String head = f.statusHead();
        Map<String, Integer> replicaSets = f.replicaSets();

        f.leader.set(false);
        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v2")).commit("cart v2");
        f.alice.push();
        for (int i = 0; i < 5; i++) {
            RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);
            assertThat(report.decided()).isZero();
            assertThat(report.statusCommit()).isEmpty();
            assertThat(report.revision()).get().extracting(r -> r.commitId()).isEqualTo(f.alice.head());
        }
        assertThat(f.statusHead()).isEqualTo(head);
        assertThat(f.replicaSets()).isEqualTo(replicaSets);

        // leading again: it reads status back and moves on
        f.leader.set(true);
        String s = driveUntil("cart", t -> t.contains("weight: 20"), 20);
        assertThat(s).contains("phase: Progressing");
        assertThat(f.statusHead()).isNotEqualTo(head);
        assertThat(f.replicaSets()).hasSizeGreaterThan(replicaSets.size());
    }

    /** Leading for the first {@code calls} questions, then not. */
    static java.util.function.BooleanSupplier leadingFor(int calls) {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        return () -> asked.incrementAndGet() <= calls;
    }

    @Test
    void aLeaseLostDuringACycleWritesAndAppliesNothing() {
        reconciler = f.reconciler();
        driveUntil("cart", s -> s.contains("phase: Healthy"), 20);
        driveUntil("web", s -> s.contains("phase: Healthy"), 5);
        String head = f.statusHead();
        Map<String, Integer> replicaSets = f.replicaSets();

        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v2")).commit("cart v2");
        f.alice.push();
        f.mayWrite = leadingFor(1); // leading when the cycle starts, lost by the time it would write
        RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);

        assertThat(report.decided()).isPositive();
        assertThat(report.statusCommit()).isEmpty();
        assertThat(report.problems()).containsExactly("lost the lease before writing status: nothing written or applied");
        assertThat(f.statusHead()).isEqualTo(head);
        assertThat(f.replicaSets()).isEqualTo(replicaSets);
    }

    @Test
    void afterLosingTheLeaseMidCycleStatusIsReadAgain() {
        reconciler = f.reconciler();
        driveUntil("cart", s -> s.contains("phase: Healthy"), 20);
        driveUntil("web", s -> s.contains("phase: Healthy"), 5);
        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v2")).commit("cart v2");
        f.alice.push();
        f.mayWrite = leadingFor(1);
        assertThat(f.cycle(reconciler, true).problems())
                .containsExactly("lost the lease before writing status: nothing written or applied");

        // meanwhile another replica led and recorded a gate decision in cart's status
        String theirs = f.statusFile("cart").replace("\nupdated: ",
                "\ngates:\n- commit: from-the-other-leader\n  action: promote\nupdated: ");
        f.alice.git().run(f.alice.workDir(), "fetch", "--quiet", "origin", "stepwise/status");
        f.alice.git().run(f.alice.workDir(), "checkout", "--quiet", "-B", "status-edit", "FETCH_HEAD");
        f.alice.write("status/shop/cart.yaml", theirs);
        f.alice.git().run(f.alice.workDir(), "commit", "--quiet", "-am", "the other leader's status");
        f.alice.git().run(f.alice.workDir(), "push", "--quiet", "origin", "status-edit:stepwise/status");

        f.mayWrite = () -> true;
        RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);
        assertThat(report.statusCommit()).isPresent();
        assertThat(f.statusFile("cart")).as("continued from what the other leader wrote").contains("from-the-other-leader");
    }

    @Test
    void aStatusThatCannotBePushedChangesNoClusterExceptForAnAbort() {
        reconciler = f.reconciler();
        driveUntil("cart", s -> s.contains("phase: Healthy"), 20);
        driveUntil("web", s -> s.contains("phase: Healthy"), 5);
        String head = f.statusHead();
        String cartBefore = f.statusFile("cart");
        Map<String, Integer> replicaSets = f.replicaSets();

        // a new version while Git refuses status pushes: decided, not committed, not applied
        f.refuseStatusPushes(true);
        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v2")).commit("cart v2");
        f.alice.push();
        for (int i = 0; i < 3; i++) {
            RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);
            assertThat(report.decided()).isPositive();
            assertThat(report.statusCommit()).isEmpty();
            assertThat(report.problems()).anySatisfy(p -> assertThat(p).startsWith("status not written: "));
        }
        assertThat(f.statusHead()).isEqualTo(head);
        assertThat(f.statusFile("cart")).isEqualTo(cartBefore);
        assertThat(f.replicaSets()).as("no canary was created").isEqualTo(replicaSets);

        // Git takes pushes again: the canary goes to 20% and into its analysis
        f.refuseStatusPushes(false);
        String s = driveUntil("cart", t -> t.contains("metric: success-rate"), 30);
        assertThat(s).contains("weight: 20");
        assertThat(cartReplicas().values()).containsExactlyInAnyOrder(4, 1);
        String analysing = f.statusFile("cart");
        String headAnalysing = f.statusHead();

        // the analysis fails while Git refuses pushes: traffic goes back to stable anyway, the status waits for Git
        f.successRate.set(0.5);
        f.refuseStatusPushes(true);
        f.clock.advance(java.time.Duration.ofSeconds(61)); // the analysis measures every minute
        boolean aborted = false;
        for (int i = 0; i < 30 && !aborted; i++) {
            RepositoryReconciler.CycleReport report = f.cycle(reconciler, true);
            assertThat(report.statusCommit()).isEmpty();
            aborted = !cartReplicas().containsValue(4);
        }
        assertThat(f.statusHead()).isEqualTo(headAnalysing);
        assertThat(f.statusFile("cart")).isEqualTo(analysing);
        assertThat(aborted).as("the abort was applied while Git refused the status").isTrue();
        assertThat(cartReplicas().values()).as("stable back at full size").contains(5).doesNotContain(4);

        // once Git is back, the abort is written
        f.refuseStatusPushes(false);
        String degraded = driveUntil("cart", t -> t.contains("phase: Degraded"), 5);
        assertThat(degraded).contains("abortReason:");
    }
}
