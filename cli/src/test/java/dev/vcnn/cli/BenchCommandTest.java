package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    private static final Pattern ROW = Pattern.compile("(?m)^(scalar|vector \\(\\d+-bit, \\d+ float lanes\\))\\s+[\\d,]+\\s+[\\d,]+\\s+\\d+\\.\\dx$");

    @Test
    void measuresTheScalarEngineAndEveryVectorWidthInChildJvms() {
        // surefire forks its JVMs with a class path and the vector module, as the launcher does
        CliRun run = CliRun.of("bench", "--warmup", "0", "--rounds", "1", "--round", "0.01");
        assertEquals(0, run.exitCode(), run.err());
        long rows = ROW.matcher(run.out()).results().count();
        assertTrue(run.out().contains("scalar "), run.out());
        assertTrue(run.out().contains("vector (128-bit, 4 float lanes)"), run.out());
        assertEquals(1 + KernelSelection.vectorWidths().length, rows, run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--rounds=0", "--round=0", "--warmup=-1", "--round=NaN"})
    void nonsenseValuesAreUsageErrors(String flag) {
        CliRun run = CliRun.of("bench", flag);
        assertEquals(2, run.exitCode(), run.err());
    }
}
