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

/**
 * Runs {@link ThreadBenchmarks} and prints the scaling from 1 to 2 threads as a markdown table:
 * per batch size the deep preset's training step, then its inference over 1,000 images.
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vcnn.bench.ThreadsReport [--quick]</pre>
 *
 * <p>The host these machines share runs a core slower or faster for seconds at a time, and moves the
 * two virtual CPUs nearer or further apart for minutes at a time, so one JVM for 1 thread and a later
 * one for 2 threads can differ by 30% either way. Each work is therefore run in {@link #ROUNDS}
 * rounds, a JVM for 1 thread and one for 2 back to back (in alternating order), and the table gives
 * the medians of the rounds and of their ratios. Beside each batch-32 round, a third JVM runs two
 * 1-thread trainers at once, each on its own network (JMH on two threads): the images per second
 * that two cores give this very work when nothing crosses between them, the ceiling the 2-thread
 * step can approach in that minute; then {@link CoreHandoff} measures how far apart the two cores are.
 * About 8 minutes; {@code --quick}: one round with fewer iterations, about 2.5 minutes.
 */
public final class ThreadsReport {
    private static final int ROUNDS = 3;
    private static final String[] WORKS = {"8", "16", "32", "64", "inference"};
    /** The batch whose rounds also measure the host's ceiling and the cores' distance: the target's. */
    private static final String CEILING_BESIDE = "32";
    // 1 s iterations. The deep preset's kernels are still being compiled 6-8 s into a JVM, and on 2
    // threads the compiler takes a core from the step: 4 warm-up iterations left the 2-thread figures
    // falling through the measurement (1,085 to 958 us), 8 left them flat
    private static final int WARM_UP = 8;
    private static final int MEASURED = 4;

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
        CoreHandoff.Costs[] distances = new CoreHandoff.Costs[rounds];
        for (String work : WORKS) {
            boolean inference = work.equals("inference");
            double[][] times = new double[2][rounds];
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < 2; k++) {
                    int threads = (round + k) % 2 + 1; // 1 then 2, then 2 then 1, ...
                    times[threads - 1][round] = run(logs, work, threads, 1, round, quick);
                }
                ratios[round] = times[0][round] / times[1][round];
                if (work.equals(CEILING_BESIDE)) {
                    // two trainers at once, each a step per op: twice the images of one in this time
                    ceilings[round] = 2 * times[0][round] / run(logs, work, 1, 2, round, quick);
                    distances[round] = CoreHandoff.measure();
                }
            }
            int images = inference ? ThreadBenchmarks.EVALUATED : Integer.parseInt(work);
            double one = median(times[0]);
            double two = median(times[1]);
            System.out.printf("| %s | %.0f us | %.0f us | %,.0f / %,.0f | %.2fx | %s |%n",
                    inference ? "inference, 1,000 images" : "training step, batch " + work, one, two,
                    images * 1e6 / one, images * 1e6 / two, median(ratios), list(ratios, "%.2fx"));
        }
        System.out.println();
        double[] roundTrips = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            roundTrips[round] = distances[round].roundTripNanos();
        }
        System.out.printf("The host's ceiling beside the batch-%s rounds: two 1-thread trainers at once, each on its own "
                + "network (nothing crosses between the cores), gave %.2fx the images of one (rounds: %s): what two "
                + "cores give this work in that minute. A round whose ceiling is under a target cannot be expected "
                + "to show it.%n%n", CEILING_BESIDE, median(ceilings),
                list(ceilings, "%.2fx"));
        System.out.printf("How far apart the host had put the two cores after each batch-%s round (CoreHandoff): a cache "
                + "line's round trip of %s ns (about 100 side by side, about 500 apart); after the last, %s. "
                + "Data-parallel training moves about this much between the cores every step.%n%n", CEILING_BESIDE,
                list(roundTrips, "%.0f"), distances[rounds - 1]);
        System.out.println("Times: medians over the rounds of JMH's average per run (one JVM per run); scaling: "
                + "the median of the rounds' ratios. On a machine shared with other work, the 2-thread figures "
                + "are the first to suffer.");
    }

    private static String list(double[] values, String format) {
        StringBuilder each = new StringBuilder();
        for (double value : values) {
            each.append(each.isEmpty() ? "" : ", ").append(String.format(format, value));
        }
        return each.toString();
    }

    // one JVM: the work on `threads` threads per trainer, run by `trainers` JMH threads at once (each
    // with a trainer and network of its own); JMH's average time per operation in microseconds
    private static double run(Path logs, String work, int threads, int trainers, int round, boolean quick)
            throws RunnerException {
        boolean inference = work.equals("inference");
        String name = work + "-" + threads + (trainers > 1 ? "-x" + trainers : "") + "-" + round;
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(ThreadBenchmarks.class.getName() + (inference ? ".deepInference1000" : ".deepTrainingStep"))
                .param("threads", Integer.toString(threads))
                .threads(trainers)
                .output(logs.resolve(name + ".log").toString())
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .warmupIterations(quick ? WARM_UP - 1 : WARM_UP).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? MEASURED - 1 : MEASURED).measurementTime(TimeValue.seconds(1));
        if (!inference) {
            options.param("batch", work);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        return results.iterator().next().getPrimaryResult().getScore();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
