package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.network.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void measuresTheDeepPresetAtBatch1AndAtAMiniBatchAndNamesItAboveTheTable() {
        CliRun run = CliRun.of("bench", "--net", "deep", "--batch", "4", "--threads", "1",
                "--warmup", "0", "--rounds", "1", "--round", "0.01");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("network deep (" + NetworkSpec.DEEP + ")"), run.out());
        assertTrue(run.out().contains("batch 4 img/s"), run.out());
        Pattern row = Pattern.compile(
                "(?m)^(scalar|vector \\(\\d+-bit, \\d+ float lanes\\))\\s+[\\d,]+\\s+[\\d,]+\\s+[\\d,]+\\s+\\d+\\.\\dx$");
        assertEquals(1 + KernelSelection.vectorWidths().length, row.matcher(run.out()).results().count(), run.out());
        assertTrue(run.out().contains("Batch 4 training: mini-batch SGD, momentum 0.9, on 1 thread"), run.out());
    }

    @Test
    void theSeedTableDoesNotNameItsNetwork() {
        CliRun run = CliRun.of("bench", "--net", "seed", "--warmup", "0", "--rounds", "1", "--round", "0.01");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.out().contains("network"), run.out());
        assertEquals(1 + KernelSelection.vectorWidths().length, ROW.matcher(run.out()).results().count(), run.out());
    }

    @Test
    void aBadNetworkIsAUsageErrorBeforeAnyMeasurement() {
        CliRun run = CliRun.of("bench", "--net", "conv3x3:8,blur,dense:10");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--net conv3x3:8,blur,dense:10"), run.err());
        assertFalse(run.err().contains("measuring"), run.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dense:5", "dense:20", "conv3x3:4,maxpool2,maxpool2,maxpool2,maxpool2,maxpool2,dense:10",
            "dense:100000000"})
    void aNetworkThatDoesNotFitTheImagesIsTheUsageErrorTrainGivesBeforeAnyMeasurement(String net) {
        CliRun bench = CliRun.of("bench", "--net", net);
        CliRun train = CliRun.of("train", "--net", net);
        assertEquals(2, train.exitCode(), train.err());
        assertEquals(2, bench.exitCode(), bench.err());
        String trainLine = train.err().lines().findFirst().orElseThrow();
        // the same check; only train's message for the classes adds --classes, which bench does not have
        String expected = trainLine.contains("give --classes") ? "vcnn: --net " + net + ": the last layer is " + net
                + ", but there are 10 classes: end the spec with dense:10" : trainLine;
        assertEquals(List.of(expected, "Try 'vcnn bench --help' for the options."), bench.err().lines().toList());
        assertTrue(bench.err().startsWith("vcnn: --net " + net + ": "), bench.err());
        assertTrue(bench.out().isEmpty(), bench.out());
    }

    @Test
    void warmUpsAndRoundsPastAnHourAreUsageErrorsNamingTheFlag() {
        // 1e10 s overflowed a deadline of start + nanoseconds: the run ended at once, reporting nonsense
        String[][] cases = {
                {"--round", "1e10", "--round must be above 0 and at most 3600 seconds, got 1.0E10"},
                {"--round", "3600.5", "--round must be above 0 and at most 3600 seconds, got 3600.5"},
                {"--warmup", "1e10", "--warmup must be from 0 to 3600 seconds, got 1.0E10"},
                {"--warmup", "Infinity", "--warmup must be from 0 to 3600 seconds, got Infinity"},
                {"--warmup", "-1", "--warmup must be from 0 to 3600 seconds, got -1.0"},
                {"--rounds", "0", "--rounds must be at least 1, got 0"},
        };
        for (String[] c : cases) {
            CliRun run = CliRun.of("bench", c[0], c[1]);
            assertEquals(2, run.exitCode(), run.err());
            assertEquals(List.of("vcnn: " + c[2], "Try 'vcnn bench --help' for the options."), run.err().lines().toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--rounds=0", "--round=0", "--warmup=-1", "--round=NaN", "--batch=1", "--batch=0"})
    void nonsenseValuesAreUsageErrors(String flag) {
        CliRun run = CliRun.of("bench", flag);
        assertEquals(2, run.exitCode(), run.err());
    }
}
