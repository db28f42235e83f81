package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code plugin}: a step carried out by an Argo step plugin; its {@code config} belongs to the plugin. */
public record PluginStep(String name, Map<String, Object> config, boolean irreversible, String pointer) implements Step {

    public PluginStep {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    @Override
    public String kind() {
        return "plugin";
    }

    @Override
    public String describe() {
        return "plugin " + name;
    }
}
