package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.KernelSelection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputTest {
    private static final Dataset DATA = new Dataset("blank", 4, 28, 28, new byte[4 * 28 * 28], new byte[4]);

    @Test
    void timesPastAnHourOrBelowZeroAreRefusedBeforeAnythingRuns() {
        // 1e10 s made a deadline start + nanoseconds overflow, so the rounds ended at once
        double[][] cases = {{1e10, 0.01}, {0, 1e10}, {3601, 0.01}, {0, 3601}, {-1, 0.01}, {0, 0},
                {Double.NaN, 0.01}, {0, Double.POSITIVE_INFINITY}};
        for (double[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Throughput.measure(KernelSelection.scalar(), DATA, c[0], 1, c[1], 1));
            assertTrue(e.getMessage().contains("3600"), e.getMessage());
        }
    }

    @Test
    void aShortMeasurementGivesPositiveRates() {
        Throughput.Rates rates = Throughput.measure(KernelSelection.scalar(), DATA, 0, 1, 0.01, 1);
        assertTrue(rates.training() > 0 && rates.inference() > 0, rates.toString());
    }
}
