package dev.stepwise.git.promotion;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.policy.PolicySet;
import dev.stepwise.promotion.CanaryRevision;
import dev.stepwise.promotion.CommitAuthor;
import dev.stepwise.promotion.CommitSignature;
import dev.stepwise.promotion.GateDecisionCommit;
import dev.stepwise.promotion.GateFileParser;
import dev.stepwise.promotion.GateJudge;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Reads the gate decisions that arrived with a new tracked revision: the promotion files changed in the commits
 * between the last revision seen and the new one, each with the commit that last changed it (its id, author, time and
 * signature). A file changed twice in one poll counts once, as its last change says. A deleted file decides nothing.
 *
 * <p>A merge that only brings in a branch's commits changes nothing of its own, so a decision is credited to the
 * commit that wrote it (its author, its signature), not to whoever merged it.
 * Signatures are checked against the {@link TrustedKeys} at the new revision.
 */
public final class GateDecisionReader {

    /**
     * @param promotionsFolder where promotion files live ({@code promotions})
     * @param keysFolder       where trusted public keys live ({@code keys})
     * @param maxCommits       the most commits one read walks (a first read, with no revision seen before, walks back
     *                         this far at most)
     */
    public record Config(String promotionsFolder, String keysFolder, int maxCommits) {
        public static final Config DEFAULT = new Config(GateFileParser.DEFAULT_FOLDER, TrustedKeys.DEFAULT_FOLDER, 1000);

        public Config {
            Objects.requireNonNull(promotionsFolder, "promotionsFolder");
            Objects.requireNonNull(keysFolder, "keysFolder");
            if (maxCommits < 1) {
                throw new IllegalArgumentException("maxCommits must be at least 1");
            }
        }
    }

    /** The decisions read, oldest first, and what was wrong with promotion files and key files. */
    public record Read(List<GateDecisionCommit> decisions, List<Finding> findings) {
        public Read {
            decisions = List.copyOf(decisions);
            findings = List.copyOf(findings);
        }
    }

    private final Config config;
    private final GateFileParser parser;

    public GateDecisionReader(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        this.parser = new GateFileParser(config.promotionsFolder());
    }

    public GateDecisionReader() {
        this(Config.DEFAULT);
    }

