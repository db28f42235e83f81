package dev.stepwise.validate;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.PathType;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks spec documents against the JSON Schemas Stepwise ships under {@code schema/} (one per {@link SpecKind}), and
 * turns what the schema validator reports into {@link Finding}s a person can act on: located at the offending line,
 * naming the field and the value found, with a "did you mean" for misspelt field names.
 *
 * <p>The schemas are read and compiled once; a {@code SchemaValidator} holds no per-call state and may be shared by
 * threads. It only reads classpath resources, so it stays in the pure part of Stepwise.
 */
public final class SchemaValidator {

    /**
     * Keywords our schemas carry for editors (the redhat YAML and VS Code JSON language services read
     * {@code errorMessage}, {@code patternErrorMessage} and {@code markdownDescription}) and for our own messages
     * ({@code x-stepwise-code}). Declared so that the validator treats them as annotations instead of warning about
     * unknown keywords at every start.
     */
    private static final List<String> ANNOTATIONS = List.of(
            "errorMessage", "patternErrorMessage", "markdownDescription", "x-stepwise-code");

    private static final class Bundled {
        static final SchemaValidator INSTANCE = load();
    }

    private final Map<SpecKind, KindSchema> schemas;

    private SchemaValidator(Map<SpecKind, KindSchema> schemas) {
        this.schemas = schemas;
    }

    /**
     * The validator for the schemas bundled with Stepwise ({@code schema/<kind>.schema.json} on the classpath),
     * loaded and compiled on first use and shared afterwards. A kind whose schema is not on the classpath is left out
     * (its documents get a warning instead of a check).
     *
     * @throws IllegalStateException if a bundled schema is unreadable: a packaging defect, not a user error
     */
    public static SchemaValidator bundled() {
        return Bundled.INSTANCE;
    }

    /** The kinds this validator has a schema for. */
    public Set<SpecKind> kinds() {
        return Collections.unmodifiableSet(schemas.keySet());
    }

    /**
     * What is wrong with {@code doc} according to the schema of its kind, in file order; empty if nothing is, or if
     * the document is of a kind Stepwise does not read.
     */
    public List<Finding> validate(SpecDocument doc) {
        if (doc.kind().isEmpty()) {
            return List.of();
        }
        SpecKind kind = doc.kind().get();
        KindSchema schema = schemas.get(kind);
        if (schema == null) {
            return List.of(doc.finding(Severity.WARNING, "", "schema.unavailable",
                    "no JSON Schema for " + kind.kind() + " is bundled with this build of Stepwise; "
                            + doc.describe() + " was not checked against one"));
        }
        JsonNode instance = JsonTree.of(doc.content());
        List<com.networknt.schema.Error> errors = schema.compiled().validate(instance);
        if (errors.isEmpty()) {
            return List.of();
        }
        return new ErrorTranslator(doc, schema).translate(errors);
    }

    private static SchemaValidator load() {
        Dialect.Builder dialect = Dialect.builder(Dialects.getDraft202012());
        ANNOTATIONS.forEach(name -> dialect.keyword(new AnnotationKeyword(name)));
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                // 2020-12 treats "format" as a mere annotation by default; a malformed restartAt is a real mistake.
                .formatAssertionsEnabled(true)
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect.build(),
                builder -> builder.schemaRegistryConfig(config));
        JsonMapper mapper = JsonMapper.builder().build();
        Map<SpecKind, KindSchema> loaded = new EnumMap<>(SpecKind.class);
        for (SpecKind kind : SpecKind.values()) {
            String resource = "/schema/" + kind.schemaFile();
            try (InputStream in = SchemaValidator.class.getResourceAsStream(resource)) {
                if (in == null) {
                    continue;
                }
                JsonNode raw = mapper.readTree(in);
                Schema compiled = registry.getSchema(raw);
                // Build every keyword validator now, on one thread, rather than lazily during concurrent validations.
                compiled.initializeValidators();
                loaded.put(kind, new KindSchema(kind, compiled, raw));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled schema " + resource, e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("bundled schema " + resource + " is not a valid JSON Schema: " + e.getMessage(), e);
            }
        }
        return new SchemaValidator(loaded);
    }
}
