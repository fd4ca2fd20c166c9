package dev.vcnn.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the project's shared real data sets ({@code ../shared/data/} next to the repository root), which
 * developers and CI have but users do not, so tests that need them skip when they are absent.
 */
public final class SharedData {

    private SharedData() {
    }

    /** The folder holding the four gzip MNIST files, if this machine has it. */
    public static Optional<Path> mnist() {
        return find("mnist");
    }

    /** The folder holding the four gzip Fashion-MNIST files, if this machine has it. */
    public static Optional<Path> fashionMnist() {
        return find("fashion-mnist");
    }

    // Tests run in the module folder (<clone>/engine) and the clone's folder name varies, so walk up
    // until some ancestor has shared/data/<name>: that is <clone>/.. in the usual layout.
    private static Optional<Path> find(String dataSet) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("data").resolve(dataSet);
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
