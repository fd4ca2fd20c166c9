package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.network.Network;

import java.util.SplittableRandom;

/**
 * Trains a throwaway network of the seed's shape on a background thread, so that the JIT compiles
 * the kernels while the caller does something else, such as reading the data. Vector API code runs
 * hundreds of times slower until C2 has compiled it, which made the first second of every run
 * crawl. The throwaway network shares nothing with the caller's but the (stateless) kernels, so the
 * caller's numbers are the same with or without it.
 */
public final class KernelWarmup implements AutoCloseable {
    private static final int GROUP = 4;
    private final Kernels kernels;
    private final Thread thread;
    private volatile boolean stopped;

    private KernelWarmup(Kernels kernels) {
        this.kernels = kernels;
        this.thread = Thread.ofPlatform().daemon().name("vcnn-kernel-warmup").unstarted(() -> run(kernels));
    }

    /** Starts warming up {@code kernels}; {@link #close()} stops it. */
    public static KernelWarmup start(Kernels kernels) {
        KernelWarmup warmup = new KernelWarmup(kernels);
        warmup.thread.start();
        return warmup;
    }

    /**
     * Whether this warms up the code {@code other} runs: the JIT compiles per class, so any instance
     * of the same implementation is warmed.
     */
    public boolean warms(Kernels other) {
        return other.getClass() == kernels.getClass();
    }

    private void run(Kernels kernels) {
        SplittableRandom random = new SplittableRandom(0);
        Network network = Network.seed(kernels, random);
        Network replica = network.replica(GROUP);
        float[][] images = new float[GROUP][network.imageSize()];
        for (float[] image : images) {
            for (int k = 0; k < image.length; k++) {
                image[k] = (float) random.nextDouble();
            }
        }
        int[] labels = {3, 1, 4, 1};
        double[] losses = new double[GROUP];
        int[] predicted = new int[GROUP];
        float[][] probs = new float[GROUP][network.classes()];
        // inference passes too: the fused conv + pool skips the argmax for them, and a C2 build that
        // had only seen training steps was thrown out (an uncommon trap) when testing began; and the
        // group path, which the trainer's batches and evaluation take, with the batch dense kernels,
        // from the seventh step on: steps of cold kernels take 0.02-0.2 s and the seed job reads its
        // data in 1-3 of them. With a group step as the third, close() waited 40-131 ms for it (median
        // of 8 runs 90), 2-50 ms without (19)
        for (int step = 0; !stopped; step++) {
            network.trainStep(images[0], step % network.classes(), 0.005f);
            if (step % 4 == 0) {
                network.forward(images[0]);
            } else if (step % 8 == 6) {
                replica.forwardGroup(images, GROUP, probs, predicted);
                replica.addGradients(images, labels, GROUP, losses, predicted);
                replica.zeroGradients();
            }
        }
    }

    /** Stops the warm-up and waits for its last step to end, so it no longer competes for the CPU. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
