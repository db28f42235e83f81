package dev.stepwise.cli;

import dev.stepwise.promotion.GateAction;
import picocli.CommandLine.Command;

/** {@code stepwise retry ROLLOUT --repo URL}: start an aborted rollout again. */
@Command(name = "retry", description = {
        "Retry an aborted rollout from its first step. Commits promotions/<namespace>/<rollout>.yaml to the tracked "
                + "branch as you.",
        "Exit code: 0 committed (or nothing to commit), 1 refused by the specs, 2 usage, credentials or Git error."})
public final class RetryCommand extends GateCommand {

    @Override
    GateAction action() {
        return GateAction.RETRY;
    }
}
