package dev.stepwise.cli;

import dev.stepwise.promotion.GateAction;
import picocli.CommandLine.Command;

/** {@code stepwise skip ROLLOUT --step N}: jump a paused or analysing rollout to step N, by a commit as you. */
@Command(name = "skip", description = {
        "Skip a rollout to step N (--step is required; 0 is the first step). Commits promotions/<namespace>/<rollout>.yaml "
                + "to the tracked branch as you; a Policy's approvers decide whether it counts.",
        "Exit code: 0 committed (or nothing to commit), 1 refused by the specs, 2 usage, credentials or Git error."})
public final class SkipCommand extends GateCommand {

    @Override
    GateAction action() {
        return GateAction.SKIP;
    }
}
