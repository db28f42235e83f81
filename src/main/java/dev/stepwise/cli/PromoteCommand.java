package dev.stepwise.cli;

import dev.stepwise.promotion.GateAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepwise promote ROLLOUT --repo URL [--full]}: move past the current pause, or (--full) to the end. */
@Command(name = "promote", description = {
        "Promote a rollout past its current pause or step (--full: skip the remaining steps and analyses), by committing "
                + "promotions/<namespace>/<rollout>.yaml to the tracked branch as you.",
        "Exit code: 0 committed (or nothing to commit), 1 refused by the specs, 2 usage, credentials or Git error."})
public final class PromoteCommand extends GateCommand {

    @Option(names = "--full", description = "Promote to the end at once (promote-full), skipping remaining steps and analyses.")
    boolean full;

    @Override
    GateAction action() {
        return full ? GateAction.PROMOTE_FULL : GateAction.PROMOTE;
    }
}
