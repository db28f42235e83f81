package dev.stepwise.engine;

import dev.stepwise.spec.model.IntOrPercent;

/**
 * The replica arithmetic of a canary: how many pods each version runs for a weight, and how a basic canary moves
 * between two replica counts without breaking its surge and availability budget. Pure integer arithmetic; every rule
 * has a worked example below, and {@code CanaryReplicasTest} checks each example.
 *
 * <h2>With a traffic router</h2>
 * The router splits traffic; pods only need to carry it. The canary runs {@code ceil(R × weight / maxWeight)} pods
 * ({@link #forWeight}): 10 replicas at weight 25 → 3 canary pods (2.5 rounded up: rounding down would leave the canary
 * a quarter of the traffic on a fifth of the pods). The stable keeps all {@code R} pods, unless
 * {@code dynamicStableScale} is set: then it runs enough pods for the <em>larger</em> of the stable share it has now
 * and the one it is going to ({@link #dynamicStable}), so it shrinks only after traffic has left it and grows before
 * traffic comes back. 10 replicas going from weight 20 to 60: stable stays at 8 until the router applies 60, then
 * goes to 4; going back from 60 to 20, it grows to 8 first.
 *
 * <h2>Without a traffic router (basic canary)</h2>
 * Traffic follows pods, so the weight can only be approximated by a pod ratio ({@link #basicTarget}). Stepwise picks
 * the largest canary share that does <em>not exceed</em> the weight, using {@code R} pods in total or, when maxSurge
 * allows at least one extra pod, {@code R + 1} (whichever comes closer; ties keep {@code R}). A positive weight smaller
 * than one pod's share still gets one canary pod (with the extra pod when maxSurge allows, so the stable keeps all
 * {@code R}): a canary with no pods would prove nothing. Argo picks the closest ratio even when it is above the weight;
 * Stepwise stays at or under it, so a step never sends the canary more traffic than it says.
 * <ul>
 *   <li>10 replicas, weight 25, maxSurge 25%: 10 pods give 2 canary (20%), 11 pods give 2 (18%) → 2 canary + 8 stable.
 *   <li>10 replicas, weight 95, maxSurge 1: 10 pods give 9 (90%), 11 pods give 10 (90.9%) → 10 canary + 1 stable.
 *   <li>10 replicas, weight 5, maxSurge 25%: no whole pod fits in 5% → 1 canary + 10 stable (9%, the least possible).
 *   <li>1 replica, weight 50, maxSurge 0: the one pod cannot be split and no extra is allowed → 0 canary + 1 stable:
 *       the step passes without a canary pod, as in Argo (give the rollout maxSurge to test anything).
 * </ul>
 *
 * <h2>Moving between replica counts (basic canary)</h2>
 * {@link #rollingStep} moves from the counts last asked for towards the target as Kubernetes rolls a Deployment: pods
 * are added while the total stays within {@code R + maxSurge} (maxSurge rounds up), and available pods are removed
 * only while at least {@code R - maxUnavailable} stay available (maxUnavailable rounds down; when both resolve to 0,
 * maxUnavailable is 1, or nothing could ever move). Pods that are not available can always be removed.
 * <p>Worked example: 10 replicas, setWeight 25, maxSurge 25% (3 pods), maxUnavailable 0. Target 2 canary + 8 stable.
 * <ol>
 *   <li>From 0 + 10, all available: the total may reach 13, so the canary goes to 2 (total 12); nothing may be removed
 *       (10 available, 10 must stay) → 2 + 10.
 *   <li>Once the 2 canary pods are available (12 available, 10 must stay): 2 stable pods may go → 2 + 8. Done.
 * </ol>
 * Same with maxSurge 0 and maxUnavailable 0 (so maxUnavailable 1): 0 + 10 → 0 + 9 → 1 + 9 → (canary available) 1 + 8
 * → 2 + 8, never more than 10 pods and never fewer than 9 available.
 */
public final class CanaryReplicas {

    private CanaryReplicas() {
    }

    /** Canary and stable pod counts. */
    public record Counts(int canary, int stable) {
        public int total() {
            return canary + stable;
        }
    }

