package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A training step allocates nothing once warmed up: the buffers are sized when the network is built.
 * Counted with HotSpot's per-thread allocation counter (TLAB and outside-TLAB allocations of this
 * thread alone, so the JIT's and GC's threads do not count), around 200 steps of a freshly built deep
 * preset on 28x28 images with the scalar kernels. Reading the counter allocates nothing itself, which
 * is checked, so the expectation is exactly 0 bytes.
 * <p>
 * The warm-up is only {@link #WARMUP} steps of a small copy of the network (the first calls load
 * classes and fill the JIT's profiles): the code must not rely on C2's escape analysis to remove an
 * allocation, since in a JVM where other networks ran first it does not always (a for-each over the
 * layer list allocated 32 bytes a step there, until it became an indexed loop).
 */
class TrainingAllocationTest {
    private static final int STEPS = 200;
    private static final int WARMUP = 200;

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported()) {
            threads.setThreadAllocatedMemoryEnabled(true);
            return threads;
        }
        assumeTrue(false, "this JVM cannot count a thread's allocations");
        return null;
    }

    private static Network deep(int side) {
        return Network.build(new ScalarKernels(), NetworkSpec.deep(), new Shape(1, side, side), 10,
                new SplittableRandom(4));
    }

    private static float[] image(int side) {
        SplittableRandom random = new SplittableRandom(5);
        float[] image = new float[side * side];
        for (int k = 0; k < image.length; k++) {
            image[k] = (float) random.nextDouble(-0.5, 0.5);
        }
        return image;
    }

    @Test
    void perSampleStepsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = threads();
        double sink = 0;
        Network small = deep(10);
        float[] smallImage = image(10);
        for (int step = 0; step < WARMUP; step++) {
            sink += small.trainStep(smallImage, step % 10, 0.001f);
        }
        Network network = deep(28);
        float[] image = image(28);
        long idle = -threads.getCurrentThreadAllocatedBytes() + threads.getCurrentThreadAllocatedBytes();
        assertEquals(0, idle, "reading the counter should allocate nothing");
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int step = 0; step < STEPS; step++) {
            sink += network.trainStep(image, step % 10, 0.001f);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertEquals(0, allocated, STEPS + " per-sample steps of the deep preset allocated " + allocated + " bytes");
        assertEquals(true, Double.isFinite(sink));
    }

    @Test
    void batchGradientsAndMomentumUpdatesAllocateNothing() {
        com.sun.management.ThreadMXBean threads = threads();
        Sgd sgd = new Sgd(0.001f, 4, 0.9f);
        double sink = 0;
        Network small = deep(10);
        float[] smallImage = image(10);
        for (int step = 1; step <= WARMUP; step++) {
            sink += small.addGradient(smallImage, step % 10);
            if (step % 4 == 0) {
                sgd.update(small, 4);
            }
        }
        Network network = deep(28);
        float[] image = image(28);
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int step = 1; step <= STEPS; step++) {
            sink += network.addGradient(image, step % 10);
            if (step % 4 == 0) {
                sgd.update(network, 4);
            }
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertEquals(0, allocated, STEPS + " batch steps with " + STEPS / 4 + " momentum updates of the deep preset"
                + " allocated " + allocated + " bytes");
        assertEquals(true, Double.isFinite(sink));
    }
}
