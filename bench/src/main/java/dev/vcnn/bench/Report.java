package dev.vcnn.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the JMH suite in bounded time and prints one markdown table: per benchmark and shape the
 * median scalar and vector time, their ratio, the vector GFLOP/s and its share of the peak that
 * {@link PeakBenchmark} measured in the same run (its fastest iteration), and bytes allocated per operation.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vcnn.bench.Report [--quick|--deep] [--mnist DIR]</pre>
 * Default: the seed's, the large and the deep preset's shapes ({@link DeepBenchmarks}: each layer's
 * kernels, per image and over a group of 32; {@link NetworkBenchmarks}: the whole step and inference;
 * {@link DeepBatchBenchmarks}: the deep preset's whole step and inference over a batch of 32),
 * 3 x 1 s warm-up and 5 x 1 s measurement per benchmark, the seed-shape training step and inference in
 * three JVMs each (about 15 minutes).
 * {@code --quick}: the seed's shape only, 2 x 1 s warm-up and 3 x 0.3 s measurement (under 2 minutes).
 * {@code --deep}: the deep preset's rows and the peak only (about 7 minutes; with {@code --quick}, at its
 * lengths, about 3). {@code --mnist DIR}: the MNIST folder that {@code bench/peers/torch_deep.py} trains
 * on, for the line that sets the deep preset against PyTorch's.
 * The warm-up stays a full 2 s even then: until C2 has compiled a vector kernel it runs interpreted or
 * C1-compiled Vector API code, which boxes every vector and is hundreds of times slower than scalar.
 */
public final class Report {
    // JVMs for the seed shape's training step and inference, the rows the targets are about
    private static final int SEED_NETWORK_FORKS = 3;
    // 1 s warm-up iterations for the deep preset's whole step and inference (see deepNetworkOptions)
    private static final int DEEP_NETWORK_WARMUPS = 6;

