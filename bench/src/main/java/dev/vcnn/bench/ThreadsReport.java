package dev.vcnn.bench;

import org.openjdk.jmh.annotations.Mode;
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
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ThreadBenchmarks} and prints the scaling from 1 to 2 threads as a markdown table:
 * per batch size the deep preset's training step, then its inference over 1,000 images.
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vcnn.bench.ThreadsReport [--quick]</pre>
 *
 * <p>The host these machines share runs a core slower or faster for seconds at a time, so one JVM
 * for 1 thread and a later one for 2 threads can differ by 30% either way. Each work is therefore run
 * in {@link #ROUNDS} rounds, a JVM for 1 thread and one for 2 back to back (in alternating order), and
 * the table gives the medians of the rounds and of their ratios. Beside each batch-32 round, the FMA
 * chains of {@link PeakBenchmark} on 1 and 2 threads give the host's own ceiling in that minute. About
 * 5.5 minutes; {@code --quick}: one round with shorter iterations, about 2 minutes.
 */
public final class ThreadsReport {
    private static final int ROUNDS = 3;
    private static final String[] WORKS = {"8", "16", "32", "64", "inference"};
    /** The batch whose rounds also measure the host's FMA scaling from 1 to 2 threads: the target's. */
    private static final String CEILING_BESIDE = "32";

    private ThreadsReport() {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        boolean quick = Arrays.asList(args).contains("--quick");
        int rounds = quick ? 1 : ROUNDS;
        Path logs = Files.createTempDirectory("vcnn-jmh-threads-");
        System.err.println("vcnn threads report: running ThreadBenchmarks; JMH's own output goes to " + logs);
        System.out.printf("vcnn threads report%s: deep preset, vector kernels, %d processors, Java %s%n%n",
                quick ? " (--quick)" : "", Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.println("| work | 1 thread | 2 threads | images/s (1 / 2 threads) | scaling | rounds' scalings |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | --- |");
        double[] ceilings = new double[rounds];
        for (String work : WORKS) {
            boolean inference = work.equals("inference");
            double[][] times = new double[2][rounds];
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < 2; k++) {
                    int threads = (round + k) % 2 + 1; // 1 then 2, then 2 then 1, ...
                    times[threads - 1][round] = run(logs, work, threads, round, quick);
                }
                ratios[round] = times[0][round] / times[1][round];
                if (work.equals(CEILING_BESIDE)) {
                    ceilings[round] = peak(logs, 2, round) / peak(logs, 1, round);
                }
            }
            int images = inference ? ThreadBenchmarks.EVALUATED : Integer.parseInt(work);
            double one = median(times[0]);
            double two = median(times[1]);
            StringBuilder each = new StringBuilder();
            for (double ratio : ratios) {
                each.append(each.isEmpty() ? "" : ", ").append(String.format("%.2fx", ratio));
            }
            System.out.printf("| %s | %.0f us | %.0f us | %,.0f / %,.0f | %.2fx | %s |%n",
                    inference ? "inference, 1,000 images" : "training step, batch " + work, one, two,
                    images * 1e6 / one, images * 1e6 / two, median(ratios), each);
        }
        System.out.println();
        StringBuilder each = new StringBuilder();
        for (double ceiling : ceilings) {
            each.append(each.isEmpty() ? "" : ", ").append(String.format("%.2fx", ceiling));
        }
        System.out.printf("The host's own ceiling beside the batch-%s rounds: FMA chains (PeakBenchmark) on 2 threads "
                + "against 1, %.2fx (rounds: %s). A round whose ceiling is under a target cannot show it.%n%n",
                CEILING_BESIDE, median(ceilings), each);
        System.out.println("How far apart the host has put the two cores (CoreHandoff, at the end): " + CoreHandoff.measure()
                + ". Data-parallel training moves about this much between the cores every step.");
        System.out.println();
        System.out.println("Times: medians over the rounds of JMH's average per run (one JVM per run); scaling: "
                + "the median of the rounds' ratios. On a machine shared with other work, the 2-thread figures "
                + "are the first to suffer.");
    }

    // one JVM: the work on `threads` threads, JMH's average time per operation in microseconds
    private static double run(Path logs, String work, int threads, int round, boolean quick)
            throws RunnerException {
        boolean inference = work.equals("inference");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(ThreadBenchmarks.class.getName() + (inference ? ".deepInference1000" : ".deepTrainingStep"))
                .param("threads", Integer.toString(threads))
                .output(logs.resolve(work + "-" + threads + "-" + round + ".log").toString())
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .warmupIterations(quick ? 3 : 4).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 4).measurementTime(TimeValue.seconds(1));
        if (!inference) {
            options.param("batch", work);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        return results.iterator().next().getPrimaryResult().getScore();
    }

    // one JVM: PeakBenchmark's FMA chains on `threads` threads, all threads' operations per microsecond
    // (JMH sums throughput over threads); right after a batch's round, so both see the host's same minute
    private static double peak(Path logs, int threads, int round) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(PeakBenchmark.class.getName() + ".fmaChains")
                .threads(threads)
                .mode(Mode.Throughput)
                .timeUnit(TimeUnit.MICROSECONDS)
                .output(logs.resolve("peak-" + threads + "-" + round + ".log").toString())
                .shouldFailOnError(true)
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        return new Runner(options.build()).run().iterator().next().getPrimaryResult().getScore();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
