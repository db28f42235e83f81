package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code stepwise bench engine} on a small scale. */
class BenchEngineCommandTest {

    @Test
    void printsTheFiguresAsJson() throws Exception {
        CliRun run = CliRun.of("bench", "engine", "--rollouts", "200", "--decisions", "5000", "--warmup", "500", "--format", "json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode n = JsonMapper.builder().build().readTree(run.out());
        assertThat(n.get("rollouts").asInt()).isEqualTo(200);
        assertThat(n.get("decisions").asLong()).isEqualTo(5000);
        assertThat(n.get("decisionsPerSecond").asLong()).isPositive();
        assertThat(n.get("heapBytesPerDecodedStatus").asLong()).isPositive();
        assertThat(n.get("heapMethod").asString()).contains("System.gc()");
    }

    @Test
    void refusesNonsense() {
        CliRun run = CliRun.of("bench", "engine", "--rollouts", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--rollouts and --decisions must be at least 1");
    }
}
