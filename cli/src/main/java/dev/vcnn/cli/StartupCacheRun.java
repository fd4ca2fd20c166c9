package dev.vcnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run the launcher records its start-up cache from (JDK 25's {@code -XX:AOTCacheOutput}, see
 * scripts/jdk25.sh): a short training run that saves its model, then an evaluation, a filter picture
 * and a prediction of that picture with the model. The cache then holds the classes every command
 * loads, the model file's reader, its JSON and the image codecs among them, and not only training's:
 * a command whose classes are not in it loads them from the jar, about 190 for {@code vcnn eval}.
 * Not a command of its own; the launcher runs it once per build and discards its output.
 */
public final class StartupCacheRun {

    private StartupCacheRun() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Files.createTempDirectory("vcnn-startup-cache");
        int exitCode;
        try {
            exitCode = run(folder);
        } finally {
            Files.deleteIfExists(folder);
        }
        System.exit(exitCode); // the launcher keeps no cache from a run that failed
    }

    /** The four commands on a model of their own in {@code folder}, whose files they remove: 0 when all succeeded. */
    static int run(Path folder) throws IOException {
        Path model = folder.resolve("model.npz");
        Path picture = folder.resolve("filters.png");
        try {
            int failed = Main.run("train", "--epochs", "1", "--train-size", "300", "--test-size", "100",
                    "--save", model.toString());
            failed |= Main.run("eval", "--model", model.toString(), "--test-size", "100");
            failed |= Main.run("filters", "--model", model.toString(), "--out", picture.toString());
            failed |= Main.run("predict", "--model", model.toString(), picture.toString());
            return failed == 0 ? 0 : 1;
        } finally {
            Files.deleteIfExists(picture);
            Files.deleteIfExists(model);
        }
    }
}
