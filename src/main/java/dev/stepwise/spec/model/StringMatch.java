package dev.stepwise.spec.model;

/** How a header, path or method is matched: {@code exact}, {@code prefix} or {@code regex}, as Argo writes it. */
public record StringMatch(Type type, String value) {

    public enum Type {
        EXACT("exact"), PREFIX("prefix"), REGEX("regex");

        private final String field;

        Type(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    @Override
    public String toString() {
        return type.field() + " '" + value + "'";
    }
}
