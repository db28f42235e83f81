package dev.stepwise.source;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.YamlLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the YAML files of a spec folder on disk (a checkout in CI, or a folder a person points at) into
 * {@link SourceFile}s. Paths are reported as the user gave the folder plus the path inside it, so that
 * {@code stepwise validate examples-repo} names {@code examples-repo/rollouts/checkout.yaml}, a path that is clickable
 * in a terminal and valid in a GitHub annotation when run from the repository root.
 *
 * <p>Hidden folders ({@code .git}, {@code .github}) are skipped, symbolic links are not followed (a link could point
 * anywhere on the machine), and files over the size limit are reported without being read into memory.
 */
public final class FolderFiles {

    /** The files read and what could not be read. */
    public record Read(List<SourceFile> files, List<Finding> findings) {
    }

    private final YamlLimits limits;

    public FolderFiles(YamlLimits limits) {
        this.limits = limits;
    }

    public FolderFiles() {
        this(YamlLimits.DEFAULT);
    }

    /**
     * @param given the folder or single file as the user wrote it
     * @throws IllegalArgumentException when {@code given} does not exist
     */
    public Read read(Path given) {
        if (!Files.exists(given, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("no such file or folder: " + given);
        }
        List<SourceFile> files = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        if (Files.isRegularFile(given, LinkOption.NOFOLLOW_LINKS)) {
            readOne(given, display(given), files, findings);
            return new Read(files, findings);
        }
        try (Stream<Path> walk = Files.walk(given)) {
            walk.filter(p -> !p.equals(given))
                    .filter(p -> !isHidden(given.relativize(p)))
                    .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(FolderFiles::looksLikeYaml)
                    .sorted()
                    .forEach(p -> readOne(p, display(given, p), files, findings));
        } catch (IOException | UncheckedIOException e) {
            findings.add(Finding.error(Location.ofFile(display(given)), "", "io.read", "could not list the folder: " + e.getMessage()));
        }
        return new Read(files, findings);
    }

    private void readOne(Path file, String shown, List<SourceFile> files, List<Finding> findings) {
        try {
            long size = Files.size(file);
            if (size > limits.maxFileBytes()) {
                findings.add(SafeYamlReader.tooLarge(shown, size, limits));
                return;
            }
            files.add(new SourceFile(shown, Files.readAllBytes(file)));
        } catch (IOException e) {
            findings.add(Finding.error(Location.ofFile(shown), "", "io.read", "could not read the file: " + e.getMessage()));
        }
    }

    private static boolean looksLikeYaml(Path p) {
        String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String display(Path given) {
        String s = given.normalize().toString().replace('\\', '/');
        return s.isEmpty() ? "." : s;
    }

    private static String display(Path given, Path file) {
        String rel = given.relativize(file).toString().replace('\\', '/');
        String base = display(given);
        return base.equals(".") ? rel : base + "/" + rel;
    }
}
