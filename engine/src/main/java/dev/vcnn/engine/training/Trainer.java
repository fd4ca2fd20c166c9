package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Examples;
import dev.vcnn.engine.layers.Layer;
import dev.vcnn.engine.network.Network;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * SGD over a data set for a number of epochs, per sample or in mini-batches, shuffling the examples
 * afresh before every epoch, and evaluation on held-out data (forward only, with a confusion matrix),
 * on one thread or several.
 *
 * <p>With several threads the result is the very same, bit for bit, as with one. Every batch of 2
 * or more images is cut into shards of a size set by the batch size alone, computed on the threads
 * and summed in one fixed tree ({@link ShardedStep}), also on one thread. Per-sample SGD (batch 1)
 * stays sequential: its steps depend on each other, so threads speed up only its evaluation.
 * Evaluation splits the images into groups, each thread taking the groups of its own contiguous
 * block first and then helping with the others' ({@link BlockClaims}), and adds their losses in
 * image order afterwards. After per-sample training a group's images go through the per-image
 * forward pass, which that training has had compiled, rather than the group kernels.
 *
 * <p>Replicas take their images in groups of up to {@link #groupSize} ({@link Network#addGradients},
 * {@link Network#forwardGroup}): the dense layers then read their weights, and add to their weight
 * gradients, once per group instead of once per image, with the per-image results bit for bit.
 *
 * <p>The threads ({@code threads - 1} besides the caller's), the replicas and the buffers are made
 * once, at the first use that needs them; a step allocates nothing. {@link #close()} stops the threads.
 * A trainer is for one thread of the caller's at a time.
 */
public final class Trainer implements AutoCloseable {
    /** Steps per progress report, as in the post. */
    public static final int WINDOW = 100;
    /** The most images a replica runs as one group; fewer for networks with large per-image buffers. */
    static final int MAX_GROUP = 8;
    // the most bytes of per-image layer buffers a replica's extra group slots may take, per thread
    private static final long GROUP_BUFFER_BYTES = 32L << 20;

    private final Network network;
    private final int threads;
    private final float[] image;

    // made at first use: the pool, a replica per thread, and each thread's group: images [group][C*H*W],
    // labels, per-image losses, classes and probabilities [group][classes], views of the caller's arrays
    private WorkerPool pool;
    private Network[] replicas;
    private int group;
    private float[][][] groupImages;
    private int[][] groupLabels;
    private double[][] groupLosses;
    private int[][] groupClasses;
    private float[][][] groupProbs;
    private float[][][] inputViews;  // [thread][group]: forwardAll's images of the group, the caller's arrays
    private float[][][] outputViews; // [thread][group]: their output rows, the caller's arrays
    private ShardedStep sharded; // made at the first batch of 2 or more images
    // the last train took the per-sample path: evaluation then runs image by image (see evaluateGroup)
    private boolean trainedPerSample;
    private final WorkerPool.Task evaluateTask = this::evaluateGroups;
    private final WorkerPool.Task forwardTask = this::forwardGroups;
    private final BlockClaims.Run evaluateRun = this::evaluateGroup;
    private final BlockClaims.Run forwardRun = this::forwardGroup;
    private BlockClaims groupClaims; // made with the pool: the images of an evaluate or forwardAll, a group at a time
    private Examples evaluated;
    private double[] evaluatedLosses;
    private int[] evaluatedClasses;
    private float[][] forwardInputs;
    private float[][] forwardOutputs;

    /** A trainer on the calling thread alone. */
    public Trainer(Network network) {
        this(network, 1);
    }

    /** A trainer on {@code threads} threads, the caller's included. */
    public Trainer(Network network, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.network = network;
        this.threads = threads;
        this.image = new float[network.imageSize()];
    }

    /** The network this trainer trains and evaluates. */
    public Network network() {
        return network;
    }

    /** How many threads this trainer computes on, the caller's included. */
    public int threads() {
        return threads;
    }

    /** {@link #train(Examples, int, int, Sgd, long, TrainingListener)} with the seed's per-sample SGD. */
    public TrainingStats train(Examples data, int epochsDone, int epochs, float lr, long seed,
                               TrainingListener listener) {
        return train(data, epochsDone, epochs, Sgd.perSample(lr), seed, listener);
    }

    /**
     * Trains epochs {@code epochsDone + 1} to {@code epochsDone + epochs} with {@code sgd}. Batches are
     * consecutive runs of the epoch's order; an epoch's last batch may be short and counts as a batch.
     * Each epoch visits the examples in an order drawn from {@code (seed, epoch)} alone, so a run
     * resumed after epoch k from a saved model steps through exactly what an unbroken run would.
     *
     * @throws TrainingDivergedException at once when a step's loss is not finite, or at the end of a
     *         window when a parameter is not: the listener hears of no window past a finite one
     */
    public TrainingStats train(Examples data, int epochsDone, int epochs, Sgd sgd, long seed,
                               TrainingListener listener) {
        if (epochsDone < 0 || epochs < 0) {
            throw new IllegalArgumentException("epochs done and epochs must be >= 0, got " + epochsDone
                    + " and " + epochs);
        }
        checkShape(data);
        int[] order = new int[data.count()];
        int lastEpoch = epochsDone + epochs;
        refreshCopies();
        trainedPerSample = sgd.batchSize() == 1;
        if (sgd.batchSize() > 1) {
            return trainInShards(data, epochsDone, epochs, sgd, seed, listener, order);
        }
        if (sharded != null) {
            sharded.networkChanged(); // the steps below change the network alone
        }
        long start = System.nanoTime();
        Window window = new Window(listener, network::nonFiniteParameter);
        for (int epoch = epochsDone + 1; epoch <= lastEpoch; epoch++) {
            listener.epochStarted(epoch, lastEpoch);
            shuffle(order, seed, epoch);
            window.start(epoch);
            int inBatch = 0;
            for (int step = 1; step <= order.length; step++) {
                int example = order[step - 1];
                data.imageInto(example, image);
                int label = data.label(example);
                double loss;
                if (sgd.perSample()) {
                    loss = network.trainStep(image, label, sgd.learningRate());
                } else {
                    loss = network.addGradient(image, label);
                    inBatch++;
                    if (inBatch == sgd.batchSize() || step == order.length) {
                        sgd.update(network, inBatch);
                        inBatch = 0;
                    }
                }
                window.add(step, loss, network.lastPredicted() == label, step == order.length);
            }
            listener.epochFinished(epoch, lastEpoch);
        }
        return new TrainingStats((long) epochs * order.length, System.nanoTime() - start);
    }

    // batches of 2 or more: shards on the pool, then the same per-sample bookkeeping, in sample order,
    // as the sequential loop above: the same windows, the same step named by a divergence
    private TrainingStats trainInShards(Examples data, int epochsDone, int epochs, Sgd sgd, long seed,
                                        TrainingListener listener, int[] order) {
        ShardedStep batchStep = shardedStep(sgd.batchSize());
        int lastEpoch = epochsDone + epochs;
        int batchSize = sgd.batchSize();
        long start = System.nanoTime();
        Window window = new Window(listener, batchStep::nonFiniteParameter);
        for (int epoch = epochsDone + 1; epoch <= lastEpoch; epoch++) {
            listener.epochStarted(epoch, lastEpoch);
            shuffle(order, seed, epoch);
            window.start(epoch);
            for (int first = 0; first < order.length; first += batchSize) {
                int count = Math.min(batchSize, order.length - first);
                batchStep.computeShards(data, order, first, count);
                for (int j = 0; j < count; j++) {
                    int step = first + j + 1;
                    if (j == count - 1) {
                        // as the sequential loop: the update comes with the batch's last sample, before its checks
                        batchStep.reduceAndUpdate(sgd, count);
                    }
                    window.add(step, batchStep.loss(j), batchStep.predicted(j) == data.label(order[first + j]),
                            step == order.length);
                }
            }
            listener.epochFinished(epoch, lastEpoch);
        }
        return new TrainingStats((long) epochs * order.length, System.nanoTime() - start);
    }

    /**
     * One mini-batch step on images {@code examples} of {@code data}, as {@link #train} takes it: the
     * shards' gradients on the threads, the fixed-order sum, one update with {@code sgd}. Returns the
     * batch's summed loss; checks nothing for divergence. For benchmarks and callers with their own
     * loop; {@code examples} holds 2 to {@code sgd.batchSize()} indices. On several threads, a change
     * that the caller makes to the network's values between two steps is not seen by the other
     * threads' copies of the dense weights until the next {@link #train}, {@link #evaluate} or
     * {@link #forwardAll}: change the values before a run, not within one.
     */
    public double step(Examples data, int[] examples, Sgd sgd) {
        if (examples.length < 2 || examples.length > sgd.batchSize()) {
            throw new IllegalArgumentException("a step takes 2 to " + sgd.batchSize() + " images, got "
                    + examples.length);
        }
        checkShape(data);
        ShardedStep batchStep = shardedStep(sgd.batchSize());
        batchStep.computeShards(data, examples, 0, examples.length);
        batchStep.reduceAndUpdate(sgd, examples.length);
        double loss = 0;
        for (int j = 0; j < examples.length; j++) {
            loss += batchStep.loss(j);
        }
        return loss;
    }

    /**
     * Images per group for {@code network}: {@link #MAX_GROUP}, or fewer when the layers before its
     * first dense layer (which a replica keeps once per image of a group) need more than
     * {@link #GROUP_BUFFER_BYTES} for that many images. The group size changes no result.
     */
    static int groupSize(Network network) {
        long perImage = 0; // floats: each layer's output and input gradient, an upper bound
        for (Layer layer : network.layers()) {
            perImage += layer.inputShape().size() + layer.outputShape().size();
        }
        return (int) Math.max(1, Math.min(MAX_GROUP, GROUP_BUFFER_BYTES / (4 * Math.max(1, perImage))));
    }

    private void prepareReplicas() {
        if (pool != null) {
            return;
        }
        group = groupSize(network);
        replicas = new Network[threads];
        groupImages = new float[threads][group][network.imageSize()];
        groupLabels = new int[threads][group];
        groupLosses = new double[threads][group];
        groupClasses = new int[threads][group];
        groupProbs = new float[threads][group][network.classes()];
        inputViews = new float[threads][group][];
        outputViews = new float[threads][group][];
        for (int w = 0; w < threads; w++) {
            replicas[w] = network.replica(group); // reads the master's values: nothing to copy
        }
        pool = new WorkerPool(threads);
        groupClaims = new BlockClaims(threads);
    }

    // the batch machinery on the pool, made at the first batch, its buffers for batches of batchSize
    private ShardedStep shardedStep(int batchSize) {
        prepareReplicas();
        if (sharded == null) {
            sharded = new ShardedStep(network, replicas, pool, groupImages, groupLabels, groupLosses, groupClasses);
        }
        sharded.prepare(batchSize);
        return sharded;
    }

    /**
     * What {@link #train}'s divergence check finds when it trains in batches of {@code batchSize}: the
     * threads' scan, each of its own share of the parameters, of the network's values as they are now.
     */
    String nonFiniteParameterInBatches(int batchSize) {
        ShardedStep batchStep = shardedStep(batchSize);
        refreshCopies();
        return batchStep.nonFiniteParameter();
    }

    // the copies of the dense weights that a sharded step keeps, if any, equal to the network again
    private void refreshCopies() {
        if (sharded != null) {
            sharded.refreshCopies();
        }
    }

    /** Mean loss and accuracy over the whole data set, forward passes only. */
    public Evaluation evaluate(Examples data) {
        return evaluateByClass(data).evaluation();
    }

    /** Loss, accuracy and which class each image was taken for, forward passes only. */
    public ConfusionMatrix evaluateByClass(Examples data) {
        checkShape(data);
        int classes = network.classes();
        int[] counts = new int[classes * classes];
        double totalLoss = 0;
        // the threads take the images a group at a time; the losses are added here in image order
        prepareReplicas();
        refreshCopies();
        groupClaims.reset(data.count(), group);
        double[] imageLosses = new double[data.count()];
        int[] imageClasses = new int[data.count()];
        evaluated = data;
        evaluatedLosses = imageLosses;
        evaluatedClasses = imageClasses;
        try {
            pool.run(evaluateTask);
        } finally {
            evaluated = null;
            evaluatedLosses = null;
            evaluatedClasses = null;
        }
        for (int k = 0; k < data.count(); k++) {
            totalLoss += imageLosses[k];
            counts[data.label(k) * classes + imageClasses[k]]++;
        }
        return new ConfusionMatrix(classes, counts, totalLoss);
    }

    private void evaluateGroups(int worker) {
        groupClaims.runAll(worker, evaluateRun);
    }

    // images [from, to), one group, on worker's replica: each image's numbers are the same whichever
    // group and thread take it
    private void evaluateGroup(int worker, int from, int to) {
        float[][] inputs = groupImages[worker];
        float[][] probs = groupProbs[worker];
        int[] classes = groupClasses[worker];
        int size = to - from;
        for (int g = 0; g < size; g++) {
            evaluated.imageInto(from + g, inputs[g]);
        }
        if (trainedPerSample) {
            // after per-sample training the JIT has compiled the per-image forward pass and not the
            // group kernels: the seed job's test of 1,000 images took 55-105 ms as groups, 7-12 ms
            // image by image. Hot, groups are 8-10% faster (10,000 images, seed and deep preset)
            for (int g = 0; g < size; g++) {
                float[] imageProbs = replicas[worker].forward(inputs[g]);
                System.arraycopy(imageProbs, 0, probs[g], 0, imageProbs.length);
                classes[g] = replicas[worker].lastPredicted();
            }
        } else {
            replicas[worker].forwardGroup(inputs, size, probs, classes);
        }
        for (int g = 0; g < size; g++) {
            evaluatedLosses[from + g] = -Math.log(probs[g][evaluated.label(from + g)]);
            evaluatedClasses[from + g] = classes[g];
        }
    }

    /**
     * The network's class probabilities for each of {@code inputs} (images [C][H][W]), split across
     * the threads a group at a time: the same numbers as one forward pass after another.
     */
    public float[][] forwardAll(float[][] inputs) {
        for (float[] input : inputs) {
            if (input.length != network.imageSize()) {
                throw new IllegalArgumentException("an image of " + input.length + " values for a network that takes "
                        + network.imageSize());
            }
        }
        float[][] outputs = new float[inputs.length][network.classes()];
        prepareReplicas();
        refreshCopies();
        groupClaims.reset(inputs.length, group);
        forwardInputs = inputs;
        forwardOutputs = outputs;
        try {
            pool.run(forwardTask);
        } finally {
            forwardInputs = null;
            forwardOutputs = null;
        }
        return outputs;
    }

    private void forwardGroups(int worker) {
        groupClaims.runAll(worker, forwardRun);
    }

    // images [from, to), one group: the caller's images and output rows go to forwardGroup as they
    // are, through the worker's arrays of views, which let go of them afterwards
    private void forwardGroup(int worker, int from, int to) {
        float[][] inputs = inputViews[worker];
        float[][] outputs = outputViews[worker];
        System.arraycopy(forwardInputs, from, inputs, 0, to - from);
        System.arraycopy(forwardOutputs, from, outputs, 0, to - from);
        replicas[worker].forwardGroup(inputs, to - from, outputs, groupClasses[worker]);
        Arrays.fill(inputs, null);
        Arrays.fill(outputs, null);
    }

    /** Stops the worker threads, if any were started; the trainer may not use them afterwards. */
    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    /**
     * Epoch {@code epoch}'s order: the identity shuffled (Fisher-Yates, every permutation equally
     * likely) by a generator seeded from (seed, epoch) only. The seeds are hashed so that they share
     * no numbers with {@code new SplittableRandom(seed)}, which callers use for the initial weights.
     */
    static void shuffle(int[] order, long seed, int epoch) {
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        SplittableRandom random = new SplittableRandom(mix64(mix64(seed) + epoch));
        for (int k = order.length - 1; k > 0; k--) {
            int other = random.nextInt(k + 1);
            int held = order[k];
            order[k] = order[other];
            order[other] = held;
        }
    }

    // Stafford's variant 13 of the MurmurHash3 finaliser: nearby inputs give unrelated outputs
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // One epoch's 100-image windows, fed every sample's loss in sample order: the listener's reports and
    // the divergence checks, the same however the samples were computed
    private final class Window {
        private final TrainingListener listener;
        private final Supplier<String> nonFiniteParameter; // the network's scan, or the threads' (batches)
        private int epoch;
        private double loss;
        private int correct;
        private int steps;

        Window(TrainingListener listener, Supplier<String> nonFiniteParameter) {
            this.listener = listener;
            this.nonFiniteParameter = nonFiniteParameter;
        }

        void start(int epoch) {
            this.epoch = epoch;
            loss = 0;
            correct = 0;
            steps = 0;
        }

        void add(int step, double sampleLoss, boolean right, boolean endOfEpoch) {
            // Divergence shows in the loss within a step: a weight that turns NaN or infinite makes
            // every logit it reaches NaN or infinite at the next forward pass (0 * Inf is NaN too),
            // softmax turns that into NaN, and -ln(NaN) is NaN; a loss of +Infinity means the true
            // class's probability underflowed to 0, which only a model gone wild gets to.
            if (!Double.isFinite(sampleLoss)) {
                throw new TrainingDivergedException(epoch, step, "the loss is " + sampleLoss);
            }
            loss += sampleLoss;
            correct += right ? 1 : 0;
            steps++;
            if (steps == WINDOW || endOfEpoch) {
                // the one hole in that argument: a class's bias or weights at -Infinity give it
                // probability 0 and a finite loss, so the weights are scanned too, once a window
                // (with the vector kernels; in batches each thread scans its own share)
                String bad = nonFiniteParameter.get();
                if (bad != null) {
                    throw new TrainingDivergedException(epoch, step, bad);
                }
                listener.windowFinished(epoch, step, steps, loss / steps, (double) correct / steps);
                start(epoch);
            }
        }
    }

    private void checkShape(Examples data) {
        if (data.imageSize() != network.imageSize()) {
            throw new IllegalArgumentException(data.source() + ": images of " + data.imageShape()
                    + " do not fit a network that takes " + network.imageSize() + " values");
        }
        for (int k = 0; k < data.count(); k++) {
            if (data.label(k) >= network.classes()) {
                throw new IllegalArgumentException(data.source() + ": label " + data.label(k) + " at index " + k
                        + " is outside the network's " + network.classes() + " classes");
            }
        }
    }
}
