package dev.stepwise.cli;

import dev.stepwise.analysis.AnalysisRunner;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.Pacer;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.ValueText;
import dev.stepwise.engine.analysis.MetricCondition;
import dev.stepwise.source.FolderFiles;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.Arg;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.ModelResult;
import dev.stepwise.spec.model.SpecModel;
import dev.stepwise.spec.model.ValueFrom;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code stepwise analyze TEMPLATE_FILE}: runs an AnalysisTemplate's metrics against their real providers now and
 * prints every measurement with its value, sample count and verdict, and the run's phase. Exit 0 when the run is
 * Successful, 1 when it is Failed, Error or Inconclusive, 2 when the template, its arguments or the provider
 * configuration are invalid.
 */
@Command(name = "analyze",
        description = "Run an analysis template's metrics against their providers now and print the measurements and verdicts.",
        mixinStandardHelpOptions = true)
public final class AnalyzeCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TEMPLATE_FILE", description = "YAML file with an AnalysisTemplate or ClusterAnalysisTemplate")
    Path templateFile;

    @Option(names = "--arg", paramLabel = "NAME=VALUE", description = "an argument value ({{args.NAME}}); repeatable")
    List<String> argValues = new ArrayList<>();

    @Option(names = "--secret-arg", paramLabel = "NAME=ENV_VAR",
            description = "an argument whose value is read from environment variable ENV_VAR and redacted from output; repeatable")
    List<String> secretArgs = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", description = "measurements per metric (default: the metric's count; 1 for metrics that would run until stopped)")
    Integer count;

    @Option(names = "--interval", paramLabel = "DURATION",
            description = "pause between measurements (default: the metric's interval, at most 10s)")
    String interval;

    @Option(names = "--template", paramLabel = "NAME", description = "which template, when the file has several")
    String templateName;

    @Option(names = "--provider-config", paramLabel = "FILE",
            description = "Stepwise's provider configuration (auth, endpoints); default: $STEPWISE_PROVIDER_CONFIG if set")
    Path providerConfig;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    String format;

    private final Function<ProviderSettings, MetricProviders> providerFactory;
    private final Map<String, String> environment;

    /** The command as the CLI runs it: every provider Stepwise ships, the process environment. */
    public AnalyzeCommand() {
        this(settings -> MetricProviders.standard(settings, Clock.systemUTC()), System.getenv());
    }

    /** For tests: providers built by {@code providerFactory}, credentials looked up in {@code environment}. */
    public AnalyzeCommand(Function<ProviderSettings, MetricProviders> providerFactory, Map<String, String> environment) {
        this.providerFactory = providerFactory;
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("stepwise analyze: --format must be text or json");
            return ExitCodes.USAGE_OR_IO;
        }
        if (count != null && count < 1) {
            err.println("stepwise analyze: --count must be at least 1");
            return ExitCodes.USAGE_OR_IO;
        }
        Optional<Duration> pause = Optional.empty();
        if (interval != null) {
            pause = ArgoDuration.tryParse(interval);
            if (pause.isEmpty()) {
                err.println("stepwise analyze: --interval '" + interval + "' is not a duration (e.g. 5s, 1m)");
                return ExitCodes.USAGE_OR_IO;
            }
        }
        // 1. the template
        FolderFiles.Read read;
        try {
            read = new FolderFiles().read(templateFile);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("stepwise analyze: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        SpecSet set = new SpecLoader().load(read.files());
        List<Finding> problems = new ArrayList<>(read.findings());
        set.findings().stream().filter(Finding::isError).forEach(problems::add);
        List<SpecDocument> templates = set.documents().stream()
                .filter(d -> d.kind().filter(k -> k == SpecKind.ANALYSIS_TEMPLATE || k == SpecKind.CLUSTER_ANALYSIS_TEMPLATE).isPresent())
                .filter(d -> templateName == null || d.name().equals(templateName))
                .toList();
        if (!problems.isEmpty()) {
            return invalid(err, problems);
        }
        if (templates.size() != 1) {
            err.println("stepwise analyze: " + templateFile + (templates.isEmpty() ? " has no AnalysisTemplate"
                    + (templateName == null ? "" : " named " + templateName) : " has " + templates.size()
                    + " analysis templates; choose one with --template NAME"));
            return ExitCodes.USAGE_OR_IO;
        }
        SpecDocument doc = templates.get(0);
        ModelResult<AnalysisTemplateSpec> model = SpecModel.analysisTemplate(doc);
        List<Finding> modelErrors = model.findings().stream().filter(Finding::isError).toList();
        if (!model.isPresent() || !modelErrors.isEmpty()) {
            return invalid(err, modelErrors.isEmpty() ? model.findings() : modelErrors);
        }
        AnalysisTemplateSpec template = model.get();
        // 2. the arguments
        Optional<MeasureArgs> args = arguments(template, doc, problems, err);
        if (args.isEmpty()) {
            return problems.isEmpty() ? ExitCodes.USAGE_OR_IO : invalid(err, problems);
        }
        // 3. conditions and providers, before anything is sent
        ProviderSettings settings;
        try {
            Path config = providerConfig != null ? providerConfig
                    : Optional.ofNullable(environment.get("STEPWISE_PROVIDER_CONFIG")).filter(s -> !s.isBlank()).map(Path::of).orElse(null);
            settings = config == null ? ProviderSettings.defaults(environment) : ProviderSettings.load(config, environment);
        } catch (ProviderSettings.InvalidSettings e) {
            err.println("stepwise analyze: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        try (MetricProviders providers = providerFactory.apply(settings)) {
            for (MetricSpec m : template.metrics()) {
                MetricSpec resolved = m.resolve(args.get().values());
                condition(resolved.successCondition(), m.pointer() + "/successCondition", doc, problems);
                condition(resolved.failureCondition(), m.pointer() + "/failureCondition", doc, problems);
                problems.addAll(providers.validate(resolved, doc, args.get()));
            }
            if (!problems.isEmpty()) {
                return invalid(err, problems);
            }
            // 4. measure
            AnalysisRunner.Options options = new AnalysisRunner.Options(Optional.ofNullable(count), pause,
                    pause.isPresent() ? Pacer.SLEEPING : capPacer());
            AnalysisRunner.RunResult result = new AnalysisRunner(providers).run(template, args.get(), options);
            if (format.equals("json")) {
                json(template, result, out);
            } else {
                text(template, result, out);
            }
            out.flush();
            return result.phase() == Phase.SUCCESSFUL ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }

    /** Without --interval, a metric's own interval is honoured but capped at 10s: this command answers now. */
    private static Pacer capPacer() {
        Duration cap = Duration.ofSeconds(10);
        return d -> Pacer.SLEEPING.pause(d.compareTo(cap) > 0 ? cap : d);
    }

    private Optional<MeasureArgs> arguments(AnalysisTemplateSpec template, SpecDocument doc, List<Finding> problems, PrintWriter err) {
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> secret = new HashSet<>();
        for (Arg a : template.args()) {
            a.value().ifPresent(v -> values.put(a.name(), v));
            if (a.valueFrom().map(v -> v.kind() == ValueFrom.Kind.SECRET_KEY_REF).orElse(false)) {
                secret.add(a.name());
            }
        }
        for (String pair : argValues) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                err.println("stepwise analyze: --arg needs NAME=VALUE, got '" + pair + "'");
                return Optional.empty();
            }
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        for (String pair : secretArgs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                err.println("stepwise analyze: --secret-arg needs NAME=ENV_VAR, got '" + pair + "'");
                return Optional.empty();
            }
            String variable = pair.substring(eq + 1);
            String v = environment.get(variable);
            if (v == null) {
                err.println("stepwise analyze: environment variable " + variable + " (for argument " + pair.substring(0, eq) + ") is not set");
                return Optional.empty();
            }
            values.put(pair.substring(0, eq), v);
            secret.add(pair.substring(0, eq));
        }
        for (Arg a : template.args()) {
            if (!values.containsKey(a.name())) {
                String how = a.valueFrom().map(v -> " (the template reads it from " + v + "; pass it with --arg or --secret-arg)")
                        .orElse("; pass it with --arg " + a.name() + "=…");
                problems.add(doc.finding(dev.stepwise.spec.Severity.ERROR, a.pointer(), "analyze.arg-missing",
                        "argument '" + a.name() + "' has no value" + how));
            }
        }
        return problems.isEmpty() ? Optional.of(new MeasureArgs(values, secret)) : Optional.empty();
    }

    private static void condition(Optional<String> source, String pointer, SpecDocument doc, List<Finding> problems) {
        if (source.isEmpty()) {
            return;
        }
        if (MetricCondition.compile(source.get()) instanceof MetricCondition.Invalid inv) {
            problems.add(doc.finding(dev.stepwise.spec.Severity.ERROR, pointer, "analysis.condition", "the condition '"
                    + source.get() + "' does not compile: " + inv.message()));
        }
    }

    private static int invalid(PrintWriter err, List<Finding> findings) {
        findings.stream().sorted(Finding.BY_PLACE).forEach(f -> err.println(f.toLine()));
        err.flush();
        return ExitCodes.USAGE_OR_IO;
    }

    private static void text(AnalysisTemplateSpec template, AnalysisRunner.RunResult result, PrintWriter out) {
        out.println("analysis " + template.qualifiedName() + ": " + result.phase().label());
        for (AnalysisRunner.MetricRun run : result.metrics()) {
            out.println("  metric " + run.metric().name() + ": " + run.phase().label() + (run.metric().dryRun() ? " (dry run)" : "")
                    + " (" + run.measurements().size() + " measurement" + (run.measurements().size() == 1 ? "" : "s") + ")");
            int i = 1;
            for (AnalysisRunner.Evaluated e : run.measurements()) {
                Measurement m = e.measurement();
                StringBuilder line = new StringBuilder("    #" + i++ + " " + e.phase().label());
                if (m.isError()) {
                    line.append("  ").append(e.message());
                } else {
                    line.append("  value ").append(ValueText.of(m.value().orElseThrow()));
                    m.sampleCount().ifPresent(n -> line.append("  samples ").append(n));
                    if (!e.message().isEmpty()) {
                        line.append("  (").append(e.message()).append(')');
                    }
                }
                line.append(String.format(Locale.ROOT, "  [%d ms]", m.took().toMillis()));
                out.println(line);
                if (!m.query().isEmpty() && m.evidence().containsKey("metrics")) {
                    // a comparison sent one query per side of each metric, one per line
                    m.query().lines().forEach(q -> out.println("       query " + q.replaceAll("\\s+", " ").strip()));
                } else if (!m.query().isEmpty()) {
                    out.println("       query: " + m.query().replaceAll("\\s+", " ").strip());
                }
                Object verdict = m.evidence().get("verdict");
                if (verdict != null) {
                    out.println("       judge: " + verdict);
                }
                if (m.evidence().get("metrics") instanceof List<?> verdicts) {
                    for (Object v : verdicts) {
                        if (v instanceof Map<?, ?> mv) {
                            out.println("         " + mv.get("name") + ": " + mv.get("classification") + " — " + mv.get("reason"));
                        }
                    }
                }
                if (m.evidence().get("logTail") instanceof String log && !log.isBlank()) {
                    out.println("       log tail:");
                    log.lines().forEach(l -> out.println("         " + l));
                }
            }
        }
    }

    private static void json(AnalysisTemplateSpec template, AnalysisRunner.RunResult result, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("template", template.qualifiedName());
        root.put("phase", result.phase().label());
        ArrayNode metrics = root.putArray("metrics");
        for (AnalysisRunner.MetricRun run : result.metrics()) {
            ObjectNode m = metrics.addObject();
            m.put("name", run.metric().name());
            m.put("phase", run.phase().label());
            m.put("dryRun", run.metric().dryRun());
            ArrayNode ms = m.putArray("measurements");
            for (AnalysisRunner.Evaluated e : run.measurements()) {
                Measurement meas = e.measurement();
                ObjectNode n = ms.addObject();
                n.set("value", meas.value().<tools.jackson.databind.JsonNode>map(v -> JSON.valueToTree(jsonSafe(v))).orElse(JSON.nullNode()));
                n.put("phase", e.phase().label());
                n.put("message", e.message());
                if (meas.sampleCount().isPresent()) {
                    n.put("sampleCount", meas.sampleCount().getAsLong());
                } else {
                    n.putNull("sampleCount");
                }
                meas.error().ifPresent(err -> n.put("errorKind", err.kindLabel()));
                n.put("query", meas.query());
                n.put("startedAt", meas.startedAt().toString());
                n.put("durationMillis", meas.took().toMillis());
                if (!meas.evidence().isEmpty()) {
                    n.set("evidence", JSON.valueToTree(jsonSafe(meas.evidence())));
                }
            }
        }
        out.println(JSON.writeValueAsString(root));
    }

    /** JSON has no NaN or infinities: write them as Prometheus does, as strings. */
    private static Object jsonSafe(Object v) {
        if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return d.isNaN() ? "NaN" : d > 0 ? "+Inf" : "-Inf";
        }
        if (v instanceof List<?> l) {
            return l.stream().map(AnalyzeCommand::jsonSafe).toList();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), jsonSafe(val)));
            return out;
        }
        return v;
    }
}
