package dev.stepwise.plan;

import dev.stepwise.spec.model.Origin;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code stepwise plan} shows for one rollout: what it is, what it runs, the ordered steps with the canary
 * weight after each, the analyses and where they run, and the least total time the rollout can take.
 *
 * @param settings       labelled facts about the rollout (traffic, services, waves, promotion target), in display order
 * @param maxWeight      what canary weights are out of (Argo's maxTrafficWeight, 100 unless set)
 * @param leastTotalTime the sum of what each step must take (timed pauses, each analysis run's least duration,
 *                       experiments); waits for people and analyses that run until stopped add nothing, and are listed
 *                       in {@code manualGates} and {@code notes} instead
 * @param manualGates    step numbers at which the rollout waits for a person
 */
public record RolloutPlan(String namespace, String name, Origin origin, String file, String strategy, String mode,
                          Map<String, String> images, String podTemplateHash, Map<String, String> settings,
                          List<PlanStep> steps, int maxWeight, List<BackgroundPlan> background, Duration leastTotalTime,
                          Duration pauseTime, Duration analysisTime, List<Integer> manualGates, List<String> notes) {

    public RolloutPlan {
        images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        steps = List.copyOf(steps);
        background = List.copyOf(background);
        manualGates = List.copyOf(manualGates);
        notes = List.copyOf(notes);
    }

    public String qualifiedName() {
        return namespace + "/" + name;
    }
}
