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
 * The report's line setting vcnn's deep preset against PyTorch's: runs {@code bench/peers/torch_deep.py
 * bench} (one thread, the same network, batch 1) with {@code /usr/bin/python3} on the MNIST folder the
 * user names ({@code bench/report --mnist DIR}) and prints training and inference images/s at batch 1
 * beside vcnn's from the JMH rows of the same run. Where the folder, python, torch or the script is
 * missing, it says so in one line instead.
 */
final class TorchPeer {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Pattern RATE = Pattern.compile("(?m)^(training|inference), batch 1: ([\\d,]+) images/s$");

    private TorchPeer() {
    }

    /** {@code data}: the MNIST folder from --mnist, or null when none was given. */
    static void compare(double vcnnTraining, double vcnnInference, Path data, PrintStream out) {
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
            double training = Double.NaN;
            double inference = Double.NaN;
            Matcher m = RATE.matcher(output == null ? "" : output);
            while (m.find()) {
                double rate = Double.parseDouble(m.group(2).replace(",", ""));
                if (m.group(1).equals("training")) {
                    training = rate;
                } else {
                    inference = rate;
                }
            }
            if (Double.isNaN(training) || Double.isNaN(inference)) {
                out.println("PyTorch peer: torch_deep.py bench failed or printed no batch-1 rates.");
                return;
            }
            out.printf("Deep preset against PyTorch %s (torch_deep.py bench, 1 thread, after JMH in this run): "
                            + "training at batch 1 vcnn %,.0f against PyTorch %,.0f images/s (%.1fx); inference at "
                            + "batch 1 %,.0f against %,.0f (%.1fx).%n",
                    version.strip(), vcnnTraining, training, vcnnTraining / training, vcnnInference, inference,
                    vcnnInference / inference);
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
