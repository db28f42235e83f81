package dev.stepwise.cli;

/** How a command prints its result: for people, for programs, or as GitHub Actions workflow commands. */
public enum OutputFormat {
    text, json, github
}
