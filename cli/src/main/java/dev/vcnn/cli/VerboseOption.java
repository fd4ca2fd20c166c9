package dev.vcnn.cli;

import picocli.CommandLine.Option;

/**
 * {@code --verbose}, which every command takes (a picocli mixin). Nothing reads the field:
 * {@link FailureHandler} asks the parse result whether the option was given.
 */
final class VerboseOption {

    @Option(names = "--verbose", description = "Show the stack trace when something fails.")
    boolean verbose;
}