    /**
     * The decisions in the commits reachable from {@code head} but not from {@code since}, oldest first.
     *
     * @param repo  a repository holding both commits (the source's mirror)
     * @param since the revision read before (its commit id); empty on the first read
     * @param head  the new revision's commit id
     * @throws IOException when the repository cannot be read (a broken mirror, not bad input)
     */
    public Read read(Repository repo, Optional<String> since, String head) throws IOException {
        List<Finding> findings = new ArrayList<>();
        record Touch(String path, RevCommit commit, ObjectId blob, int order) {
        }
        Map<String, Touch> lastTouch = new LinkedHashMap<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit tip = walk.parseCommit(ObjectId.fromString(head));
            ObjectReader reader = walk.getObjectReader();
            TrustedKeys keys = TrustedKeys.read(reader, tip.getTree(), config.keysFolder());
            findings.addAll(keys.findings());

            walk.markStart(tip);
            if (since.isPresent()) {
                try {
                    walk.markUninteresting(walk.parseCommit(ObjectId.fromString(since.get())));
                } catch (MissingObjectException | IllegalArgumentException gone) {
                    // history was rewritten past the last revision seen: read back as far as maxCommits allows
                }
            }
            // Every commit of the range, newest first. No history simplification: Git's would follow only the parent a
            // merge is identical to, and so miss decisions committed on the other side while a pull request was open.
            walk.sort(RevSort.TOPO);
            int order = 0;
            int walked = 0;
            for (RevCommit c : walk) {
                if (++walked > config.maxCommits()) {
                    break;
                }
                order++;
                for (Map.Entry<String, ObjectId> changed : changedPromotionFiles(walk, c).entrySet()) {
                    // newest first: the first commit seen for a path is the one that last changed it
                    lastTouch.putIfAbsent(changed.getKey(), new Touch(changed.getKey(), c, changed.getValue(), order));
                }
            }

            List<Touch> touches = new ArrayList<>(lastTouch.values());
            touches.sort(Comparator.comparingInt(Touch::order).reversed()); // oldest first
            List<GateDecisionCommit> decisions = new ArrayList<>();
            for (Touch t : touches) {
                if (t.blob() == null) {
                    continue; // the decision file was removed: nothing to decide
                }
                RevCommit c = t.commit();
                byte[] bytes = reader.open(t.blob(), Constants.OBJ_BLOB).getCachedBytes(Trees.MAX_FILE);
                GateFileParser.Parsed parsed = parser.parse(new SourceFile(t.path(), bytes));
                CommitAuthor author = new CommitAuthor(c.getAuthorIdent().getName(), c.getAuthorIdent().getEmailAddress());
                String where = " (commit " + c.abbreviate(12).name() + " by " + author.email() + ")";
                parsed.findings().forEach(f -> findings.add(new Finding(f.severity(), f.location(), f.pointer(), f.code(),
                        f.message() + where)));
                if (parsed.request().isEmpty()) {
                    continue;
                }
                CommitSignature signature = CommitSignatures.check(c, keys);
                decisions.add(new GateDecisionCommit(c.name(), t.path(), parsed.request().get(), author, signature,
                        c.getCommitterIdent().getWhenAsInstant(), Optional.empty()));
            }
            return new Read(decisions, findings);
        }
    }

    /**
     * Reads and judges in one go: the decisions to apply now (not applied before, by an allowed author, for the
     * revision rolling out), oldest first, with every finding from reading and judging.
     *
     * @param documents  the spec documents at {@code head} (the snapshot's)
     * @param policies   the policies at {@code head}
     * @param rollingOut what each rollout is rolling out now
     * @param applied    commit ids of decisions applied before (kept in status)
     */
    public GateJudge.Judged poll(Repository repo, Optional<String> since, String head, List<SpecDocument> documents,
                                 PolicySet policies, Function<RolloutKey, Optional<CanaryRevision>> rollingOut,
                                 Set<String> applied) throws IOException {
        Read read = read(repo, since, head);
        GateJudge.Judged judged = new GateJudge(policies, documents).judge(read.decisions(), rollingOut, applied);
        List<Finding> all = new ArrayList<>(read.findings());
        all.addAll(judged.findings());
        return new GateJudge.Judged(judged.accepted(), all);
    }

    /**
     * Promotion files a commit changed: path to new blob, or null when deleted. A merge counts as changing a file only
     * where it differs from every parent (a conflict resolved by hand); what it merely brings in from a branch is
     * credited to the commits on that branch.
     */
    private Map<String, ObjectId> changedPromotionFiles(RevWalk walk, RevCommit c) throws IOException {
        if (c.getParentCount() == 0) {
            return changedAgainst(walk, null, c);
        }
        Map<String, ObjectId> out = null;
        for (RevCommit parent : c.getParents()) {
            walk.parseHeaders(parent);
            Map<String, ObjectId> changed = changedAgainst(walk, parent, c);
            if (out == null) {
                out = changed;
            } else {
                out.keySet().retainAll(changed.keySet());
            }
        }
        return out;
    }

    private Map<String, ObjectId> changedAgainst(RevWalk walk, RevCommit parent, RevCommit c) throws IOException {
        Map<String, ObjectId> out = new LinkedHashMap<>();
        try (TreeWalk tw = new TreeWalk(walk.getObjectReader())) {
            if (parent != null) {
                tw.addTree(parent.getTree());
            } else {
                tw.addTree(new EmptyTreeIterator());
            }
            tw.addTree(c.getTree());
            tw.setRecursive(true);
            tw.setFilter(AndTreeFilter.create(PathFilter.create(config.promotionsFolder()), TreeFilter.ANY_DIFF));
            while (tw.next()) {
                String path = tw.getPathString();
                if (!parser.isPromotionFile(path)) {
                    continue;
                }
                FileMode mode = tw.getFileMode(1);
                boolean present = mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
                out.put(path, present ? tw.getObjectId(1) : null);
            }
        }
        return out;
    }
}
