package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Examples;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.Network;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SGD over a data set for a number of epochs, per sample or in mini-batches, shuffling the examples
 * afresh before every epoch, and evaluation on held-out data (forward only, with a confusion matrix),
 * on one thread or several.
 *
 * <p>With several threads the result is the very same, bit for bit, as with one. A mini-batch is cut
 * into shards whose size depends on the batch size alone ({@link #shardSize}); each shard's gradient
 * is summed in sample order into a buffer of its own, by whichever thread claims it, on a replica of
 * the network holding the master's values; the shard sums are then added in one fixed pairwise tree
 * over shard index, and the master takes one update. Every batch of 2 or more images goes this way,
 * also on one thread. Per-sample SGD (batch 1) stays sequential: its steps depend on each other, so
 * threads speed up only its evaluation. Evaluation gives each thread a contiguous run of the images
 * and adds their losses in image order afterwards.
 *
 * <p>The threads ({@code threads - 1} besides the caller's), the replicas and the buffers are made
 * once, at the first use that needs them; a step allocates nothing. {@link #close()} stops the threads.
 * A trainer is for one thread of the caller's at a time.
 */
public final class Trainer implements AutoCloseable {
    /** Steps per progress report, as in the post. */
    public static final int WINDOW = 100;
    /** The fewest images in a shard, and the most shards in a batch: see {@link #shardSize}. */
    static final int MIN_SHARD = 4;
    static final int MAX_SHARDS = 16;
    // floats per piece of the reduction and update, which threads claim like shards: small enough that
    // two threads finish the deep preset's 108,618 parameters within a piece of each other
    private static final int REDUCE_CHUNK = 1 << 12;

    private final Network network;
    private final int threads;
    private final float[] image;

    // made at first use: the pool, a replica per thread (the master is replica 0) with its image buffer
    private WorkerPool pool;
    private Network[] replicas;
    private float[][] images;
    // the batch being computed, for the tasks; shardGradients[s][p] is shard s's sum for parameter p
    private float[][][] shardGradients = new float[0][][];
    private double[] losses = new double[0];
    private int[] predicted = new int[0];
    private int[] reducePieces = new int[0]; // parameter, start, end per piece
    private Examples batchData;
    private int[] batchOrder;
    private int batchStart;
    private int batchCount;
    private int batchShardSize;
    private int batchShards;
    private Sgd batchSgd;
    private int batchSamples;
    private int preparedBatch; // the batch size the shard buffers are ready (and zero) for, or 0
    private final AtomicInteger claim = new AtomicInteger();
    private final WorkerPool.Task shardTask = this::computeShard;
    private final WorkerPool.Task reduceTask = this::reduceAndUpdatePieces;
    private final WorkerPool.Task evaluateTask = this::evaluateRange;
    private final WorkerPool.Task forwardTask = this::forwardRange;
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

    /**
     * Images per shard for a batch of {@code batchSize}: {@link #MIN_SHARD}, or more for batches above
     * {@code MIN_SHARD * MAX_SHARDS} so that no batch has more than {@link #MAX_SHARDS} shards (each
     * shard holds a gradient as large as the parameters). A function of the batch size alone, never of
     * the threads: that is what makes the result the same on any number of them.
     */
    static int shardSize(int batchSize) {
        return Math.max(MIN_SHARD, (batchSize + MAX_SHARDS - 1) / MAX_SHARDS);
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
        if (sgd.batchSize() > 1) {
            return trainInShards(data, epochsDone, epochs, sgd, seed, listener, order);
        }
        long start = System.nanoTime();
        Window window = new Window(listener);
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
        preparedBatch = 0;
        prepareShards(sgd.batchSize());
        int lastEpoch = epochsDone + epochs;
        int batchSize = sgd.batchSize();
        long start = System.nanoTime();
        Window window = new Window(listener);
        for (int epoch = epochsDone + 1; epoch <= lastEpoch; epoch++) {
            listener.epochStarted(epoch, lastEpoch);
            shuffle(order, seed, epoch);
            window.start(epoch);
            for (int first = 0; first < order.length; first += batchSize) {
                int count = Math.min(batchSize, order.length - first);
                computeShards(data, order, first, count);
                for (int j = 0; j < count; j++) {
                    int step = first + j + 1;
                    if (j == count - 1) {
                        // as the sequential loop: the update comes with the batch's last sample, before its checks
                        reduceAndUpdate(sgd, count);
                    }
                    window.add(step, losses[j], predicted[j] == data.label(order[first + j]),
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
     * loop; {@code examples} holds 2 to {@code sgd.batchSize()} indices.
     */
    public double step(Examples data, int[] examples, Sgd sgd) {
        if (examples.length < 2 || examples.length > sgd.batchSize()) {
            throw new IllegalArgumentException("a step takes 2 to " + sgd.batchSize() + " images, got "
                    + examples.length);
        }
        checkShape(data);
        if (preparedBatch != sgd.batchSize()) {
            prepareShards(sgd.batchSize());
        }
        preparedBatch = 0; // until the step has ended well, its buffers may hold sums
        computeShards(data, examples, 0, examples.length);
        reduceAndUpdate(sgd, examples.length);
        preparedBatch = sgd.batchSize();
        double loss = 0;
        for (int j = 0; j < examples.length; j++) {
            loss += losses[j];
        }
        return loss;
    }

    private void prepareReplicas() {
        if (pool != null) {
            return;
        }
        replicas = new Network[threads];
        images = new float[threads][network.imageSize()];
        replicas[0] = network;
        for (int w = 1; w < threads; w++) {
            // the values are the master's, copied before each use; the draws here are thrown away
            replicas[w] = Network.build(network.kernels(), network.spec(), network.inputShape(), network.classes(),
                    new SplittableRandom(0));
        }
        pool = new WorkerPool(threads);
    }

    // the shard buffers, per-sample results and reduction pieces for batches of batchSize, all zero
    private void prepareShards(int batchSize) {
        prepareReplicas();
        batchShardSize = shardSize(batchSize); // of the batch size, also for an epoch's short last batch
        List<Parameter> parameters = network.parameters();
        int shards = (batchSize + shardSize(batchSize) - 1) / shardSize(batchSize);
        if (shardGradients.length < shards) {
            shardGradients = new float[shards][parameters.size()][];
            for (float[][] shard : shardGradients) {
                for (int p = 0; p < parameters.size(); p++) {
                    shard[p] = new float[parameters.get(p).size()];
                }
            }
        } else {
            for (float[][] shard : shardGradients) {
                for (float[] sum : shard) {
                    Arrays.fill(sum, 0f); // a run that failed half way may have left sums behind
                }
            }
        }
        if (losses.length < batchSize) {
            losses = new double[batchSize];
            predicted = new int[batchSize];
        }
        if (reducePieces.length == 0) {
            int pieces = 0;
            for (Parameter parameter : parameters) {
                pieces += (parameter.size() + REDUCE_CHUNK - 1) / REDUCE_CHUNK;
            }
            reducePieces = new int[3 * pieces];
            int k = 0;
            for (int p = 0; p < parameters.size(); p++) {
                for (int from = 0; from < parameters.get(p).size(); from += REDUCE_CHUNK) {
                    reducePieces[k++] = p;
                    reducePieces[k++] = from;
                    reducePieces[k++] = Math.min(parameters.get(p).size(), from + REDUCE_CHUNK);
                }
            }
        }
    }

    // every shard's gradient sum on the pool, with each sample's loss and predicted class
    private void computeShards(Examples data, int[] order, int first, int count) {
        batchData = data;
        batchOrder = order;
        batchStart = first;
        batchCount = count;
        batchShards = (count + batchShardSize - 1) / batchShardSize;
        claim.set(0);
        pool.run(shardTask);
    }

    // the shard sums added up, the update taken and every shard buffer zeroed for the next batch, piece
    // by piece on the pool: one pass over the gradients and parameters, on every thread
    private void reduceAndUpdate(Sgd sgd, int samples) {
        batchSgd = sgd;
        batchSamples = samples;
        claim.set(0);
        pool.run(reduceTask);
    }

    private void computeShard(int worker) {
        Network replica = replicas[worker];
        List<Parameter> parameters = replica.parameters();
        float[] input = images[worker];
        boolean fresh = false;
        for (int s = claim.getAndIncrement(); s < batchShards; s = claim.getAndIncrement()) {
            if (!fresh && replica != network) {
                copyValues(network, replica);
            }
            fresh = true;
            float[][] sums = shardGradients[s];
            for (int p = 0; p < parameters.size(); p++) {
                parameters.get(p).gradientInto(sums[p]);
            }
            try {
                int end = Math.min(batchCount, (s + 1) * batchShardSize);
                for (int j = s * batchShardSize; j < end; j++) {
                    int example = batchOrder[batchStart + j];
                    batchData.imageInto(example, input);
                    losses[j] = replica.addGradient(input, batchData.label(example));
                    predicted[j] = replica.lastPredicted();
                }
            } finally {
                for (int p = 0; p < parameters.size(); p++) { // indexed: an iterator would allocate until C2
                    parameters.get(p).gradientInto(null);
                }
            }
        }
    }

    // the fixed tree: at stride 1, 2, 4, ... shard i adds shard i + stride for every i that is a
    // multiple of 2 * stride; piece by piece of each parameter, so any thread may do any piece. Each
    // piece's sum then updates that piece of the parameter (an element's update reads that element
    // alone); every shard's piece is zero again afterwards
    private void reduceAndUpdatePieces(int worker) {
        int pieces = reducePieces.length / 3;
        int shards = batchShards;
        List<Parameter> parameters = network.parameters();
        for (int k = claim.getAndIncrement(); k < pieces; k = claim.getAndIncrement()) {
            int p = reducePieces[3 * k];
            int from = reducePieces[3 * k + 1];
            int to = reducePieces[3 * k + 2];
            for (int stride = 1; stride < shards; stride *= 2) {
                for (int i = 0; i + stride < shards; i += 2 * stride) {
                    float[] sums = shardGradients[i][p];
                    float[] other = shardGradients[i + stride][p];
                    for (int e = from; e < to; e++) { // each added shard zeroed as it is read: one pass
                        sums[e] += other[e];
                        other[e] = 0f;
                    }
                }
            }
            batchSgd.update(network.kernels(), parameters.get(p), shardGradients[0][p], from, to, batchSamples);
            Arrays.fill(shardGradients[0][p], from, to, 0f);
        }
    }

    private static void copyValues(Network from, Network to) {
        List<Parameter> source = from.parameters();
        List<Parameter> target = to.parameters();
        for (int p = 0; p < source.size(); p++) {
            System.arraycopy(source.get(p).values(), 0, target.get(p).values(), 0, source.get(p).size());
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
        if (threads == 1) {
            for (int k = 0; k < data.count(); k++) {
                data.imageInto(k, image);
                int label = data.label(k);
                float[] probs = network.forward(image);
                totalLoss += -Math.log(probs[label]);
                counts[label * classes + network.lastPredicted()]++;
            }
            return new ConfusionMatrix(classes, counts, totalLoss);
        }
        // each thread a contiguous run of the images; the losses are added here in image order, as above
        prepareReplicas();
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

    private void evaluateRange(int worker) {
        Network replica = replicas[worker];
        int count = evaluated.count();
        int from = (int) ((long) count * worker / threads);
        int to = (int) ((long) count * (worker + 1) / threads);
        if (from == to) {
            return;
        }
        if (replica != network) {
            copyValues(network, replica);
        }
        float[] input = images[worker];
        for (int k = from; k < to; k++) {
            evaluated.imageInto(k, input);
            float[] probs = replica.forward(input);
            evaluatedLosses[k] = -Math.log(probs[evaluated.label(k)]);
            evaluatedClasses[k] = replica.lastPredicted();
        }
    }

    /**
     * The network's class probabilities for each of {@code inputs} (images [C][H][W]), split across
     * the threads in contiguous runs: the same numbers as one forward pass after another.
     */
    public float[][] forwardAll(float[][] inputs) {
        for (float[] input : inputs) {
            if (input.length != network.imageSize()) {
                throw new IllegalArgumentException("an image of " + input.length + " values for a network that takes "
                        + network.imageSize());
            }
        }
        float[][] outputs = new float[inputs.length][];
        if (threads == 1) {
            for (int k = 0; k < inputs.length; k++) {
                outputs[k] = network.forward(inputs[k]).clone();
            }
            return outputs;
        }
        prepareReplicas();
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

    private void forwardRange(int worker) {
        Network replica = replicas[worker];
        int count = forwardInputs.length;
        int from = (int) ((long) count * worker / threads);
        int to = (int) ((long) count * (worker + 1) / threads);
        if (from == to) {
            return;
        }
        if (replica != network) {
            copyValues(network, replica);
        }
        for (int k = from; k < to; k++) {
            forwardOutputs[k] = replica.forward(forwardInputs[k]).clone();
        }
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
        private int epoch;
        private double loss;
        private int correct;
        private int steps;

        Window(TrainingListener listener) {
            this.listener = listener;
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
                // (one compare per parameter per 100 steps: for the seed, far below 1% of their time)
                String bad = network.nonFiniteParameter();
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
