package dev.vcnn.cli;

import dev.vcnn.engine.data.IdxReader;
import picocli.CommandLine;

/** Reads {@code --train-size} and {@code --test-size}: a number of images, or {@code all} of them. */
final class ImageCount implements CommandLine.ITypeConverter<Integer> {
    static final String ALL = "all";

    @Override
    public Integer convert(String value) {
        if (ALL.equalsIgnoreCase(value)) {
            return IdxReader.ALL;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is neither 'all' nor a whole number");
        }
    }

    /** How a count reads in messages and records: "all" or the number. */
    static String describe(int count) {
        return count == IdxReader.ALL ? ALL : Integer.toString(count);
    }
}
