package dev.stepwise.spec.model;

/**
 * Where an argument's value comes from when it is not written inline: in a Rollout, {@code podTemplateHashValue}
 * ({@code Stable}/{@code Latest}) or {@code fieldRef.fieldPath}; in a template, {@code secretKeyRef} ({@code name/key}).
 * The value itself is only known at run time.
 */
public record ValueFrom(Kind kind, String ref) {

    public enum Kind { POD_TEMPLATE_HASH, FIELD_REF, SECRET_KEY_REF, OTHER }

    @Override
    public String toString() {
        switch (kind) {
            case POD_TEMPLATE_HASH:
                return "podTemplateHashValue " + ref;
            case FIELD_REF:
                return "fieldRef " + ref;
            case SECRET_KEY_REF:
                return "secretKeyRef " + ref;
            default:
                return ref;
        }
    }
}
