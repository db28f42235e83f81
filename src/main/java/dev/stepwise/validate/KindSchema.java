package dev.stepwise.validate;

import com.networknt.schema.Schema;
import com.networknt.schema.path.NodePath;
import dev.stepwise.spec.SpecKind;
import tools.jackson.databind.JsonNode;

/**
 * The schema of one kind, compiled for validation, together with its raw JSON: messages look things up in the raw
 * schema (the properties allowed where an unknown field was found, the hint for a pattern) that the validator's
 * errors only point at.
 */
record KindSchema(SpecKind kind, Schema compiled, JsonNode raw) {

    /** The raw schema node at a path inside this schema, or null if there is none. */
    JsonNode at(NodePath path, int length) {
        JsonNode node = raw;
        for (int i = 0; i < length && node != null; i++) {
            Object element = path.getElement(i);
            if (node.isArray()) {
                int index = element instanceof Integer n ? n : parseIndex(String.valueOf(element));
                node = index < 0 ? null : node.get(index);
            } else if (node.isObject()) {
                node = node.get(String.valueOf(element));
            } else {
                return null;
            }
        }
        return node;
    }

    private static int parseIndex(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
