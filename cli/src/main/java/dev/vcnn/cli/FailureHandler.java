package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import picocli.CommandLine;

/**
 * Turns an exception from a running command into one line on stderr and exit code 1. The stack
 * trace is for developers: it appears only with {@code --verbose}.
 */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        var err = commandLine.getErr();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof DataFormatException) {
            err.println("vcnn: bad data: " + message);
        } else {
            err.println("vcnn: " + e.getClass().getSimpleName() + ": " + message);
        }
        if (isVerbose(parseResult)) {
            e.printStackTrace(err);
        } else if (!(e instanceof DataFormatException)) {
            err.println("vcnn: run again with --verbose to see where it happened");
        }
        err.flush();
        return 1;
    }

    private static boolean isVerbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
