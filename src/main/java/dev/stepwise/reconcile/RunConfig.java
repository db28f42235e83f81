package dev.stepwise.reconcile;

import dev.stepwise.server.HttpApi;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SourceMap;
import dev.stepwise.spec.model.ArgoDuration;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code stepwise run} runs: the repositories it tracks, the clusters it changes, where it listens, how it
 * elects a leader. Read from {@code stepwise.yaml} (a commented example is in docs/configuration.md and in
 * deploy/base) or built from command-line flags. Secrets are never in it: only the paths of files holding them.
 */
public record RunConfig(InetSocketAddress http, Path cacheDir, List<Repository> repositories, List<Cluster> clusters,
                        String defaultCluster, Optional<Path> providersFile, LeaderElection leaderElection,
                        int workers, Duration cycleTimeout, Duration observeInterval) {

    public static final InetSocketAddress DEFAULT_HTTP = HttpApi.parseAddress(HttpApi.DEFAULT_ADDRESS);

    public RunConfig {
        repositories = List.copyOf(repositories);
        clusters = List.copyOf(clusters);
    }

    /**
     * Credentials as files (mounted Secrets); all empty means "from the environment" ({@code STEPWISE_GIT_*}).
     */
    public record Credentials(Optional<Path> usernameFile, Optional<Path> passwordFile, Optional<Path> tokenFile,
                              Optional<Path> sshKeyFile, Optional<Path> knownHostsFile) {
        public static final Credentials FROM_ENVIRONMENT = new Credentials(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    public record Repository(String name, String url, String branch, String path, Duration pollInterval,
                             Credentials credentials, String statusBranch, String statusFolder,
                             Optional<Path> webhookSecretFile) {
    }

    /** Exactly one of the connection kinds is set. */
    public record Cluster(String name, Optional<String> context, boolean inCluster, Optional<String> server,
                          Optional<Path> tokenFile, Optional<Path> caFile, boolean embedded) {
    }

    public record LeaderElection(boolean enabled, String namespace, String leaseName, String identity, Duration leaseDuration,
                                 Duration renewDeadline, Duration retryPeriod) {
        public static LeaderElection disabled() {
            return new LeaderElection(false, "", "stepwise-leader", "", Duration.ofSeconds(15), Duration.ofSeconds(10),
                    Duration.ofSeconds(2));
        }
    }

    /** A configuration file that cannot be used: every problem, each with its line. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Reads {@code stepwise.yaml}. {@code env} supplies POD_NAMESPACE and POD_NAME defaults. */
    public static RunConfig read(String file, byte[] bytes, Map<String, String> env) throws Invalid {
        SafeYamlReader.Result r = new SafeYamlReader().read(new SourceFile(file, bytes));
        if (!r.findings().isEmpty()) {
            throw new Invalid(r.findings().stream().map(f -> f.toLine()).toList());
        }
        if (r.documents().size() != 1 || !(r.documents().get(0).root() instanceof Map<?, ?>)) {
            throw new Invalid(List.of(file + ": expected one YAML mapping"));
        }
        Reader in = new Reader(r.documents().get(0).sourceMap(), (Map<?, ?>) r.documents().get(0).root());
        RunConfig config = in.config(env);
        if (!in.problems.isEmpty()) {
            throw new Invalid(in.problems);
        }
        return config;
    }

    /** Walks the parsed YAML, collecting every problem with its location instead of stopping at the first. */
    private static final class Reader {
        private static final Set<String> TOP = Set.of("apiVersion", "kind", "http", "cacheDir", "repositories", "clusters",
                "defaultCluster", "providers", "leaderElection", "reconcile");
        private final SourceMap map;
        private final Map<?, ?> root;
        final List<String> problems = new ArrayList<>();

        Reader(SourceMap map, Map<?, ?> root) {
            this.map = map;
            this.root = root;
        }

        void problem(String pointer, String message) {
            Location at = map.valueAt(pointer);
            problems.add(at + ": " + message);
        }

        RunConfig config(Map<String, String> env) {
            unknownKeys("", root, TOP);
            Object kind = root.get("kind");
            if (kind != null && !"StepwiseConfig".equals(kind)) {
                problem("/kind", "kind must be StepwiseConfig, not " + kind);
            }
            Map<?, ?> http = map("/http", root.get("http"));
            InetSocketAddress address = DEFAULT_HTTP;
            if (http != null) {
                unknownKeys("/http", http, Set.of("address"));
            }
            if (http != null && http.get("address") != null) {
                address = address("/http/address", String.valueOf(http.get("address")));
            }
            Path cacheDir = Path.of(string("/cacheDir", root.get("cacheDir"), System.getProperty("java.io.tmpdir") + "/stepwise-cache"));
            List<Repository> repos = new ArrayList<>();
            List<?> rl = list("/repositories", root.get("repositories"));
            if (rl == null || rl.isEmpty()) {
                problem("/repositories", "at least one repository is needed");
            } else {
                Set<String> names = new LinkedHashSet<>();
                for (int i = 0; i < rl.size(); i++) {
                    Repository repo = repository("/repositories/" + i, rl.get(i));
                    if (repo != null && !names.add(repo.name())) {
                        problem("/repositories/" + i + "/name", "two repositories are named '" + repo.name() + "'");
                    }
                    if (repo != null) {
                        repos.add(repo);
                    }
                }
            }
            List<Cluster> clusters = new ArrayList<>();
            List<?> cl = list("/clusters", root.get("clusters"));
            if (cl != null) {
                Set<String> names = new LinkedHashSet<>();
                for (int i = 0; i < cl.size(); i++) {
                    Cluster c = cluster("/clusters/" + i, cl.get(i));
                    if (c != null && !names.add(c.name())) {
                        problem("/clusters/" + i + "/name", "two clusters are named '" + c.name() + "'");
                    }
                    if (c != null) {
                        clusters.add(c);
                    }
                }
            }
            String defaultCluster = string("/defaultCluster", root.get("defaultCluster"),
                    clusters.isEmpty() ? "" : clusters.get(0).name());
            if (!clusters.isEmpty() && clusters.stream().noneMatch(c -> c.name().equals(defaultCluster))) {
                problem("/defaultCluster", "no cluster is named '" + defaultCluster + "'");
            }
            if (clusters.isEmpty()) {
                problem("/clusters", "at least one cluster is needed");
            }
            Optional<Path> providers = Optional.empty();
            Map<?, ?> pm = map("/providers", root.get("providers"));
            if (pm != null) {
                unknownKeys("/providers", pm, Set.of("file"));
            }
            if (pm != null && pm.get("file") != null) {
                providers = Optional.of(Path.of(String.valueOf(pm.get("file"))));
            }
            LeaderElection le = leaderElection(env);
            Map<?, ?> rc = map("/reconcile", root.get("reconcile"));
            int workers = 8;
            Duration cycleTimeout = Duration.ofSeconds(20);
            Duration observe = Duration.ofSeconds(2);
            if (rc != null) {
                unknownKeys("/reconcile", rc, Set.of("workers", "cycleTimeout", "observeInterval"));
                workers = integer("/reconcile/workers", rc.get("workers"), 8, 1, 256);
                cycleTimeout = duration("/reconcile/cycleTimeout", rc.get("cycleTimeout"), cycleTimeout);
                observe = duration("/reconcile/observeInterval", rc.get("observeInterval"), observe);
            }
            return new RunConfig(address, cacheDir, repos, clusters, defaultCluster, providers, le, workers, cycleTimeout, observe);
        }

        Repository repository(String at, Object node) {
            Map<?, ?> m = map(at, node);
            if (m == null) {
                return null;
            }
            unknownKeys(at, m, Set.of("name", "url", "branch", "path", "pollInterval", "credentials", "status", "webhook"));
            String url = string(at + "/url", m.get("url"), null);
            if (url == null) {
                problem(at, "a repository needs a url");
                return null;
            }
            String name = string(at + "/name", m.get("name"), defaultName(url));
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                // the name is a URL path segment (/webhook/<name>) and a metric label
                problem(at + "/name", "a repository name is letters, digits, '.', '_' and '-' (at most 63), not '" + name + "'");
            }
            Credentials credentials = Credentials.FROM_ENVIRONMENT;
            Map<?, ?> cm = map(at + "/credentials", m.get("credentials"));
            if (cm != null) {
                String c = at + "/credentials";
                unknownKeys(c, cm, Set.of("usernameFile", "passwordFile", "tokenFile", "sshKeyFile", "knownHostsFile"));
                credentials = new Credentials(path(cm.get("usernameFile")), path(cm.get("passwordFile")), path(cm.get("tokenFile")),
                        path(cm.get("sshKeyFile")), path(cm.get("knownHostsFile")));
                if (credentials.passwordFile().isPresent() && credentials.tokenFile().isPresent()) {
                    problem(c, "give passwordFile or tokenFile, not both");
                }
                if (credentials.sshKeyFile().isPresent() && credentials.knownHostsFile().isEmpty()) {
                    problem(c, "sshKeyFile needs knownHostsFile: the server's key must be checked");
                }
            }
            Map<?, ?> sm = map(at + "/status", m.get("status"));
            if (sm != null) {
                unknownKeys(at + "/status", sm, Set.of("branch", "folder"));
            }
            String statusBranch = sm == null ? "stepwise/status" : string(at + "/status/branch", sm.get("branch"), "stepwise/status");
            String statusFolder = sm == null ? "status" : string(at + "/status/folder", sm.get("folder"), "status");
            Map<?, ?> wm = map(at + "/webhook", m.get("webhook"));
            if (wm != null) {
                unknownKeys(at + "/webhook", wm, Set.of("secretFile"));
            }
            Optional<Path> secret = wm == null ? Optional.empty() : path(wm.get("secretFile"));
            return new Repository(name, url, string(at + "/branch", m.get("branch"), "main"), string(at + "/path", m.get("path"), ""),
                    duration(at + "/pollInterval", m.get("pollInterval"), Duration.ofSeconds(30)), credentials, statusBranch,
                    statusFolder, secret);
        }

        Cluster cluster(String at, Object node) {
            Map<?, ?> m = map(at, node);
            if (m == null) {
                return null;
            }
            unknownKeys(at, m, Set.of("name", "context", "inCluster", "server", "tokenFile", "caFile", "embedded"));
            String name = string(at + "/name", m.get("name"), null);
            if (name == null) {
                problem(at, "a cluster needs a name");
                return null;
            }
            boolean inCluster = Boolean.TRUE.equals(m.get("inCluster"));
            boolean embedded = Boolean.TRUE.equals(m.get("embedded"));
            Optional<String> context = Optional.ofNullable(m.get("context")).map(String::valueOf);
            Optional<String> server = Optional.ofNullable(m.get("server")).map(String::valueOf);
            int kinds = (inCluster ? 1 : 0) + (embedded ? 1 : 0) + (context.isPresent() ? 1 : 0) + (server.isPresent() ? 1 : 0);
            if (kinds != 1) {
                problem(at, "cluster '" + name + "' needs exactly one of context, inCluster: true, server or embedded: true");
            }
            return new Cluster(name, context, inCluster, server, path(m.get("tokenFile")), path(m.get("caFile")), embedded);
        }

        LeaderElection leaderElection(Map<String, String> env) {
            Map<?, ?> m = map("/leaderElection", root.get("leaderElection"));
            LeaderElection d = LeaderElection.disabled();
            if (m == null) {
                return d;
            }
            String at = "/leaderElection";
            unknownKeys(at, m, Set.of("enabled", "namespace", "leaseName", "identity", "leaseDuration", "renewDeadline", "retryPeriod"));
            boolean enabled = Boolean.TRUE.equals(m.get("enabled"));
            String namespace = string(at + "/namespace", m.get("namespace"), env.getOrDefault("POD_NAMESPACE", "stepwise"));
            String identity = string(at + "/identity", m.get("identity"), "");
            if (identity.isBlank()) {
                // $POD_NAME, else host name and process id: two processes on one machine never share an identity
                identity = dev.stepwise.ha.LeaderElection.Config.defaultIdentity(env);
            }
            Duration lease = duration(at + "/leaseDuration", m.get("leaseDuration"), d.leaseDuration());
            Duration renew = duration(at + "/renewDeadline", m.get("renewDeadline"), d.renewDeadline());
            Duration retry = duration(at + "/retryPeriod", m.get("retryPeriod"), d.retryPeriod());
            if (enabled && renew.compareTo(lease) >= 0) {
                problem(at + "/renewDeadline", "renewDeadline must be shorter than leaseDuration: a leader must stop acting before another may start");
            }
            if (enabled && retry.compareTo(renew) >= 0) {
                problem(at + "/retryPeriod", "retryPeriod must be shorter than renewDeadline");
            }
            return new LeaderElection(enabled, namespace, string(at + "/leaseName", m.get("leaseName"), d.leaseName()), identity,
                    lease, renew, retry);
        }

        void unknownKeys(String at, Map<?, ?> m, Set<String> known) {
            for (Object k : m.keySet()) {
                if (!known.contains(String.valueOf(k))) {
                    Location where = map.keyAt(at + "/" + k);
                    problems.add(where + ": unknown field '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                }
            }
        }

        Map<?, ?> map(String at, Object o) {
            if (o == null) {
                return null;
            }
            if (o instanceof Map<?, ?> m) {
                return m;
            }
            problem(at, "expected a mapping");
            return null;
        }

        List<?> list(String at, Object o) {
            if (o == null) {
                return null;
            }
            if (o instanceof List<?> l) {
                return l;
            }
            problem(at, "expected a list");
            return null;
        }

        String string(String at, Object o, String fallback) {
            if (o == null) {
                return fallback;
            }
            if (o instanceof Map || o instanceof List) {
                problem(at, "expected a string");
                return fallback;
            }
            return String.valueOf(o);
        }

        int integer(String at, Object o, int fallback, int min, int max) {
            if (o == null) {
                return fallback;
            }
            if (o instanceof Number n && n.longValue() >= min && n.longValue() <= max) {
                return n.intValue();
            }
            problem(at, "expected a whole number from " + min + " to " + max);
            return fallback;
        }

        Duration duration(String at, Object o, Duration fallback) {
            if (o == null) {
                return fallback;
            }
            try {
                Duration d = ArgoDuration.parse(o);
                if (d.isZero() || d.isNegative()) {
                    problem(at, "expected a positive duration such as 30s");
                    return fallback;
                }
                return d;
            } catch (RuntimeException e) {
                problem(at, "expected a duration such as 30s, 2m or 1h, not '" + o + "'");
                return fallback;
            }
        }

        InetSocketAddress address(String at, String s) {
            try {
                return HttpApi.parseAddress(s);
            } catch (IllegalArgumentException e) {
                problem(at, "expected HOST:PORT such as 127.0.0.1:8080, not '" + s + "'");
                return DEFAULT_HTTP;
            }
        }

        static Optional<Path> path(Object o) {
            return o == null ? Optional.empty() : Optional.of(Path.of(String.valueOf(o)));
        }
    }

    /** {@code https://git.example.com/shop/deploy.git} → {@code deploy}. */
    public static String defaultName(String url) {
        String s = url.replaceAll("/+$", "").replaceAll("\\.git$", "");
        int slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf(':'));
        String name = slash < 0 ? s : s.substring(slash + 1);
        name = name.replaceAll("[^A-Za-z0-9._-]", "-");
        return name.isEmpty() ? "repository" : name;
    }

    /** One {@code host:port} from a flag, read as the HTTP API reads {@code http.address}. */
    public static InetSocketAddress parseAddress(String s) {
        try {
            return HttpApi.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected HOST:PORT, not '" + s + "'");
        }
    }
}
