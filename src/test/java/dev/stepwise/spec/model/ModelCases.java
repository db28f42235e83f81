package dev.stepwise.spec.model;

import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the YAML fixtures under {@code src/test/resources/model-cases/} the way Stepwise loads a spec repository. */
public final class ModelCases {

    private ModelCases() {
    }

    public static SpecSet load(String... names) {
        List<SourceFile> files = new ArrayList<>();
        for (String name : names) {
            files.add(file(name));
        }
        return new SpecLoader().load(files);
    }

    public static SourceFile file(String name) {
        String path = "model-cases/" + name;
        try (InputStream in = ModelCases.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return new SourceFile(path, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A spec set from YAML text written in a test, reported as {@code path}. */
    public static SpecSet yaml(String path, String text) {
        return new SpecLoader().load(List.of(new SourceFile(path, text.getBytes(StandardCharsets.UTF_8))));
    }

    public static RepositoryModel model(String... names) {
        return RepositoryModel.of(load(names));
    }

    public static SpecDocument doc(SpecSet set, String name) {
        return set.documents().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no document named " + name));
    }

    public static RolloutSpec rollout(String file, String name) {
        SpecSet set = load(file);
        ModelResult<RolloutSpec> r = SpecModel.rollout(doc(set, name));
        return r.get();
    }
}
