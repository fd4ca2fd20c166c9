package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Throughput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vcnn bench}: training and inference images/s of a network (the seed's unless {@code --net})
 * for the scalar engine and every vector width this machine runs, each measured in a fresh JVM after
 * a warm-up; with {@code --batch}, also training at that mini-batch.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Measures training and inference images/s of a network (the seed's unless --net; per-sample "
                + "training on one thread, inference and --batch training on --threads; bundled MNIST images) for the "
                + "scalar engine and each vector width this machine supports. "
                + "Takes about 5 s per engine; for rigorous per-kernel figures use the JMH suite (bench/report).")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--warmup", defaultValue = "2.5", paramLabel = "SECONDS",
            description = "Warm-up per engine before timing, so the JIT has compiled the kernels, 0 to 3600 "
                    + "(default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N",
            description = "Timed rounds per engine and workload; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--round", defaultValue = "0.2", paramLabel = "SECONDS",
            description = "Length of one timed round, above 0 and at most 3600 (default: ${DEFAULT-VALUE}).")
    double roundSeconds;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the inference figures, 1 to 256 (default: the available processors); "
                    + "the training figure is the seed's per-sample SGD, which runs on one.")
    Integer threads;

    @Option(names = "--net", paramLabel = "SPEC",
            description = "The network to measure, as in train --net: layers such as conv3x3:16,relu,maxpool2,dense:10, "
                    + "or a preset: seed (the default) or deep.")
    String net;

    @Option(names = "--batch", paramLabel = "B",
            description = "Also measure training at mini-batches of B images (at least 2; SGD, momentum 0.9, a small "
                    + "learning rate) on --threads, beside the per-sample figure.")
    Integer batch;

    @CommandLine.Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private record Row(String engine, double training, double inference, double batchTraining) {
    }

    @Override
    public Integer call() throws IOException, InterruptedException, DataFormatException {
        if (!(warmupSeconds >= 0 && warmupSeconds <= Throughput.MAX_SECONDS)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be from 0 to "
                    + (int) Throughput.MAX_SECONDS + " seconds, got " + warmupSeconds);
        }
        if (!(roundSeconds > 0 && roundSeconds <= Throughput.MAX_SECONDS)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--round must be above 0 and at most "
                    + (int) Throughput.MAX_SECONDS + " seconds, got " + roundSeconds);
        }
        if (rounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
        }
        if (batch != null && batch < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 2, got " + batch
                    + " (the training column is already batch 1)");
        }
        NetworkSpec network = net == null ? NetworkSpec.seed() : NetOption.parse(net, spec.commandLine());
        // what the workers will build, checked here: a spec that does not fit is the user's to fix, not a
        // failed measurement
        Dataset images = TrainingData.train(null, 1);
        DataFit.checkNet(network, new Shape(1, images.rows(), images.cols()), Network.SEED_CLASSES,
                spec.commandLine());
        int threadCount = Threads.resolve(threads, spec.commandLine());
        int[] widths = EngineChoice.vectorWidths(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Row> rows = new ArrayList<>();
        err.println("vcnn bench: measuring the scalar engine...");
        err.flush();
        rows.add(measure("scalar", 0, threadCount, network));
        for (int bits : widths) {
            err.println("vcnn bench: measuring the vector engine at " + bits + " bits...");
            err.flush();
            rows.add(measure("vector", bits, threadCount, network));
        }
        out.println();
        // the seed's table stays as it always was; any other network is named above its table
        if (!network.isSeed()) {
            out.println("network " + (network.preset() != null ? network.preset() + " (" + network.text() + ")"
                    : network.text()));
        }
        String batchHeader = batch == null ? "" : String.format(" %18s", "batch " + batch + " img/s");
        out.printf("%-34s %18s %18s%s %10s%n", "engine", "training img/s", "inference img/s", batchHeader, "training");
        double scalarTraining = rows.get(0).training();
        for (Row row : rows) {
            String batchCell = batch == null ? "" : String.format(" %,18.0f", row.batchTraining());
            out.printf("%-34s %,18.0f %,18.0f%s %9.1fx%n", row.engine(), row.training(), row.inference(), batchCell,
                    row.training() / scalarTraining);
        }
        out.println("Medians of " + rounds + " rounds of " + roundSeconds + " s after " + warmupSeconds
                + " s of warm-up per engine; training is per-sample SGD, batch 1, on 1 thread; inference on "
                + Threads.describe(threadCount) + ".");
        if (batch != null) {
            out.println("Batch " + batch + " training: mini-batch SGD, momentum 0.9, on " + Threads.describe(threadCount)
                    + ".");
        }
        out.flush();
        return 0;
    }

    // one child JVM per engine: the same java, the same jar, the vector module, and the width flag
    private Row measure(String engine, int bits, int threadCount, NetworkSpec network)
            throws IOException, InterruptedException {
        String widthFlag = "-Dvcnn.vectorBits=" + bits;
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = List.of(java, "--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC", widthFlag,
                "-cp", System.getProperty("java.class.path"), BenchWorker.class.getName(),
                engine, Double.toString(warmupSeconds), Integer.toString(rounds), Double.toString(roundSeconds),
                Integer.toString(threadCount), network.text(), Integer.toString(batch == null ? 0 : batch));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        String[] fields = output.split("\t");
        if (exit != 0 || fields.length != 4) {
            String last = errors.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).reduce((a, b) -> b).orElse("");
            throw new IllegalStateException("the " + engine + " measurement (" + widthFlag + ") failed with exit code "
                    + exit + (last.isEmpty() ? "" : ": " + last));
        }
        return new Row(fields[0], Double.parseDouble(fields[1]), Double.parseDouble(fields[2]),
                Double.parseDouble(fields[3]));
    }
}