    private Report() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        boolean deepOnly = false;
        Path mnist = null;
        for (int k = 0; k < args.length; k++) {
            switch (args[k]) {
                case "--quick" -> quick = true;
                case "--deep" -> deepOnly = true;
                case "--mnist" -> {
                    if (k + 1 == args.length) {
                        usage("--mnist needs a folder");
                    }
                    mnist = Path.of(args[++k]);
                }
                default -> usage("unknown argument '" + args[k] + "'");
            }
        }
        // JMH echoes every fork's output (JVM warnings included); keep it out of the table, in logs
        Path logs = Files.createTempDirectory("vcnn-jmh-");
        System.err.println("vcnn bench report: running the JMH suite" + (deepOnly ? " (deep)" : "") + (quick ? " (quick)" : "")
                + "; JMH's own output goes to " + logs);
        long start = System.nanoTime();
        List<RunResult> results = new ArrayList<>();
        String kernels = KernelBenchmarks.class.getName() + "\\..*|" + PeakBenchmark.class.getName() + "\\..*";
        String network = NetworkBenchmarks.class.getName() + "\\..*";
        String deep = DeepBenchmarks.class.getName() + "\\..*";
        String deepBatch = DeepBatchBenchmarks.class.getName() + "\\..*";
        String peak = PeakBenchmark.class.getName() + "\\..*";
        if (deepOnly) {
            results.addAll(run(options(logs, "deep", quick).include(deep).include(peak)));
            results.addAll(run(deepNetworkOptions(logs, quick).include(network).include(deepBatch)));
        } else if (quick) {
            results.addAll(run(options(logs, "all", quick).include(kernels).include(network).param("shape", "seed")));
        } else {
            results.addAll(run(options(logs, "kernels", quick).include(kernels).include(deep)));
            results.addAll(run(deepNetworkOptions(logs, quick).include(network).include(deepBatch)));
            results.addAll(run(options(logs, "network-large", quick).include(network).param("shape", "large")));
            // the step and inference the targets are about run in three JVMs, and their medians are over all
            // three: a single fork lands in the host's slow state a third to half of the time (see README)
            results.addAll(run(options(logs, "network-seed", quick).include(network).param("shape", "seed")
                    .forks(SEED_NETWORK_FORKS)));
        }
        print(results, System.out, quick, deepOnly, (System.nanoTime() - start) / 1e9);
        if (deepOnly || !quick) {
            // after JMH has finished, so the two never share the cores
            TorchPeer.compare(deepRate(results, NetworkBenchmarks.class, "trainingStepVector", 1),
                    deepRate(results, NetworkBenchmarks.class, "inferenceVector", 1),
                    deepRate(results, DeepBatchBenchmarks.class, "trainingStepBatch32Vector", DeepShapes.BATCH),
                    deepRate(results, DeepBatchBenchmarks.class, "inferenceBatch32Vector", DeepShapes.BATCH),
                    mnist, System.out);
        }
    }

    private static void usage(String problem) {
        System.err.println("usage: Report [--quick] [--deep] [--mnist DIR]   (" + problem + ")");
        System.exit(2);
    }

    // images/s of a deep-shape benchmark method whose call covers `images` images: images * 1e9 / its
    // median ns per call
    private static double deepRate(Collection<RunResult> results, Class<?> benchmarks, String method, int images) {
        for (RunResult run : results) {
            BenchmarkParams params = run.getParams();
            if (params.getBenchmark().equals(benchmarks.getName() + "." + method)
                    && DeepShapes.NAME.equals(params.getParam("shape"))) {
                return images * 1e9 / median(run);
            }
        }
        return Double.NaN;
    }

    private static ChainedOptionsBuilder options(Path logs, String part, boolean quick) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .output(logs.resolve(part + ".log").toString())
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL);
        if (quick) {
            options.warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
        }
        return options;
    }

    // the deep step's vector kernels take about 4 s on one thread before C2 has compiled them all (one JVM,
    // 1 s iterations: 26 ms, 4.4 ms, 1.1 ms, 85 us, then 54 us a step): 2 or 3 s of warm-up timed the
    // interpreter's boxed vectors, so the deep step and inference always get 6 s, --quick included
    private static ChainedOptionsBuilder deepNetworkOptions(Path logs, boolean quick) {
        return options(logs, "network-deep", quick).param("shape", DeepShapes.NAME)
                .warmupIterations(DEEP_NETWORK_WARMUPS).warmupTime(TimeValue.seconds(1));
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    private record Row(String name, String shape) implements Comparable<Row> {
        @Override
        public int compareTo(Row other) {
            int byShape = shape.compareTo(other.shape);
            return byShape != 0 ? -byShape : name.compareTo(other.name); // seed, large, then deep
        }
    }

    // forkMedians: the median of each JVM's iterations, where the benchmark ran in more than one
    private record Measured(double medianNanos, double bytesPerOp, List<Double> forkMedians) {
    }

    static void print(Collection<RunResult> results, PrintStream out, boolean quick, boolean deepOnly, double seconds) {
        Map<Row, Measured[]> rows = new TreeMap<>();
        double peakGflops = Double.NaN;
        for (RunResult run : results) {
            BenchmarkParams params = run.getParams();
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            Measured measured = new Measured(median(run), bytesPerOp(run), forkMedians(run));
            if (method.equals("fmaChains")) {
                peakGflops = PeakBenchmark.flopsPerOperation() / fastest(run);
                continue;
            }
            boolean vector = method.endsWith("Vector");
            String name = method.substring(0, method.length() - (vector ? "Vector" : "Scalar").length());
            rows.computeIfAbsent(new Row(name, params.getParam("shape")), r -> new Measured[2])[vector ? 1 : 0] = measured;
        }
        out.printf("vcnn JMH report%s: %s, %s, Java %s, vector width %d bits; %.0f s%n%n",
                (deepOnly ? " (--deep)" : "") + (quick ? " (--quick)" : ""), cpuModel(), "1 thread", Runtime.version(),
                PeakBenchmark.SPECIES.vectorBitSize(), seconds);
        out.printf("Peak (FMA chains, same run, fastest iteration): %.1f GFLOP/s%n%n", peakGflops);
        out.println("| benchmark | shape | scalar | vector | speedup | vector GFLOP/s | % of peak | B/op (scalar / vector) |");
        out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<Row, Measured[]> entry : rows.entrySet()) {
            Row row = entry.getKey();
            Measured scalar = entry.getValue()[0];
            Measured vector = entry.getValue()[1];
            long flops = row.shape().equals(DeepShapes.NAME) ? DeepShapes.flops(row.name())
                    : flops(row.name(), Shapes.valueOf(row.shape()));
            double gflops = flops > 0 ? flops / vector.medianNanos() : Double.NaN;
            // a batch row's call covers several images: its times also per image, to set beside the batch-1 row
            int images = row.shape().equals(DeepShapes.NAME) ? DeepShapes.images(row.name()) : 1;
            out.printf("| %s | %s | %s | %s | %.1fx | %s | %s | %s / %s |%n",
                    row.name(), row.shape(), time(scalar.medianNanos(), images), time(vector.medianNanos(), images),
                    scalar.medianNanos() / vector.medianNanos(),
                    flops > 0 ? String.format("%.1f", gflops) : "-",
                    flops > 0 ? String.format("%.1f%%", 100 * gflops / peakGflops) : "-",
                    bytes(scalar.bytesPerOp()), bytes(vector.bytesPerOp()));
        }
        out.println();
        out.print("Times are medians over measurement iterations of the mean time per call; images/s = 1e9 / "
                + "trainingStep or inference time.");
        // the batch rows are the deep preset's alone: a seed-only (--quick) table has none to explain
        if (rows.keySet().stream().anyMatch(row -> DeepShapes.images(row.name()) > 1)) {
            out.print(" A " + DeepShapes.BATCH_SUFFIX + " row times one call over "
                    + DeepShapes.BATCH + " images (the dense layers through the batch kernels, the convolutions as "
                    + DeepShapes.BATCH + " per-image calls; trainingStep and inference: a trainer's mini-batch step on "
                    + "one thread, and forward groups of " + DeepBatchInputs.GROUP + "), also given per image beside "
                    + "the batch-1 row above it.");
        }
        out.println();
        for (Map.Entry<Row, Measured[]> entry : rows.entrySet()) {
            Measured scalar = entry.getValue()[0];
            Measured vector = entry.getValue()[1];
            if (vector.forkMedians().size() > 1) {
                out.printf("%s (%s) ran in %d JVMs; the median of each one's iterations: scalar %s, vector %s.%n",
                        entry.getKey().name(), entry.getKey().shape(), vector.forkMedians().size(),
                        times(scalar.forkMedians()), times(vector.forkMedians()));
            }
        }
    }

    private static String times(List<Double> nanos) {
        return String.join(" / ", nanos.stream().map(Report::time).toList());
    }

    // FLOP of one call, counting a multiply-add as 2; 0 where the work is comparisons and moves
    private static long flops(String benchmark, Shapes s) {
        return switch (benchmark) {
            case "convForward", "convPoolForward", "convFilterGradient", "convInputGradient" -> s.convFlops();
            case "convFilterGradientFromPool" -> s.filterGradientFromPoolFlops();
            case "denseForward" -> s.denseForwardFlops();
            case "denseBackward" -> s.denseBackwardFlops();
            case "inference" -> s.inferenceFlops();
            case "trainingStep" -> s.trainingStepFlops();
            default -> 0;
        };
    }

    private static double median(RunResult run) {
        return median(iterationScores(run));
    }

    // sorted: fastest first
    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    // in the order the JVMs ran
    private static List<Double> forkMedians(RunResult run) {
        List<Double> medians = new ArrayList<>();
        for (BenchmarkResult fork : run.getBenchmarkResults()) {
            medians.add(median(scores(fork.getIterationResults())));
        }
        return medians;
    }

    // the fastest iteration: other work on the machine only ever slows an FMA chain down, so for the
    // peak the best iteration is the closest to what the core can do (a median taken while the SMT
    // sibling was busy once put kernels at 125% of "peak")
    private static double fastest(RunResult run) {
        return iterationScores(run).get(0);
    }

    // ns per operation of every measured iteration in every JVM, fastest first
    private static List<Double> iterationScores(RunResult run) {
        List<IterationResult> iterations = new ArrayList<>();
        for (BenchmarkResult fork : run.getBenchmarkResults()) {
            iterations.addAll(fork.getIterationResults());
        }
        return scores(iterations);
    }

    // ns per operation of these iterations, fastest first
    private static List<Double> scores(Collection<IterationResult> iterations) {
        List<Double> scores = new ArrayList<>();
        for (IterationResult iteration : iterations) {
            scores.add(iteration.getPrimaryResult().getScore());
        }
        scores.sort(null);
        return scores;
    }

    private static double bytesPerOp(RunResult run) {
        // JMH hands out its results as raw types; only the keys are looked at here, by name
        Map<String, ?> secondary = run.getAggregatedResult().getSecondaryResults();
        for (String key : secondary.keySet()) {
            if (key.endsWith("gc.alloc.rate.norm")) {
                return run.getAggregatedResult().getSecondaryResults().get(key).getScore();
            }
        }
        return Double.NaN;
    }

    // a call's time, and for a call over several images its time per image: "45.10 us (1.41 us/image)"
    private static String time(double nanos, int images) {
        return images == 1 ? time(nanos) : time(nanos) + " (" + time(nanos / images) + "/image)";
    }

    private static String time(double nanos) {
        return nanos >= 1e6 ? String.format("%.2f ms", nanos / 1e6)
                : nanos >= 1e3 ? String.format("%.2f us", nanos / 1e3) : String.format("%.0f ns", nanos);
    }

    private static String bytes(double bytes) {
        return Double.isNaN(bytes) ? "?" : String.format("%.0f", bytes);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (Exception e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
