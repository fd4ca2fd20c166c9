package dev.vcnn.bench;

import org.openjdk.jmh.annotations.Benchmark;

/** A whole training step (forward, backward, update) and a whole inference, per image. */
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
