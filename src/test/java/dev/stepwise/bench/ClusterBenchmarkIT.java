package dev.stepwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.cli.BenchClusterCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ClusterBenchmarkIT {
    @Test
    void abortsAreVerifiedAndTheCommandPrintsFigures() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BenchClusterCommand());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("--aborts", Integer.getInteger("stepwise.bench.aborts", 3).toString());
        System.out.println(out);
        assertThat(code).isZero();
        assertThat(out.toString()).contains("abort -> 100% on stable, verified").contains("all verified: true")
                .contains("API requests per decision");
    }
}
