package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code stepwise …} (or {@code java -jar target/stepwise.jar …}) command written in the README and docs/ is
 * one the command line accepts: its subcommand exists, its options exist, and required ones are given. The commands
 * are parsed, not run (most need a real repository or cluster); usage synopses and printed output are skipped.
 */
class DocCommandsTest {
    private static final Pattern COMMAND = Pattern.compile(
            "^\\s*(?:\\$ |- run: |run: )?(?:stepwise|java -jar (?:target/)?stepwise\\.jar) (.*)$");

    record DocCommand(String where, List<String> args) {
    }

    static List<Path> documents() {
        List<Path> out = new ArrayList<>(List.of(Path.of("README.md"), Path.of("deploy/README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The commands inside fenced code blocks, continuation lines joined, comments and pipes cut off. */
    static List<DocCommand> commands(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<DocCommand> out = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            var m = COMMAND.matcher(line);
            if (!fenced || !m.matches()) {
                continue;
            }
            int at = i + 1;
            StringBuilder text = new StringBuilder(m.group(1));
            while (text.toString().stripTrailing().endsWith("\\") && i + 1 < lines.size()) {
                text.setLength(text.toString().stripTrailing().length() - 1);
                text.append(' ').append(lines.get(++i).strip());
            }
            String command = cut(cut(text.toString(), " #"), " | ").strip();
            List<String> args = words(command);
            if (args.isEmpty() || args.get(0).endsWith(":") || command.contains("[") || command.contains("(--")) {
                continue; // printed output ("stepwise run: …") or a usage synopsis
            }
            out.add(new DocCommand(file + ":" + at, args));
        }
        return out;
    }

    private static String cut(String s, String marker) {
        int i = s.indexOf(marker);
        return i < 0 ? s : s.substring(0, i);
    }

    /** Shell words: whitespace-separated, single and double quotes grouping; "…" (elided in prose) is a value. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || w.length() > 0) {
                    out.add(w.toString());
                }
                w.setLength(0);
                any = false;
            } else {
                w.append(c);
            }
        }
        if (any || w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }

    @Test
    void everyCommandInTheDocsParses() throws IOException {
        List<DocCommand> all = new ArrayList<>();
        for (Path doc : documents()) {
            all.addAll(commands(doc));
        }
        // the README's demo and the docs' promote/status/run/analyze/simulate examples at least
        assertThat(all).hasSizeGreaterThan(20);
        assertThat(all).extracting(c -> c.args().get(0)).contains("demo", "run", "promote", "abort", "status", "validate");
        List<String> refused = new ArrayList<>();
        for (DocCommand c : all) {
            try {
                new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(c.args().toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                refused.add(c.where() + ": stepwise " + String.join(" ", c.args()) + "\n    " + e.getMessage());
            }
        }
        assertThat(refused).as("commands in the docs that stepwise refuses").isEmpty();
    }

    @Test
    void theParserOfThisTestRefusesWhatStepwiseWouldRefuse() {
        // so that the test above can fail: an unknown option and a missing subcommand argument are refused
        assertThat(words("promote web --repo 'a b' --reason \"on-call agreed\"")).containsExactly("promote", "web", "--repo", "a b", "--reason", "on-call agreed");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CommandLine(new Main()).parseArgs("promote", "web", "--repository", "x"))
                .isInstanceOf(CommandLine.ParameterException.class);
    }
}
