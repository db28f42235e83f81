package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop's thread: a webhook's trigger polls at once (the poll interval here is an hour, and the virtual clock
 * never reaches it), stop waits for the cycle in flight, once returns after a whole cycle.
 */
class RunLoopIT {

    static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    Path tmp;
    ReconcileFixture f;
    RunLoop loop;
    final List<RepositoryReconciler.CycleReport> reports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        f = new ReconcileFixture(tmp);
        f.alice.write("rollouts/cart.yaml", ReconcileFixture.rollout("cart", "v1"))
                .write("analysis/success-rate.yaml", ReconcileFixture.TEMPLATE);
        f.alice.commit("cart v1");
        f.alice.push();
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(30));
        }
        if (f != null) {
            f.close();
        }
    }

    RunLoop loop(Consumer<RepositoryReconciler.CycleReport> onCycle) {
        loop = new RunLoop(f.reconciler(), f.clock, HOUR, onCycle);
        return loop;
    }

    boolean sawRevision(String commit) {
        return reports.stream().anyMatch(r -> r.revision().map(x -> x.commitId().equals(commit)).orElse(false));
    }

    @Test
    void onceReturnsAfterAWholeCycle() {
        String head = f.alice.head();
        RepositoryReconciler.CycleReport report = loop(reports::add).once();

        assertThat(report.revision()).get().extracting(r -> r.commitId()).isEqualTo(head);
        assertThat(reports).isNotEmpty().last().isSameAs(report);
        // committed and applied when once() returns
        assertThat(f.statusFile("cart")).contains("rollout: shop/cart").contains("source: main@sha1:" + head);
        assertThat(f.replicaSets().keySet()).singleElement().asString().startsWith("cart-");
        assertThat(loop.running()).as("once runs on the caller's thread").isFalse();
    }

    @Test
    void aTriggerPollsAtOnce() {
        String first = f.alice.head();
        loop(reports::add).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> sawRevision(first));

        String second = f.alice.write("README.md", "shop specs\n").commit("readme");
        f.alice.push();
        // without a trigger the branch is not fetched again before the poll interval (an hour), though cycles run
        int before = reports.size();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !sawRevision(second));
        assertThat(reports.size()).as("cycles ran meanwhile, without polling").isGreaterThan(before);

        loop.trigger();
        await().atMost(Duration.ofSeconds(20)).until(() -> sawRevision(second));
    }

    @Test
    void stopReturnsAfterTheCycleInFlight() throws Exception {
        CountDownLatch inCycle = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean block = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger cycles = new AtomicInteger();
        loop(report -> {
            cycles.incrementAndGet();
            if (block.compareAndSet(true, false)) {
                inCycle.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                finished.set(true);
            }
        }).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> cycles.get() > 0);
        assertThat(loop.running()).isTrue();

        block.set(true);
        loop.trigger();
        assertThat(inCycle.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> loop.stop(Duration.ofSeconds(30)));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !stopped.isDone());

        release.countDown();
        stopped.get(20, TimeUnit.SECONDS);
        assertThat(finished).as("the cycle in flight ran to its end, not interrupted").isTrue();
        assertThat(loop.running()).isFalse();
        int after = cycles.get();
        loop.trigger();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> cycles.get() == after);
    }

    @Test
    void aTriggerDuringACycleIsNotLost() throws Exception {
        CountDownLatch inCycle = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean block = new AtomicBoolean(true);
        loop(report -> {
            reports.add(report);
            if (block.compareAndSet(true, false)) {
                inCycle.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).start();
        assertThat(inCycle.await(30, TimeUnit.SECONDS)).isTrue();
        // the push and its webhook arrive while the first cycle is still running
        String second = f.alice.write("README.md", "shop specs\n").commit("readme");
        f.alice.push();
        loop.trigger();
        release.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> sawRevision(second));
    }

    @Test
    void aCycleStuckBeyondTheStopTimeoutIsInterrupted() throws Exception {
        CountDownLatch inCycle = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        loop(report -> {
            inCycle.countDown();
            try {
                never.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
            }
        }).start();
        assertThat(inCycle.await(30, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        loop.stop(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10))
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> !loop.running());
        assertThat(interrupted).isTrue();
    }

    @Test
    void aFailingCycleDoesNotEndTheLoop() {
        AtomicInteger calls = new AtomicInteger();
        loop(report -> {
            reports.add(report);
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in a listener");
            }
        }).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() >= 1);
        loop.trigger();
        await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() >= 2);
        assertThat(loop.running()).isTrue();
    }
}
