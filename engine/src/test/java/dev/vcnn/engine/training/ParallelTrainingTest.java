package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.data.Examples;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training and evaluation give the very same bits on any number of threads: the
 * shards depend on the batch size alone and their sums meet in one fixed order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParallelTrainingTest {
    // a deep-ish net for 14x14 images: conv with bias, relu, pool, conv, relu, two dense layers
    private static final NetworkSpec SPEC =
            NetworkSpec.parse("conv3x3:4,relu,maxpool2,conv3x3:6,relu,dense:24,relu,dense:10");
    private static final int SIDE = 14;
    private static final int[] THREADS = {1, 2, 3, 4, 8};

    private static Dataset data(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[count * SIDE * SIDE];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) random.nextInt(10);
            for (int k = 0; k < SIDE * SIDE; k++) {
                // a little structure per class, so that training moves the weights a lot
                int bright = (k % 10 == labels[i]) ? 200 : 0;
                pixels[i * SIDE * SIDE + k] = (byte) Math.min(255, bright + random.nextInt(56));
            }
        }
        return new Dataset("synthetic", count, SIDE, SIDE, pixels, labels);
    }

    private static Network network(Kernels kernels) {
        return Network.build(kernels, SPEC, new Shape(1, SIDE, SIDE), 10, new SplittableRandom(7));
    }

    private static Kernels kernels(String name) {
        if (name.equals("scalar")) {
            return KernelSelection.scalar();
        }
        Assumptions.assumeTrue(KernelSelection.vectorWidths().length > 0, "no vector kernels on this JVM");
        return KernelSelection.vector();
    }

    private record Run(List<float[]> values, List<float[]> velocities, List<String> windows) {
    }

    private static Run train(Kernels kernels, int threads, Sgd sgd, Dataset data, int epochs) {
        Network network = network(kernels);
        List<String> windows = new ArrayList<>();
        try (Trainer trainer = new Trainer(network, threads)) {
            trainer.train(data, 0, epochs, sgd, 3, new TrainingListener() {
                @Override
                public void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
                    windows.add(epoch + "/" + step + "/" + windowSteps + "/" + averageLoss + "/" + accuracy);
                }
            });
        }
        List<float[]> values = new ArrayList<>();
        List<float[]> velocities = new ArrayList<>();
        for (Parameter p : network.parameters()) {
            values.add(p.values().clone());
            velocities.add(p.velocity().clone());
            assertArrayEquals(new float[p.size()], p.gradient(), p.name() + "'s own gradient is left zero");
        }
        return new Run(values, velocities, windows);
    }

    @ParameterizedTest(name = "{0} kernels, batch {1}")
    @CsvSource({"scalar, 8", "scalar, 7", "vector, 8", "vector, 7", "vector, 70"})
    void trainedParametersAreBitIdenticalOnAnyNumberOfThreads(String engine, int batch) {
        Kernels kernels = kernels(engine);
        Dataset data = data(230, 11); // 230 = 28 * 8 + 6: a short last batch for batch 8 and 7 alike
        Sgd sgd = new Sgd(0.05f, batch, 0.9f);
        Run one = train(kernels, 1, sgd, data, 2);
        Network initial = network(kernels);
        assertTrue(!Arrays.equals(initial.parameters().getFirst().values(), one.values().getFirst()),
                "training moved the weights");
        for (int threads : THREADS) {
            Run many = train(kernels, threads, sgd, data, 2);
            for (int p = 0; p < one.values().size(); p++) {
                assertArrayEquals(one.values().get(p), many.values().get(p),
                        "parameter " + p + " on " + threads + " threads");
                assertArrayEquals(one.velocities().get(p), many.velocities().get(p),
                        "velocity " + p + " on " + threads + " threads");
            }
            assertEquals(one.windows(), many.windows(), "window reports on " + threads + " threads");
        }
    }

    @Test
    void batchesBelowTheShardSizeAndBatchOneTrainTheSameOnAnyNumberOfThreads() {
        Kernels kernels = KernelSelection.scalar();
        Dataset data = data(50, 5);
        for (Sgd sgd : new Sgd[] {Sgd.perSample(0.01f), new Sgd(0.01f, 1, 0.5f), new Sgd(0.02f, 3, 0f)}) {
            Run one = train(kernels, 1, sgd, data, 1);
            Run three = train(kernels, 3, sgd, data, 1);
            for (int p = 0; p < one.values().size(); p++) {
                assertArrayEquals(one.values().get(p), three.values().get(p), sgd + ", parameter " + p);
            }
        }
    }

    // Held against the network's own forward pass, image after image, and not against one thread's
    // run: every image must be taken exactly once, on any number of threads, whichever thread takes
    // which group. 101 images: partial groups, and blocks of 12 and 13 images on 8 threads
    @ParameterizedTest(name = "{0} kernels")
    @CsvSource({"scalar", "vector"})
    void evaluationAndForwardAllAreThePerImageForwardPassOnAnyNumberOfThreads(String engine) {
        Kernels kernels = kernels(engine);
        Dataset data = data(101, 13);
        Network network = network(kernels);
        float[][] inputs = new float[data.count()][data.imageSize()];
        float[][] expectedProbs = new float[data.count()][];
        int[] counts = new int[10 * 10];
        double totalLoss = 0;
        for (int k = 0; k < inputs.length; k++) {
            data.imageInto(k, inputs[k]);
            expectedProbs[k] = network.forward(inputs[k]).clone();
            totalLoss += -Math.log(expectedProbs[k][data.label(k)]);
            counts[data.label(k) * 10 + network.lastPredicted()]++;
        }
        Evaluation expected = new ConfusionMatrix(10, counts, totalLoss).evaluation();
        for (int threads : THREADS) {
            try (Trainer trainer = new Trainer(network, threads)) {
                for (int round = 0; round < 4; round++) { // the claims start afresh at every call
                    if (round == 2) {
                        // no epochs, so the network stays as it is: after per-sample training,
                        // evaluation takes the images one by one instead of as groups
                        trainer.train(data, 0, 0, new Sgd(0.01f, 1, 0f), 1, new TrainingListener() { });
                    }
                    ConfusionMatrix many = trainer.evaluateByClass(data);
                    assertEquals(expected, many.evaluation(), threads + " threads");
                    for (int t = 0; t < 10; t++) {
                        for (int p = 0; p < 10; p++) {
                            assertEquals(counts[t * 10 + p], many.count(t, p), threads + " threads");
                        }
                    }
                    float[][] probs = trainer.forwardAll(inputs);
                    for (int k = 0; k < inputs.length; k++) {
                        assertArrayEquals(expectedProbs[k], probs[k], "image " + k + " on " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void aDivergenceFailsTheSameWayOnAnyNumberOfThreadsAndHangsNothing() {
        Dataset data = data(200, 17);
        Sgd wild = new Sgd(1e30f, 8, 0.9f);
        String expected = assertThrows(TrainingDivergedException.class,
                () -> train(KernelSelection.scalar(), 1, wild, data, 1)).getMessage();
        for (int threads : THREADS) {
            String message = assertThrows(TrainingDivergedException.class,
                    () -> train(KernelSelection.scalar(), threads, wild, data, 1)).getMessage();
            assertEquals(expected, message, threads + " threads");
        }
    }

    @Test
    void aSingleStepIsTheSameOnAnyNumberOfThreadsAndRefusesBadBatches() {
        Dataset data = data(40, 23);
        Sgd sgd = new Sgd(0.05f, 16, 0.9f);
        int[] examples = new int[13];
        for (int j = 0; j < examples.length; j++) {
            examples[j] = 3 * j;
        }
        Network one = network(KernelSelection.scalar());
        double lossOne;
        try (Trainer trainer = new Trainer(one, 1)) {
            lossOne = trainer.step(data, examples, sgd) + trainer.step(data, examples, sgd);
        }
        for (int threads : THREADS) {
            Network many = network(KernelSelection.scalar());
            try (Trainer trainer = new Trainer(many, threads)) {
                assertEquals(lossOne, trainer.step(data, examples, sgd) + trainer.step(data, examples, sgd));
                assertThrows(IllegalArgumentException.class, () -> trainer.step(data, new int[17], sgd));
                assertThrows(IllegalArgumentException.class, () -> trainer.step(data, new int[1], sgd));
            }
            for (int p = 0; p < one.parameters().size(); p++) {
                assertArrayEquals(one.parameters().get(p).values(), many.parameters().get(p).values());
            }
        }
    }

    // The replicas of a trainer on several threads keep their own copies of the dense weights once
    // it has trained in batches. Whatever changes the network besides those batches (per-sample
    // steps, a batch that failed half-way, a caller's own writes) must reach the copies before they
    // are read again: each step of this sequence would go wrong on stale copies.
    @Test
    void changesOutsideTheBatchesReachEveryThreadsCopyOfTheWeights() {
        Run one = trainAndChange(1);
        for (int threads : new int[] {2, 3}) {
            Run many = trainAndChange(threads);
            for (int p = 0; p < one.values().size(); p++) {
                assertArrayEquals(one.values().get(p), many.values().get(p), "parameter " + p + " on " + threads + " threads");
            }
            assertEquals(one.windows(), many.windows(), threads + " threads");
        }
    }

    // train's divergence check in batches: each thread scans its own share of the parameters, and must
    // name the same first value that is not finite as the network's scan of all values in order does,
    // wherever it lies: one bad value in every position in turn, then two at once, so that a share
    // left out, a boundary off by one or the wrong thread's finding taken would show
    @Test
    void theThreadsScanNamesTheFirstValueThatIsNotFiniteAsTheNetworksScanDoes() {
        Dataset data = data(60, 29);
        Sgd batches = new Sgd(0.05f, 8, 0.9f);
        for (int threads : new int[] {1, 2, 3}) {
            Network network = network(KernelSelection.scalar());
            List<Parameter> parameters = network.parameters();
            try (Trainer trainer = new Trainer(network, threads)) {
                trainer.train(data, 0, 1, batches, 3, new TrainingListener() { });
                assertNull(trainer.nonFiniteParameterInBatches(8), threads + " threads");
                for (Parameter parameter : parameters) {
                    float[] values = parameter.values();
                    for (int k = 0; k < values.length; k++) {
                        float kept = values[k];
                        values[k] = k % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
                        String expected = parameter.describeValue(k);
                        assertEquals(expected, network.nonFiniteParameter());
                        assertEquals(expected, trainer.nonFiniteParameterInBatches(8), threads + " threads");
                        values[k] = kept;
                    }
                }
                SplittableRandom random = new SplittableRandom(threads);
                for (int t = 0; t < 300; t++) {
                    float[] first = parameters.get(random.nextInt(parameters.size())).values();
                    float[] second = parameters.get(random.nextInt(parameters.size())).values();
                    int i = random.nextInt(first.length);
                    int j = random.nextInt(second.length);
                    float keptFirst = first[i];
                    float keptSecond = second[j];
                    first[i] = Float.POSITIVE_INFINITY;
                    second[j] = Float.NaN;
                    assertEquals(network.nonFiniteParameter(), trainer.nonFiniteParameterInBatches(8),
                            threads + " threads");
                    second[j] = keptSecond;
                    first[i] = keptFirst;
                }
            }
        }
    }

    // values after the sequence, and the evaluations on the way as its "windows"
    private static Run trainAndChange(int threads) {
        Dataset data = data(60, 29);
        Sgd batches = new Sgd(0.05f, 8, 0.9f);
        int[] examples = {4, 9, 16, 25, 36, 49, 50, 51};
        TrainingListener quiet = new TrainingListener() { };
        Network network = network(KernelSelection.scalar());
        float[] weights = network.parameters().stream().filter(p -> p.shape().length == 2)
                .findFirst().orElseThrow().values(); // the first dense layer's
        List<String> evaluations = new ArrayList<>();
        try (Trainer trainer = new Trainer(network, threads)) {
            trainer.train(data, 0, 1, batches, 3, quiet);
            trainer.train(data, 1, 1, Sgd.perSample(0.01f), 3, quiet); // the network alone moves
            trainer.step(data, examples, batches);
            assertThrows(IllegalStateException.class, () -> trainer.step(failingAt(data, 50), examples, batches));
            trainer.step(data, examples, batches);
            evaluations.add(trainer.evaluate(data).toString());
            scale(weights, 0.5f); // the caller's own changes, before training and before evaluating
            trainer.train(data, 2, 1, batches, 3, quiet);
            scale(weights, -1f);
            evaluations.add(trainer.evaluate(data).toString());
            scale(weights, 2f);
            float[][] images = new float[5][data.imageSize()];
            for (int k = 0; k < images.length; k++) {
                data.imageInto(k, images[k]);
            }
            evaluations.add(Arrays.deepToString(trainer.forwardAll(images)));
        }
        List<float[]> values = new ArrayList<>();
        for (Parameter p : network.parameters()) {
            values.add(p.values().clone());
        }
        return new Run(values, List.of(), evaluations);
    }

    private static void scale(float[] values, float factor) {
        for (int k = 0; k < values.length; k++) {
            values[k] *= factor;
        }
    }

    // data whose image {@code bad} cannot be read, as a worker's failure half-way through a batch
    private static Examples failingAt(Dataset data, int bad) {
        return new Examples() {
            public String source() {
                return "failing";
            }

            public int count() {
                return data.count();
            }

            public int imageSize() {
                return data.imageSize();
            }

            public void imageInto(int index, float[] dst) {
                if (index == bad) {
                    throw new IllegalStateException("image " + bad + " is unreadable");
                }
                data.imageInto(index, dst);
            }

            public int label(int index) {
                return data.label(index);
            }

            public String imageShape() {
                return data.imageShape();
            }
        };
    }

    @Test
    void aWorkersFailureReachesTheCallerAsItWasThrownAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(3)) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.run(worker -> {
                if (worker >= 1) {
                    throw new IllegalStateException("worker " + worker + " failed");
                }
            }));
            assertEquals("worker 1 failed", thrown.getMessage(), "the lowest index's failure");
            int[] ran = new int[3];
            pool.run(worker -> ran[worker]++);
            assertArrayEquals(new int[] {1, 1, 1}, ran);
        }
    }

    @Test
    void aTrainingStepAllocatesNothing() {
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threadBean.isThreadAllocatedMemorySupported());
        Dataset data = data(64 * 20, 19);
        Network network = network(KernelSelection.scalar());
        try (Trainer trainer = new Trainer(network, 2)) {
            Sgd sgd = new Sgd(0.01f, 32, 0.9f);
            TrainingListener quiet = new TrainingListener() { };
            // warm: the pool, replicas and buffers exist now, and the JIT has compiled the loops (until
            // C2 has, an iterator over a list is a real object)
            trainer.train(data, 0, 20, sgd, 1, quiet);
            long[] ids = allThreadIds();
            long[] before = threadBean.getThreadAllocatedBytes(ids);
            trainer.train(data, 20, 5, sgd, 1, quiet); // 200 steps of batch 32
            long[] after = threadBean.getThreadAllocatedBytes(ids);
            long allocated = 0;
            StringBuilder perThread = new StringBuilder();
            for (int k = 0; k < ids.length; k++) {
                allocated += after[k] - before[k];
                perThread.append(' ').append(after[k] - before[k]);
            }
            System.out.println("allocated over 200 steps of batch 32 on 2 threads, per thread:" + perThread);
            // one epoch's order array (5 KB) per call, the stats record and a little JIT noise; a
            // per-step allocation of even 16 bytes would show as 3,200 bytes or more
            assertTrue(allocated < 64 * 1024, allocated + " bytes allocated over 200 steps");
        }
    }

    private static long[] allThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("vcnn-worker-"))
                .mapToLong(Thread::threadId).toArray();
    }

}
