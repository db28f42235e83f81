package dev.stepwise.cli;

import dev.stepwise.engine.Reasons;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.analysis.AnalysisResolver;
import dev.stepwise.simulate.SimEvent;
import dev.stepwise.simulate.SimulationResult;
import dev.stepwise.simulate.Simulator;
import dev.stepwise.simulate.Timeline;
import dev.stepwise.simulate.TimelineReader;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.TemplateRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code stepwise simulate}: runs a rollout through the engine in virtual time against a timeline of metric values,
 * gate decisions and pod readiness, and prints what would happen. Exit 0 when the simulation ran (whatever its
 * outcome), 1 when the input is invalid (with located findings), 2 when a file cannot be read.
 */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        description = {"Run a rollout through the engine in virtual time: metrics from a timeline, gate decisions at their "
                + "times, pods ready after a delay. Prints the timeline of steps, weights, analysis verdicts and phases.",
                "Exit codes: 0 the simulation ran (whatever its outcome), 1 invalid input, 2 a file could not be read."})
public final class SimulateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Output formats of this command. */
    public enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--rollout", required = true, paramLabel = "FILE",
            description = "The Rollout or Canary to simulate (the first one in the file, unless --name says which).")
    Path rollout;

    @Option(names = "--analysis", paramLabel = "FILE",
            description = "A file of AnalysisTemplates, ClusterAnalysisTemplates or MetricTemplates the rollout uses (repeatable).")
    List<Path> analyses = new ArrayList<>();

    @Option(names = "--metrics", required = true, paramLabel = "TIMELINE.yaml",
            description = "The timeline: metric values over time, gate decisions, readiness delay.")
    Path metrics;

    @Option(names = "--name", paramLabel = "NAME", description = "Which rollout of the file to simulate, by metadata.name.")
    String name;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
            description = "text (a readable timeline, the default) or json (one object).")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        List<SourceFile> files = new ArrayList<>();
        SourceFile timelineFile;
        try {
            files.add(read(rollout));
            for (Path p : analyses) {
                files.add(read(p));
            }
            timelineFile = read(metrics);
        } catch (IOException e) {
            err.println("stepwise simulate: cannot read " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE_OR_IO;
        }

        List<Finding> findings = new ArrayList<>();
        SpecSet set = new SpecLoader().load(files);
        findings.addAll(set.findings().stream().filter(f -> f.severity() != Severity.INFO).toList());
        RepositoryModel model = RepositoryModel.of(set);
        findings.addAll(model.findings().stream().filter(f -> f.severity() != Severity.INFO).toList());

        String rolloutPath = files.get(0).path();
        List<RolloutSpec> candidates = model.rollouts().stream()
                .filter(r -> r.file().equals(rolloutPath) && (name == null || r.name().equals(name))).toList();
        RolloutSpec spec = null;
        if (candidates.isEmpty()) {
            findings.add(Finding.error(Location.ofFile(rolloutPath), "", "simulate.no-rollout", name == null
                    ? "this file has no Rollout or Canary Stepwise can read"
                    : "this file has no Rollout or Canary named '" + name + "'"));
        } else {
            spec = candidates.get(0);
            if (candidates.size() > 1 && name == null) {
                findings.add(Finding.warning(Location.ofFile(rolloutPath), "", "simulate.many-rollouts", "the file has "
                        + candidates.size() + " rollouts; simulating the first, " + spec.name() + " (choose with --name)"));
            }
        }
        Map<String, AnalysisTemplateSpec> templates = Map.of();
        if (spec != null) {
            templates = RolloutEngine.templatesFor(model, spec);
            missingTemplates(spec, set, templates, findings);
        }

        SafeYamlReader.Result parsed = new SafeYamlReader().read(timelineFile);
        findings.addAll(parsed.findings());
        Timeline timeline = null;
        List<SafeYamlReader.ParsedDocument> docs = parsed.documents().stream().filter(d -> d.root() != null).toList();
        if (docs.size() != 1) {
            if (parsed.findings().isEmpty()) {
                findings.add(Finding.error(Location.ofFile(timelineFile.path()), "", "simulate.timeline",
                        "a timeline file holds exactly one YAML document; this one has " + docs.size()));
            }
        } else {
            TimelineReader.Result t = TimelineReader.read(docs.get(0).root(), docs.get(0).sourceMap());
            findings.addAll(t.findings());
            timeline = t.timeline().orElse(null);
        }
        if (timeline != null && spec != null) {
            unmeasuredMetrics(spec, templates, timeline, timelineFile.path(), findings);
        }

        boolean invalid = findings.stream().anyMatch(Finding::isError);
        findings.stream().sorted(Finding.BY_PLACE).forEach(f -> err.println(f.toLine()));
        err.flush();
        if (invalid || spec == null || timeline == null) {
            err.println("stepwise simulate: invalid input, nothing simulated");
            err.flush();
            return ExitCodes.FINDINGS;
        }

        SimulationResult result = new Simulator().run(spec, templates, timeline);
        if (format == Format.json) {
            json(result, out);
        } else {
            text(spec, timeline, timelineFile.path(), result, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static SourceFile read(Path p) throws IOException {
        try {
            return new SourceFile(p.toString().replace('\\', '/'), Files.readAllBytes(p));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(p + ": no such file", e);
        } catch (IOException e) {
            throw new IOException(p + ": " + (e.getMessage() == null || e.getMessage().equals(p.toString())
                    ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /** Every template the rollout names must be in one of the --analysis files. */
    private static void missingTemplates(RolloutSpec spec, SpecSet set, Map<String, AnalysisTemplateSpec> templates,
                                         List<Finding> findings) {
        SpecDocument doc = set.documents().stream()
                .filter(d -> d.file().equals(spec.file()) && d.index() == spec.documentIndex()).findFirst().orElse(null);
        Set<String> reported = new LinkedHashSet<>();
        for (TemplateRef ref : RolloutEngine.templateRefs(spec)) {
            if (ref.inline() || templates.containsKey(AnalysisResolver.key(ref)) || !reported.add(AnalysisResolver.key(ref))) {
                continue;
            }
            String what = (ref.clusterScope() ? "ClusterAnalysisTemplate '" : "AnalysisTemplate '") + ref.templateName() + "'";
            String message = what + " is not in any --analysis file" + (ref.clusterScope() ? "" : " (namespace " + spec.namespace() + ")");
            findings.add(doc != null ? doc.finding(Severity.ERROR, ref.pointer(), "simulate.missing-template", message)
                    : Finding.error(Location.ofFile(spec.file()), ref.pointer(), "simulate.missing-template", message));
        }
    }

    /** Metrics the rollout measures but the timeline has no values for: their measurements will error. */
    private static void unmeasuredMetrics(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, Timeline timeline,
                                          String path, List<Finding> findings) {
        Set<String> used = new LinkedHashSet<>();
        for (AnalysisTemplateSpec t : templates.values()) {
            t.metrics().stream().map(MetricSpec::name).forEach(used::add);
        }
        for (AnalysisTemplateSpec t : spec.inlineTemplates().values()) {
            t.metrics().stream().map(MetricSpec::name).forEach(used::add);
        }
        for (String m : used) {
            if (!timeline.metrics().containsKey(m)) {
                findings.add(Finding.warning(Location.ofFile(path), "/metrics", "simulate.no-values",
                        "the timeline has no values for metric '" + m + "': each of its measurements will be an error"));
            }
        }
        for (String m : timeline.metrics().keySet()) {
            if (!used.contains(m)) {
                findings.add(Finding.warning(Location.ofFile(path), "/metrics/" + m, "simulate.unused-metric",
                        "no analysis of " + spec.name() + " measures '" + m + "'"));
            }
        }
    }

    private static void text(RolloutSpec spec, Timeline timeline, String timelinePath, SimulationResult r, PrintWriter out) {
        String shape = spec.canary().map(c -> "canary, " + c.steps().size() + " steps, "
                + (c.trafficRouting().isReplicaRatio() ? "no traffic router" : c.trafficRouting().routers().get(0).type()))
                .orElse("blue-green");
        out.printf("Simulating %s (%s, %s, %d replicas): %s -> %s%n", r.rollout(), spec.origin().label(), shape,
                spec.replicas(), r.fromVersion(), r.toVersion());
        out.printf("Timeline %s: readiness delay %s, %d gate decision%s%n%n", timelinePath,
                ArgoDuration.format(timeline.readinessDelay()), timeline.gates().size(), timeline.gates().size() == 1 ? "" : "s");
        out.printf("%8s  %4s  %6s  %-11s  %s%n", "time", "step", "weight", "phase", "event");
        for (SimEvent e : r.events()) {
            out.printf("%8s  %4d  %6d  %-11s  %s%n", ArgoDuration.format(e.at()), e.step(), e.weight(), e.phase(),
                    (e.type().equals(Reasons.MEASUREMENT) ? "  " : "") + e.type() + ": " + e.detail());
        }
        out.println();
        out.printf("Result: %s%s after %s: %d of %d %s completed; %s (%d decisions)%n", r.phase().label(),
                r.aborted() ? " (aborted)" : "", ArgoDuration.format(r.elapsed()), r.completedSteps(), r.totalSteps(),
                spec.blueGreen().isPresent() ? "blue-green stages" : "steps", r.stopReason(), r.decisions());
    }

    private static void json(SimulationResult r, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("phase", r.phase().label());
        root.put("aborted", r.aborted());
        root.put("completedSteps", r.completedSteps());
        ArrayNode events = root.putArray("events");
        for (SimEvent e : r.events()) {
            ObjectNode n = events.addObject();
            n.put("at", iso(e.at()));
            n.put("type", e.type());
            n.put("step", e.step());
            n.put("weight", e.weight());
            n.put("phase", e.phase());
            n.put("detail", e.detail());
        }
        out.println(JSON.writeValueAsString(root));
    }

    private static String iso(Duration d) {
        return d.toString();
    }
}
