package dev.vcnn.bench;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.training.Sgd;
import dev.vcnn.engine.training.Trainer;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The 1- against 2-thread scaling of the deep preset measured in one JVM, the two trainers taking
 * turns: slices of {@value #SLICE_MILLIS} ms of batch-32 training steps, 1 thread then 2, then two
 * 1-thread trainers at once on two threads, each on a network of its own (the ceiling: what two cores
 * give this work when nothing crosses between them); and whole evaluations of 10,000 images, 1 thread
 * then 2. Each pair of turns is a ratio; the median of those ratios is the scaling.
 * {@link ThreadsReport} (JMH, the figures the documentation quotes) runs one JVM for 1 thread and a
 * later one for 2, so a host that slows one core for a minute moves its ratios; here both sides of a
 * ratio run within a second of each other, which shows the scaling of that minute's host, and a
 * spread between the quartiles shows how steady the host was.
 * <pre>bench/threads-interleaved [--batch B] [--slices N]</pre>
 * A diagnostic beside the JMH report, not a replacement: its timing loop is a plain one.
 */
public final class InterleavedScaling {
    private static final long SLICE_MILLIS = 150;
    private static final int WARM_UP_TURNS = 10;
    private static final int EVALUATED = 10_000;
    private static final int EVALUATIONS = 15;

    private InterleavedScaling() {
    }

    public static void main(String[] args) throws InterruptedException {
        int[] options = options(args);
        int batch = options[0];
        int slices = options[1];
        System.out.printf("vcnn interleaved scaling: deep preset, vector kernels, %d processors, Java %s%n%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.println("| work | 1 thread (median) | 2 threads (median) | scaling (median of turns) | quartiles |");
        System.out.println("| --- | ---: | ---: | ---: | --- |");
        training(batch, slices);
        evaluation();
        System.out.println();
        System.out.println("How far apart the host has put the two cores (CoreHandoff): " + CoreHandoff.measure() + ".");
    }

    private static void training(int batch, int slices) throws InterruptedException {
        Dataset data = ThreadBenchmarks.images(1024, 2);
        Sgd sgd = new Sgd(0.001f, batch, 0.9f);
        int[][] batches = new int[data.count() / batch][batch];
        for (int b = 0; b < batches.length; b++) {
            for (int j = 0; j < batch; j++) {
                batches[b][j] = b * batch + j;
            }
        }
        // [contender][slice]: the mean step time on 1 thread, on 2, and per batch of two 1-thread
        // trainers stepping at once on two threads (half their mean step time)
        double[][] micros = new double[3][slices];
        try (Trainer one = new Trainer(ThreadBenchmarks.deep(), 1);
             Trainer two = new Trainer(ThreadBenchmarks.deep(), 2);
             Trainer beside = new Trainer(ThreadBenchmarks.deep(), 1)) {
            for (int turn = -WARM_UP_TURNS; turn < slices; turn++) {
                double alone = slice(one, data, batches, sgd);
                double shared = slice(two, data, batches, sgd);
                double pair = sideBySide(one, beside, data, batches, sgd);
                if (turn >= 0) {
                    micros[0][turn] = alone;
                    micros[1][turn] = shared;
                    micros[2][turn] = pair;
                }
            }
        }
        row("training step, batch " + batch, micros[0], micros[1], "us");
        row("ceiling: two 1-thread trainers at once, batch " + batch + " (time per batch)", micros[0], micros[2], "us");
    }

    // SLICE_MILLIS of steps through the batches from a random one: the mean step time in microseconds
    private static double slice(Trainer trainer, Dataset data, int[][] batches, Sgd sgd) {
        int next = ThreadLocalRandom.current().nextInt(batches.length);
        long start = System.nanoTime();
        long end = start + SLICE_MILLIS * 1_000_000;
        int steps = 0;
        long now;
        do {
            trainer.step(data, batches[next], sgd);
            next = (next + 1) % batches.length;
            steps++;
        } while ((now = System.nanoTime()) < end);
        return (now - start) / 1e3 / steps;
    }

    // two 1-thread trainers, each on a network of its own, step side by side on two threads for a
    // slice: what two cores give this work when nothing crosses between them. Microseconds per batch
    // of the two together (two batches per mean step time)
    private static double sideBySide(Trainer a, Trainer b, Dataset data, int[][] batches, Sgd sgd)
            throws InterruptedException {
        double[] each = new double[2];
        CountDownLatch ready = new CountDownLatch(1);
        Thread other = Thread.ofPlatform().start(() -> {
            ready.countDown();
            each[1] = slice(b, data, batches, sgd);
        });
        ready.await();
        each[0] = slice(a, data, batches, sgd);
        other.join();
        return (each[0] + each[1]) / 4;
    }

    private static void evaluation() {
        Dataset data = ThreadBenchmarks.images(EVALUATED, 3);
        double[][] millis = new double[2][EVALUATIONS];
        try (Trainer one = new Trainer(ThreadBenchmarks.deep(), 1);
             Trainer two = new Trainer(ThreadBenchmarks.deep(), 2)) {
            Trainer[] trainers = {one, two};
            for (int turn = -WARM_UP_TURNS / 2; turn < EVALUATIONS; turn++) {
                for (int t = 0; t < 2; t++) {
                    long start = System.nanoTime();
                    trainers[t].evaluateByClass(data);
                    if (turn >= 0) {
                        millis[t][turn] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
        }
        row(String.format("evaluation, %,d images", EVALUATED), millis[0], millis[1], "ms");
    }

    // the ratio of each turn's pair of times, then their median and quartiles
    private static void row(String work, double[] one, double[] two, String unit) {
        int turns = one.length;
        double[] ratios = new double[turns];
        for (int k = 0; k < turns; k++) {
            ratios[k] = one[k] / two[k];
        }
        System.out.printf("| %s | %.1f %s | %.1f %s | %.2fx | %.2fx - %.2fx |%n", work, quantile(one, 0.5), unit,
                quantile(two, 0.5), unit, quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75));
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.round(q * (sorted.length - 1))];
    }

    // --batch B (2..1024, the images the training turns cycle through) and --slices N (at least 2)
    private static int[] options(String[] args) {
        int[] values = {32, 60};
        for (int k = 0; k < args.length; k += 2) {
            int which = switch (args[k]) {
                case "--batch" -> 0;
                case "--slices" -> 1;
                default -> throw usage("unknown option '" + args[k] + "' (takes --batch B and --slices N)");
            };
            int max = which == 0 ? 1024 : 100_000;
            if (k + 1 == args.length) {
                throw usage(args[k] + " needs a number");
            }
            String value = args[k + 1];
            try {
                values[which] = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                values[which] = -1;
            }
            if (values[which] < 2 || values[which] > max) {
                throw usage(args[k] + " takes a whole number from 2 to " + max + ", got '" + value + "'");
            }
        }
        return values;
    }

    private static IllegalArgumentException usage(String message) {
        System.err.println("threads-interleaved: " + message);
        System.exit(2);
        return new IllegalArgumentException(message);
    }
}
