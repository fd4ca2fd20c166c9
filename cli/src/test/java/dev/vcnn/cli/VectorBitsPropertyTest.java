package dev.vcnn.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A nonsense {@code -Dvcnn.vectorBits} (users set it through VCNN_JAVA_OPTS) is a one-line usage
 * error from every command that picks kernels, not a stack trace from a failed class initializer.
 * Every path checks the property before the vector class is loaded, so setting it here for a moment
 * leaves that class, and the other tests in this JVM, alone.
 */
class VectorBitsPropertyTest {
    private static final String PROPERTY = "vcnn.vectorBits";
    private static final String MESSAGE =
            "vcnn: -Dvcnn.vectorBits=1024 is not a vector width; use 128, 256, 512, or 0 for scalar";

    private String before;

    @BeforeEach
    void setNonsenseWidth() {
        before = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, "1024");
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, before);
        }
    }

    private static void assertOneLineUsageError(CliRun run) {
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(MESSAGE, run.err().lines().findFirst().orElse(""), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
        assertEquals("", run.out());
    }

    @Test
    void trainSaysWhatIsWrongWithTheProperty() {
        assertOneLineUsageError(CliRun.of("train", "--train-size", "10", "--test-size", "10", "--quiet"));
    }

    @Test
    void benchSaysSoBeforeMeasuringAnything() {
        assertOneLineUsageError(CliRun.of("bench"));
    }

    @Test
    void theWarmupMainStartsBeforeParsingDoesNotGetInTheWay() {
        assertEquals(2, Main.run("train", "--train-size", "10", "--test-size", "10", "--quiet"));
    }
}
