package dev.vcnn.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * The deep preset's whole mini-batch step (the trainer on one thread: 32 images' gradients in shards,
 * the fixed-order sum, one SGD update with momentum) and its inference over 32 images (4 forward
 * groups of 8, as evaluation runs them), per engine. Like the per-image whole step, these need about
 * 4 s of warm-up before C2 has compiled every kernel: {@link Report} gives them 6.
 */
public class DeepBatchBenchmarks extends KernelBenchmark {

    @Benchmark
    public double trainingStepBatch32Scalar(DeepBatchInputs in) {
        return in.scalar.step(in.data, in.nextBatch(), in.sgd);
    }

    @Benchmark
    public double trainingStepBatch32Vector(DeepBatchInputs in) {
        return in.vector.step(in.data, in.nextBatch(), in.sgd);
    }

    @Benchmark
    public Object inferenceBatch32Scalar(DeepBatchInputs in) {
        for (float[][] group : in.groups) {
            in.scalarReplica.forwardGroup(group, DeepBatchInputs.GROUP, in.probs, in.predicted);
        }
        return in.probs;
    }

    @Benchmark
    public Object inferenceBatch32Vector(DeepBatchInputs in) {
        for (float[][] group : in.groups) {
            in.vectorReplica.forwardGroup(group, DeepBatchInputs.GROUP, in.probs, in.predicted);
        }
        return in.probs;
    }
}
