package dev.vcnn.cli;

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
 * {@code vcnn bench}: training and inference images/s of the seed's network for the scalar engine
 * and every vector width this machine runs, each measured in a fresh JVM after a warm-up.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Measures training and inference images/s of the seed's network (training on one thread, inference "
                + "on --threads; bundled MNIST images) for the scalar engine and each vector width this machine supports. "
                + "Takes about 5 s per engine; for rigorous per-kernel figures use the JMH suite (bench/report).")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--warmup", defaultValue = "2.5", paramLabel = "SECONDS",
            description = "Warm-up per engine before timing, so the JIT has compiled the kernels (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N",
            description = "Timed rounds per engine and workload; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--round", defaultValue = "0.2", paramLabel = "SECONDS",
            description = "Length of one timed round (default: ${DEFAULT-VALUE}).")
    double roundSeconds;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the inference figures (default: the available processors); the training "
                    + "figure is the seed's per-sample SGD, which runs on one.")
    Integer threads;

    @CommandLine.Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private record Row(String engine, double training, double inference) {
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!(warmupSeconds >= 0) || !(roundSeconds > 0) || rounds < 1
                || Double.isInfinite(warmupSeconds) || Double.isInfinite(roundSeconds)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--warmup must be >= 0, --round > 0 and --rounds >= 1 (finite numbers)");
        }
        int threadCount = Threads.resolve(threads, spec.commandLine());
        int[] widths = EngineChoice.vectorWidths(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Row> rows = new ArrayList<>();
        err.println("vcnn bench: measuring the scalar engine...");
        err.flush();
        rows.add(measure("scalar", 0, threadCount));
        for (int bits : widths) {
            err.println("vcnn bench: measuring the vector engine at " + bits + " bits...");
            err.flush();
            rows.add(measure("vector", bits, threadCount));
        }
        out.println();
        out.printf("%-34s %18s %18s %10s%n", "engine", "training img/s", "inference img/s", "training");
        double scalarTraining = rows.get(0).training();
        for (Row row : rows) {
            out.printf("%-34s %,18.0f %,18.0f %9.1fx%n", row.engine(), row.training(), row.inference(),
                    row.training() / scalarTraining);
        }
        out.println("Medians of " + rounds + " rounds of " + roundSeconds + " s after " + warmupSeconds
                + " s of warm-up per engine; training is per-sample SGD, batch 1, on 1 thread; inference on "
                + Threads.describe(threadCount) + ".");
        out.flush();
        return 0;
    }

    // one child JVM per engine: the same java, the same jar, the vector module, and the width flag
    private Row measure(String engine, int bits, int threadCount) throws IOException, InterruptedException {
        String widthFlag = "-Dvcnn.vectorBits=" + bits;
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = List.of(java, "--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC", widthFlag,
                "-cp", System.getProperty("java.class.path"), BenchWorker.class.getName(),
                engine, Double.toString(warmupSeconds), Integer.toString(rounds), Double.toString(roundSeconds),
                Integer.toString(threadCount));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        String[] fields = output.split("\t");
        if (exit != 0 || fields.length != 3) {
            String last = errors.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).reduce((a, b) -> b).orElse("");
            throw new IllegalStateException("the " + engine + " measurement (" + widthFlag + ") failed with exit code "
                    + exit + (last.isEmpty() ? "" : ": " + last));
        }
        return new Row(fields[0], Double.parseDouble(fields[1]), Double.parseDouble(fields[2]));
    }
}
