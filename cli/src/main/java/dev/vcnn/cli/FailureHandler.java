package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.training.TrainingDivergedException;
import picocli.CommandLine;

/**
 * Turns an exception from a running command into one line on stderr and exit code 1. The stack
 * trace is for developers: it appears only with {@code --verbose}. A bad data or model file and a
 * file that cannot be written are the user's to fix, and their one line says how; anything else
 * also points at {@code --verbose}. So does a diverged training run, whose remedy is a smaller learning rate.
 */
final class FailureHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        var err = commandLine.getErr();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        boolean usersToFix = true;
        switch (e) {
            case DataFormatException bad -> err.println("vcnn: bad data: " + message);
            case ModelFormatException bad -> err.println("vcnn: bad model: " + message);
            case FileWriteException failed -> err.println("vcnn: " + message);
            // training stops before it writes anything, so no diverged model replaces a good one
            case TrainingDivergedException diverged ->
                    err.println("vcnn: " + message + "; nothing was written (a smaller --lr may help)");
            default -> {
                err.println("vcnn: " + e.getClass().getSimpleName() + ": " + message);
                usersToFix = false;
            }
        }
        if (isVerbose(parseResult)) {
            e.printStackTrace(err);
        } else if (!usersToFix) {
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
