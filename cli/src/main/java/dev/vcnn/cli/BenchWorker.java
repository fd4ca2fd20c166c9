package dev.vcnn.cli;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Throughput;

/**
 * One measurement of {@code vcnn bench}, in a JVM of its own: the vector width is fixed once per JVM
 * (a static final species), so each width needs a fresh one. Prints one tab-separated line:
 * engine description, training images/s, inference images/s, batch training images/s (NaN if not asked).
 */
public final class BenchWorker {

    private BenchWorker() {
    }

    /**
     * args: scalar|vector, warm-up seconds, rounds, seconds per round, threads for inference, then optionally
     * the network spec (default the seed's) and the mini-batch for the batch figure (0: none).
     */
    public static void main(String[] args) throws Exception {
        Kernels kernels = args[0].equals("scalar") ? KernelSelection.scalar() : KernelSelection.vector();
        Dataset train = TrainingData.train(null, TrainingData.BUNDLED_COUNT);
        NetworkSpec spec = args.length > 5 ? NetworkSpec.parse(args[5]) : NetworkSpec.seed();
        int batch = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        Throughput.Rates rates = Throughput.measure(kernels, train, spec, batch, Double.parseDouble(args[1]),
                Integer.parseInt(args[2]), Double.parseDouble(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 1);
        System.out.println(kernels.description() + "\t" + rates.training() + "\t" + rates.inference() + "\t"
                + rates.batchTraining());
    }
}
