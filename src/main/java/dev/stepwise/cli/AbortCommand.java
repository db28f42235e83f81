package dev.stepwise.cli;

import dev.stepwise.promotion.GateAction;
import picocli.CommandLine.Command;

/** {@code stepwise abort ROLLOUT --repo URL}: go back to the stable version. */
@Command(name = "abort", description = {
        "Abort a rollout: traffic goes back to the stable version. Commits promotions/<namespace>/<rollout>.yaml to the "
                + "tracked branch as you.",
        "Exit code: 0 committed (or nothing to commit), 1 refused by the specs, 2 usage, credentials or Git error."})
public final class AbortCommand extends GateCommand {

    @Override
    GateAction action() {
        return GateAction.ABORT;
    }
}
