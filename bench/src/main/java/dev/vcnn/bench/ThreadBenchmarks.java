package dev.vcnn.bench;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.ConfusionMatrix;
import dev.vcnn.engine.training.Sgd;
import dev.vcnn.engine.training.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The deep preset on 1 and 2 threads (vector kernels, MNIST-sized images): one data-parallel training
 * step at batch 8, 16, 32 and 64, and inference (evaluation) over a batch of 1,000 images. The JMH
 * thread is the pool's caller; the pool's other threads are the Trainer's, made once per trial.
 * {@link ThreadsReport} runs them and prints the scaling.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseSerialGC"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class ThreadBenchmarks {
    static final int SIDE = 28;
    static final int EVALUATED = 1000;

    static Dataset images(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[count * SIDE * SIDE];
        byte[] labels = new byte[count];
        random.nextBytes(pixels);
        for (int k = 0; k < count; k++) {
            labels[k] = (byte) random.nextInt(10);
        }
        return new Dataset("random", count, SIDE, SIDE, pixels, labels);
    }

    static Network deep() {
        return Network.build(KernelSelection.vector(), NetworkSpec.deep(), new Shape(1, SIDE, SIDE), 10,
                new SplittableRandom(1));
    }

    /** A deep network on a pool of {@code threads}, and a ring of batches of {@code batch} images. */
    @State(Scope.Thread)
    public static class Training {
        @Param({"1", "2"})
        public int threads;

        @Param({"8", "16", "32", "64"})
        public int batch;

        Trainer trainer;
        Dataset data;
        Sgd sgd;
        int[][] batches;
        int next;

        @Setup(Level.Trial)
        public void setup() {
            trainer = new Trainer(deep(), threads);
            data = images(1024, 2);
            // a small rate: random labels, and many thousands of steps, must not drive the weights wild
            sgd = new Sgd(0.001f, batch, 0.9f);
            batches = new int[data.count() / batch][batch];
            for (int b = 0; b < batches.length; b++) {
                for (int j = 0; j < batch; j++) {
                    batches[b][j] = b * batch + j;
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trainer.close();
        }
    }

    /** A deep network on a pool of {@code threads}, and 1,000 images to evaluate it on. */
    @State(Scope.Thread)
    public static class Inference {
        @Param({"1", "2"})
        public int threads;

        Trainer trainer;
        Dataset data;

        @Setup(Level.Trial)
        public void setup() {
            trainer = new Trainer(deep(), threads);
            data = images(EVALUATED, 3);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trainer.close();
        }
    }

    /** One training step of the deep preset at {@code batch}: time per step; images/s = batch / time. */
    @Benchmark
    public double deepTrainingStep(Training in) {
        int[] examples = in.batches[in.next];
        in.next = (in.next + 1) % in.batches.length;
        return in.trainer.step(in.data, examples, in.sgd);
    }

    /** Evaluation of the deep preset over 1,000 images: loss, and a confusion matrix. */
    @Benchmark
    public ConfusionMatrix deepInference1000(Inference in) {
        return in.trainer.evaluateByClass(in.data);
    }
}
