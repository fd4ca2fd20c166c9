package dev.vcnn.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs {@link ThreadBenchmarks} and prints the scaling from 1 to 2 threads as a markdown table:
 * per batch size the deep preset's training step, then its inference over 1,000 images.
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vcnn.bench.ThreadsReport [--quick]</pre>
 * About 3.5 minutes; {@code --quick}: about 2 minutes, fewer and shorter iterations.
 */
public final class ThreadsReport {

    private ThreadsReport() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = Arrays.asList(args).contains("--quick");
        Path logs = Files.createTempDirectory("vcnn-jmh-threads-");
        System.err.println("vcnn threads report: running ThreadBenchmarks; JMH's own output goes to " + logs);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(ThreadBenchmarks.class.getName() + "\\..*")
                .output(logs.resolve("threads.log").toString())
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL);
        if (quick) {
            options.warmupIterations(3).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(500));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        // [batch or 0 for inference] -> [us on 1 thread, us on 2]
        Map<Integer, double[]> rows = new TreeMap<>();
        for (RunResult run : results) {
            var params = run.getParams();
            boolean inference = params.getBenchmark().endsWith("deepInference1000");
            int batch = inference ? 0 : Integer.parseInt(params.getParam("batch"));
            int threads = Integer.parseInt(params.getParam("threads"));
            rows.computeIfAbsent(batch, b -> new double[] {Double.NaN, Double.NaN})[threads - 1] =
                    run.getPrimaryResult().getScore();
        }
        System.out.printf("vcnn threads report%s: deep preset, vector kernels, %d processors, Java %s%n%n",
                quick ? " (--quick)" : "", Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.println("| work | 1 thread | 2 threads | images/s (1 / 2 threads) | scaling |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        for (Map.Entry<Integer, double[]> row : rows.entrySet()) {
            int images = row.getKey() == 0 ? ThreadBenchmarks.EVALUATED : row.getKey();
            String work = row.getKey() == 0 ? "inference, 1,000 images" : "training step, batch " + row.getKey();
            double one = row.getValue()[0];
            double two = row.getValue()[1];
            System.out.printf("| %s | %.0f us | %.0f us | %,.0f / %,.0f | %.2fx |%n", work, one, two,
                    images * 1e6 / one, images * 1e6 / two, one / two);
        }
        System.out.println();
        System.out.println("JMH averages over the measured iterations (one JVM per configuration). On a machine "
                + "shared with other work, the 2-thread figures are the first to suffer.");
    }
}
