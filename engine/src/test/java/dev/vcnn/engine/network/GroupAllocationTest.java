package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.layers.Shape;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A replica's group steps allocate nothing once warmed up: its buffers are made with it. Counted as
 * training/TrainingAllocationTest counts, with HotSpot's allocation counter of this thread alone,
 * around {@link #ROUNDS} rounds of group steps of the deep preset on 28x28 images (full groups and
 * short ones, gradients and forward passes), after a warm-up on a small copy of the network, on the
 * scalar kernels.
 * <p>
 * The warm-up is longer than TrainingAllocationTest's: with 200 rounds, C2 was still being asked to
 * compile group methods during the measured rounds, and HotSpot resolves all the string constants of
 * a method's class (exception messages never thrown, here) in the thread that asks, allocating a
 * String for each: a few hundred bytes, at a different round in each run, none with C1 alone (which
 * has no escape analysis to hide an allocation, and measures 0 bytes after 200 rounds too).
 */
class GroupAllocationTest {
    private static final int GROUP = 4;
    private static final int ROUNDS = 50;
    private static final int WARMUP = 1000;

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported()) {
            threads.setThreadAllocatedMemoryEnabled(true);
            return threads;
        }
        assumeTrue(false, "this JVM cannot count a thread's allocations");
        return null;
    }

    private static Network deepReplica(Kernels kernels, int side) {
        return Network.build(kernels, NetworkSpec.deep(), new Shape(1, side, side), 10, new SplittableRandom(4))
                .replica(GROUP);
    }

    private static float[][] images(int side) {
        SplittableRandom random = new SplittableRandom(5);
        float[][] images = new float[GROUP][side * side];
        for (float[] image : images) {
            for (int k = 0; k < image.length; k++) {
                image[k] = (float) random.nextDouble(-0.5, 0.5);
            }
        }
        return images;
    }

    // one full group and one short one of each kind
    private static double steps(Network replica, float[][] images, int[] labels, double[] losses, int[] predicted,
                                float[][] probs) {
        double sink = replica.addGradients(images, labels, GROUP, losses, predicted);
        sink += replica.addGradients(images, labels, GROUP - 1, losses, predicted);
        replica.forwardGroup(images, GROUP, probs, predicted);
        replica.forwardGroup(images, 1, probs, predicted);
        replica.zeroGradients();
        return sink + probs[0][predicted[0]];
    }

    @Test
    void groupGradientsAndForwardPassesAllocateNothing() {
        com.sun.management.ThreadMXBean threads = threads();
        Kernels kernels = new ScalarKernels();
        int[] labels = {3, 1, 4, 1};
        double[] losses = new double[GROUP];
        int[] predicted = new int[GROUP];
        float[][] probs = new float[GROUP][10];
        double sink = 0;
        Network small = deepReplica(kernels, 10);
        float[][] smallImages = images(10);
        for (int step = 0; step < WARMUP; step++) {
            sink += steps(small, smallImages, labels, losses, predicted, probs);
        }
        Network replica = deepReplica(kernels, 28);
        float[][] images = images(28);
        long idle = -threads.getCurrentThreadAllocatedBytes() + threads.getCurrentThreadAllocatedBytes();
        assertEquals(0, idle, "reading the counter should allocate nothing");
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int step = 0; step < ROUNDS; step++) {
            sink += steps(replica, images, labels, losses, predicted, probs);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertEquals(0, allocated, ROUNDS + " rounds of group steps of the deep preset on " + kernels.name()
                + " allocated " + allocated + " bytes");
        assertEquals(true, Double.isFinite(sink));
    }
}