    /** maxSurge and maxUnavailable as pod counts for {@code replicas} pods, by Kubernetes' rounding rules. */
    public record Budget(int maxSurge, int maxUnavailable) {
        public static Budget of(int replicas, IntOrPercent maxSurge, IntOrPercent maxUnavailable) {
            int surge = maxSurge.resolve(replicas, true);
            int unavailable = maxUnavailable.resolve(replicas, false);
            if (surge == 0 && unavailable == 0) {
                unavailable = 1;
            }
            return new Budget(surge, Math.min(unavailable, replicas));
        }
    }

    /** Canary pods for a traffic-routed weight: {@code ceil(replicas × weight / maxWeight)}. */
    public static int forWeight(int replicas, int weight, int maxWeight) {
        if (weight <= 0 || replicas <= 0) {
            return 0;
        }
        if (weight >= maxWeight) {
            return replicas;
        }
        return (int) (((long) replicas * weight + maxWeight - 1) / maxWeight);
    }

    /**
     * Stable pods under dynamicStableScale: enough for the larger stable share of the weight applied now and the
     * weight being moved to.
     */
    public static int dynamicStable(int replicas, int targetWeight, int appliedWeight, int maxWeight) {
        int canaryWeight = Math.min(Math.max(0, targetWeight), Math.max(0, appliedWeight));
        return forWeight(replicas, maxWeight - Math.min(canaryWeight, maxWeight), maxWeight);
    }

    /** The steady-state counts of a basic canary at {@code weight} (see the class comment). */
    public static Counts basicTarget(int replicas, int weight, int maxWeight, int maxSurge) {
        if (replicas <= 0) {
            return new Counts(0, 0);
        }
        if (weight <= 0) {
            return new Counts(0, replicas);
        }
        if (weight >= maxWeight) {
            return new Counts(replicas, 0);
        }
        int atR = (int) ((long) replicas * weight / maxWeight);
        int best = atR;
        int total = replicas;
        if (maxSurge >= 1) {
            int atR1 = (int) ((long) (replicas + 1) * weight / maxWeight);
            // atR1 / (R+1) > atR / R, compared without division
            if ((long) atR1 * replicas > (long) atR * (replicas + 1)) {
                best = atR1;
                total = replicas + 1;
            }
        }
        if (best == 0) {
            if (maxSurge >= 1) {
                return new Counts(1, replicas);
            }
            return replicas > 1 ? new Counts(1, replicas - 1) : new Counts(0, replicas);
        }
        return new Counts(best, total - best);
    }

    /**
     * One move from {@code current} (the counts last asked for) towards {@code target}, given the pods available now
     * (see the class comment). Scale-ups come first, within the surge budget; then scale-downs (the canary's first),
     * within the availability budget.
     */
    public static Counts rollingStep(int replicas, Counts target, Counts current, Counts available, Budget budget) {
        int canary = current.canary();
        int stable = current.stable();
        int maxTotal = Math.max(replicas + budget.maxSurge(), target.total());
        int room = maxTotal - (canary + stable);
        if (canary < target.canary() && room > 0) {
            int up = Math.min(target.canary() - canary, room);
            canary += up;
            room -= up;
        }
        if (stable < target.stable() && room > 0) {
            stable += Math.min(target.stable() - stable, room);
        }
        int availableCanary = Math.min(available.canary(), canary);
        int availableStable = Math.min(available.stable(), stable);
        int removable = Math.max(0, availableCanary + availableStable - Math.max(0, replicas - budget.maxUnavailable()));
        if (canary > target.canary()) {
            int unready = canary - availableCanary;
            int down = Math.min(canary - target.canary(), unready + removable);
            removable -= Math.max(0, down - unready);
            canary -= down;
        }
        if (stable > target.stable()) {
            int unready = stable - availableStable;
            int down = Math.min(stable - target.stable(), unready + removable);
            stable -= down;
        }
        return new Counts(canary, stable);
    }

    /** The canary's share of {@code counts}, out of {@code maxWeight}, rounded down. */
    public static int share(Counts counts, int maxWeight) {
        if (counts.total() == 0) {
            return 0;
        }
        return (int) ((long) counts.canary() * maxWeight / counts.total());
    }
}
