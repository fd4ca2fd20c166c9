package dev.vcnn.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report's lines setting vcnn's deep preset against PyTorch's: runs {@code bench/peers/torch_deep.py
 * bench} (one thread, the same network) with {@code /usr/bin/python3} on the MNIST folder the user
 * names ({@code bench/report --mnist DIR}) and prints training and inference images/s at batch 1, and
 * at PyTorch's best batch (training at 32 or 64, inference at 256) against vcnn's at 32, beside vcnn's
 * from the JMH rows of the same run. Where the folder, python, torch or the script is missing, it says
 * so in one line instead.
 */
final class TorchPeer {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Pattern RATE = Pattern.compile("(?m)^(training|inference), batch (\\d+): ([\\d,]+) images/s$");

    private TorchPeer() {
    }

    /**
     * vcnn's images/s at batch 1 and over a batch of 32 (one thread), from the report's rows;
     * {@code data}: the MNIST folder from --mnist, or null when none was given.
     */
    static void compare(double vcnnTraining, double vcnnInference, double vcnnBatchTraining,
                        double vcnnBatchInference, Path data, PrintStream out) {
        String root = System.getProperty("vcnn.root");
        Path script = root == null ? null : Path.of(root, "bench", "peers", "torch_deep.py");
        out.println();
        if (data == null) {
            out.println("PyTorch peer: not run (give bench/report --mnist DIR, a folder with the MNIST files, "
                    + "to set the deep preset against PyTorch's).");
            return;
        }
        if (script == null || !Files.isRegularFile(script)) {
            out.println("PyTorch peer: not run (no bench/peers/torch_deep.py; run through bench/report, which "
                    + "passes -Dvcnn.root).");
            return;
        }
        if (!Files.isDirectory(data)) {
            out.println("PyTorch peer: not run (no MNIST at " + data + ").");
            return;
        }
        try {
            String version = run(PYTHON, "-c", "import torch; print(torch.__version__)");
            if (version == null) {
                out.println("PyTorch peer: not run (" + PYTHON + " has no torch).");
                return;
            }
            String output = run(PYTHON, script.toString(), "bench", "--data", data.toString(),
                    "--train-size", "2048", "--test-size", "1", "--repeats", "5");
            // batch 1, and the best rate over the larger batches with that batch's size
            double training = Double.NaN;
            double inference = Double.NaN;
            double bestTraining = Double.NaN;
            double bestInference = Double.NaN;
            int bestTrainingBatch = 0;
            int bestInferenceBatch = 0;
            Matcher m = RATE.matcher(output == null ? "" : output);
            while (m.find()) {
                int batch = Integer.parseInt(m.group(2));
                double rate = Double.parseDouble(m.group(3).replace(",", ""));
                boolean isTraining = m.group(1).equals("training");
                if (batch == 1) {
                    if (isTraining) {
                        training = rate;
                    } else {
                        inference = rate;
                    }
                } else if (isTraining && !(rate <= bestTraining)) {
                    bestTraining = rate;
                    bestTrainingBatch = batch;
                } else if (!isTraining && !(rate <= bestInference)) {
                    bestInference = rate;
                    bestInferenceBatch = batch;
                }
            }
            if (Double.isNaN(training) || Double.isNaN(inference) || Double.isNaN(bestTraining)
                    || Double.isNaN(bestInference)) {
                out.println("PyTorch peer: torch_deep.py bench failed or printed no rates.");
                return;
            }
            out.printf("Deep preset against PyTorch %s (torch_deep.py bench, 1 thread, after JMH in this run):%n",
                    version.strip());
            out.printf("  training at batch 1: vcnn %,.0f against PyTorch %,.0f images/s (%.1fx); inference at batch 1: "
                            + "%,.0f against %,.0f (%.1fx)%n",
                    vcnnTraining, training, vcnnTraining / training, vcnnInference, inference, vcnnInference / inference);
            out.printf("  training, vcnn at batch 32 against PyTorch's best (batch %d): %,.0f against %,.0f images/s "
                            + "(%.1fx); inference, vcnn at batch 32 against PyTorch's best (batch %d): %,.0f against "
                            + "%,.0f (%.1fx)%n",
                    bestTrainingBatch, vcnnBatchTraining, bestTraining, vcnnBatchTraining / bestTraining,
                    bestInferenceBatch, vcnnBatchInference, bestInference, vcnnBatchInference / bestInference);
        } catch (IOException e) {
            out.println("PyTorch peer: not run (" + PYTHON + ": " + e.getMessage() + ").");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("PyTorch peer: interrupted.");
        }
    }

    // stdout of the command, or null if it failed or ran longer than 5 minutes; stderr is dropped
    private static String run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("OPENBLAS_CORETYPE");
        builder.environment().remove("OPENBLAS_L2_SIZE");
        Process process = builder.start();
        byte[] bytes = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return null;
        }
        return process.exitValue() == 0 ? new String(bytes, StandardCharsets.UTF_8) : null;
    }
}
