package dev.vcnn.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * A whole training step (forward, backward, update) and a whole inference, per image. At shape
 * {@code deep} the vector step needs about 4 s of warm-up before C2 has compiled every kernel (see
 * {@link Report}, which gives it 6): run it directly with {@code -wi 6}.
 */
public class NetworkBenchmarks extends KernelBenchmark {
    private static final float LR = 0.005f;

    @Benchmark
    public double trainingStepScalar(NetworkInputs in) {
        int n = in.next();
        return in.scalar.trainStep(in.images[n], in.labels[n], LR);
    }

    @Benchmark
    public double trainingStepVector(NetworkInputs in) {
        int n = in.next();
        return in.vector.trainStep(in.images[n], in.labels[n], LR);
    }

    @Benchmark
    public Object inferenceScalar(NetworkInputs in) {
        return in.scalar.forward(in.images[in.next()]);
    }

    @Benchmark
    public Object inferenceVector(NetworkInputs in) {
        return in.vector.forward(in.images[in.next()]);
    }
}
