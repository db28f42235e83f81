package dev.stepwise.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The demo's Git repository: a bare repository (what Stepwise tracks, as it would track a forge's) and a working clone
 * where the demo's people commit and push, as they would after merging a pull request.
 */
final class DemoRepository implements AutoCloseable {

    record Person(String name, String email) {
    }

    static final Person DANA = new Person("Dana Developer", "dana@example.com");
    static final Person RILEY = new Person("Riley Release", "release-manager@example.com");

    private final Path bare;
    private final Path work;
    private final Git git;

    private DemoRepository(Path bare, Path work, Git git) {
        this.bare = bare;
        this.work = work;
        this.git = git;
    }

    static DemoRepository create(Path dir) throws IOException, GitAPIException {
        Path bare = dir.resolve("repo.git");
        Path work = dir.resolve("work");
        Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
        Git git = Git.cloneRepository().setURI(bare.toUri().toString()).setDirectory(work.toFile()).call();
        git.checkout().setOrphan(true).setName("main").call();
        return new DemoRepository(bare, work, git);
    }

    Path bare() {
        return bare;
    }

    Path work() {
        return work;
    }

    /** Copies {@code from} (the examples) into the working tree. */
    void copyTree(Path from) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = work.resolve(from.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    String read(String path) throws IOException {
        return Files.readString(work.resolve(path), StandardCharsets.UTF_8);
    }

    void write(String path, String content) throws IOException {
        Path to = work.resolve(path);
        Files.createDirectories(to.getParent());
        Files.writeString(to, content, StandardCharsets.UTF_8);
    }

    /** Commits every change of the working tree as {@code who} at {@code at} and pushes main. */
    String commitAndPush(Person who, String message, Instant at) throws GitAPIException {
        git.add().addFilepattern(".").call();
        PersonIdent ident = new PersonIdent(who.name(), who.email(), at, ZoneOffset.UTC);
        RevCommit c = git.commit().setMessage(message).setAuthor(ident).setCommitter(ident).setSign(false).call();
        git.push().setRemote("origin").add("main").call();
        return c.getName();
    }

    /** {@code git log --oneline} of {@code branch} in the bare repository, newest first. */
    List<String> log(String branch, int max) throws IOException, GitAPIException {
        List<String> out = new ArrayList<>();
        try (Git g = Git.open(bare.toFile())) {
            var id = g.getRepository().resolve("refs/heads/" + branch);
            if (id == null) {
                return out;
            }
            for (RevCommit c : g.log().add(id).setMaxCount(max).call()) {
                out.add(c.getName().substring(0, 7) + " " + c.getShortMessage());
            }
        }
        return out;
    }

    /** Branches of the bare repository whose names start with {@code prefix}. */
    List<String> branches(String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        try (Git g = Git.open(bare.toFile())) {
            for (var ref : g.getRepository().getRefDatabase().getRefsByPrefix("refs/heads/" + prefix)) {
                out.add(ref.getName().substring("refs/heads/".length()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        git.close();
    }
}
