package dev.stepwise.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** JSON reading shared by the providers: parse without throwing, and turn nodes into the plain values conditions see. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /** The parsed document, or empty when the bytes are not JSON. */
    public static Optional<JsonNode> parse(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    /**
     * A node as plain Java: objects as ordered maps, arrays as lists, numbers as {@code Double} (as Argo turns every
     * number into float64), strings, booleans and {@code null}.
     */
    public static Object toPlain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isString()) {
            return node.asString();
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>(node.size());
            for (JsonNode n : node.values()) {
                out.add(toPlain(n));
            }
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), toPlain(e.getValue()));
        }
        return out;
    }

    /** Prometheus and Go spell infinities {@code +Inf}/{@code -Inf}; Java wants {@code Infinity}. */
    public static double parseNumber(String s) {
        String t = s.trim();
        return switch (t) {
            case "+Inf", "Inf", "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "nan" -> Double.NaN;
            default -> Double.parseDouble(t);
        };
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }
}
