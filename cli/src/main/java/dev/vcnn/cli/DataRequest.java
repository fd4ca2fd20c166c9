package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.data.TooFewImagesException;
import picocli.CommandLine;

/**
 * Reads data for an option that says how many images to take, and turns "more than the files hold"
 * into a usage error naming that option (exit code 2), as for any other bad option value. This can
 * only be known once the file's header has been read, so it is checked here rather than in the
 * commands' validation, but before anything has been printed or trained.
 */
final class DataRequest {

    /** Reads the data; may throw {@link DataFormatException}. */
    @FunctionalInterface
    interface Read {
        Dataset read() throws DataFormatException;
    }

    private DataRequest() {
    }

    /** {@code option} and {@code value} as the user wrote them, e.g. "--train-size", "70000". */
    static Dataset read(CommandLine commandLine, String option, String value, Read read) throws DataFormatException {
        try {
            return read.read();
        } catch (TooFewImagesException e) {
            throw new CommandLine.ParameterException(commandLine, option + " " + value + " is larger than the "
                    + e.available() + " images in " + e.source() + hint(e), e);
        }
    }

    /** For {@code --index N}: the images up to N, or a usage error if there is no image N. */
    static Dataset readUpTo(CommandLine commandLine, String option, int index, Read read) throws DataFormatException {
        try {
            Dataset data = read.read();
            if (index < data.count()) {
                return data;
            }
            throw past(commandLine, option, index, data.count(), data.source(), "");
        } catch (TooFewImagesException e) {
            throw past(commandLine, option, index, e.available(), e.source(), hint(e));
        }
    }

    private static CommandLine.ParameterException past(CommandLine commandLine, String option, int index, int count,
            String source, String hint) {
        return new CommandLine.ParameterException(commandLine, option + " " + index + " is past the last of the "
                + count + " images in " + source + " (they are numbered from 0)" + hint);
    }

    private static String hint(TooFewImagesException e) {
        return e.source().equals(TrainingData.BUNDLED_SOURCE) ? "; use --data DIR for more" : "";
    }
}
