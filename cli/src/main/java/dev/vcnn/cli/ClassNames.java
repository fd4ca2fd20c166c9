package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What {@code --classes} names: one display name per class, in label order. Two sets ship with
 * vcnn, {@code digits} (MNIST) and {@code fashion} (Fashion-MNIST); anything else is a UTF-8 file
 * with one name per line.
 */
final class ClassNames {
    static final String DIGITS = "digits";
    static final String FASHION = "fashion";
    // far more than ten names need; keeps an endless or huge file from being read into memory
    private static final long MAX_BYTES = 64 * 1024;

    static final List<String> DIGIT_NAMES = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
    // Fashion-MNIST's labels 0..9, as its authors name them
    static final List<String> FASHION_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final String HELP = "Class names, and so how many classes there are: '" + DIGITS + "' (0-9), '"
            + FASHION + "' (Fashion-MNIST's ten), or a UTF-8 FILE with one name per line (at least 2).";

    private ClassNames() {
    }

    /**
     * The names {@code option} asks for, or {@code fallback} when it is null; a file must hold exactly
     * {@code classes} non-blank lines (blank lines at its end are ignored). Names that do not match the
     * model's classes are a usage error naming --classes: the option, not a file, is what is wrong.
     */
    static List<String> resolve(String option, List<String> fallback, int classes, CommandLine commandLine)
            throws DataFormatException {
        List<String> names = named(option, fallback);
        if (option != null && names.size() != classes) {
            throw new CommandLine.ParameterException(commandLine, "--classes " + option + " names " + names.size()
                    + " classes, but the model has " + classes);
        }
        return names;
    }

    /**
     * The names {@code option} asks for, or {@code fallback} when it is null, however many: for a new
     * network, whose number of classes they set. A file must name at least 2.
     */
    static List<String> named(String option, List<String> fallback) throws DataFormatException {
        if (option == null) {
            return fallback;
        }
        List<String> names = switch (option) {
            case DIGITS -> DIGIT_NAMES;
            case FASHION -> FASHION_NAMES;
            default -> read(Path.of(option));
        };
        if (names.size() < 2) {
            throw new DataFormatException(option + ": names " + names.size()
                    + (names.size() == 1 ? " class" : " classes") + ", but a classifier needs at least 2");
        }
        return names;
    }

    private static List<String> read(Path file) throws DataFormatException {
        // a list of names is a page at most; /dev/zero or a huge file would be read until memory ran out
        try {
            if (Files.exists(file) && (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES)) {
                throw new DataFormatException(file + ": is not a file of class names (a regular file of at most "
                        + MAX_BYTES / 1024 + " KB, one name per line)");
            }
        } catch (IOException e) {
            throw new DataFormatException(file + ": could not be read", e);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file + ": no such file (--classes takes '" + DIGITS + "', '" + FASHION
                    + "' or a file of names)", e);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file + ": is not UTF-8 text", e);
        } catch (IOException e) {
            throw new DataFormatException(file + ": could not be read", e);
        }
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        List<String> names = lines.subList(0, end).stream().map(String::strip).toList();
        for (int k = 0; k < names.size(); k++) {
            if (names.get(k).isEmpty()) {
                throw new DataFormatException(file + ": line " + (k + 1) + " is blank, but every class needs a name");
            }
        }
        return names;
    }
}
