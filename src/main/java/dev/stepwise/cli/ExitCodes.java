package dev.stepwise.cli;

/** Exit codes shared by the commands, as CI systems read them. */
final class ExitCodes {
    /** Clean: no errors (warnings allowed). */
    static final int OK = 0;
    /** The specs have errors or a policy denies them. */
    static final int FINDINGS = 1;
    /** The command was used wrongly, or a file or repository could not be read. */
    static final int USAGE_OR_IO = 2;

    private ExitCodes() {
    }
}
