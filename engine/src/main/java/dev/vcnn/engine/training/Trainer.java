package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Examples;
import dev.vcnn.engine.layers.Layer;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.DenseRows;
import dev.vcnn.engine.network.Network;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * SGD over a data set for a number of epochs, per sample or in mini-batches, shuffling the examples
 * afresh before every epoch, and evaluation on held-out data (forward only, with a confusion matrix),
 * on one thread or several.
 *
 * <p>With several threads the result is the very same, bit for bit, as with one. A mini-batch is cut
 * into shards whose size depends on the batch size alone ({@link #shardSize}); each shard's gradient
 * is summed in sample order into a buffer of its own, on a replica of the network that reads the
 * master's values; the shard sums are then added in one fixed pairwise tree over shard index, and the
 * master takes one update. Each thread computes the shards of a contiguous block, the same block every
 * batch, before it helps with the others', and the tree's lower nodes are added as soon as their
 * halves are done, mostly by the thread that wrote both, from its own cache; then each thread adds
 * the upper nodes and takes the update for its share of the parameters. Which thread adds a node
 * never changes the sum. The dense layers' weights, nearly all the bytes, are the exception: the
 * shards keep their dense layers' input and output-gradient rows ({@link DenseRows}) instead of
 * adding weight gradients, and each thread then sums its share of each weight's rows over the shards
 * in the same tree ({@code Kernels.denseWeightGradientShards}, the same bits) and updates those rows,
 * so these gradients need no shard buffers and never cross between cores. On two or more threads
 * each replica reads a copy of the dense weights of its own ({@link DenseWeightCopies}): a thread
 * updates its rows there and hands them to the network's arrays and the other copies. Every batch
 * of 2 or more images goes this way, also on one thread.
 * Per-sample SGD (batch 1) stays sequential: its steps depend on each other, so threads speed up only
 * its evaluation. Evaluation gives each thread a contiguous run of the images
 * and adds their losses in image order afterwards.
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
    /** The fewest images in a shard, and the most shards in a batch: see {@link #shardSize}. */
    static final int MIN_SHARD = 4;
    static final int MAX_SHARDS = 16;
    private static final int TREE_LEVELS = 4; // log2(MAX_SHARDS)
    // floats of a parameter the reduction sums and updates at a time, so that the update reads the
    // sums from L1 (16 KB), not from wherever a whole parameter's sums would have gone
    private static final int REDUCE_CHUNK = 4096;
    /** The most images a replica runs as one group; fewer for networks with large per-image buffers. */
    static final int MAX_GROUP = 8;
    // the most bytes of per-image layer buffers a replica's extra group slots may take, per thread
    private static final long GROUP_BUFFER_BYTES = 32L << 20;

    private final Network network;
    private final int threads;
    private final float[] image;

    // made at first use: the pool, a replica per thread, and each thread's group: images [group][C*H*W]
    // (or views of the caller's), labels, per-image losses, classes and probabilities [group][classes]
    private WorkerPool pool;
    private Network[] replicas;
    private int group;
    private float[][][] groupImages;
    private int[][] groupLabels;
    private double[][] groupLosses;
    private int[][] groupClasses;
    private float[][][] groupProbs;
    // the batch being computed, for the tasks; shardGradients[s][p] is shard s's sum for parameter p
    private float[][][] shardGradients = new float[0][][];
    private double[] losses = new double[0];
    private int[] predicted = new int[0];
    // [parameters + 1]: where each starts, all end to end, the dense weights (by rows) taking no room:
    // the reduction's shares of the parameters are shares of these offsets
    private long[] parameterOffsets = new long[0];
    // the dense layers' rows of the batch, and [parameter]: which of them holds its rows (a dense
    // weight, whose gradient is taken after the shards, by rows), or -1
    private DenseRows denseRows;
    private int[] rowsOf = new int[0];
    // on two or more threads, from the first batch on: each replica's own dense weights, which equal
    // the network's between batches unless one failed half-way or the network was changed outside them
    private DenseWeightCopies weightCopies;
    private boolean copiesCurrent = true;
    private Examples batchData;
    private int[] batchOrder;
    private int batchStart;
    private int batchCount;
    private int batchShardSize;
    private int batchShards;
    private int eagerSpan; // the tree's nodes over at most this many shards are added as shards finish
    private AtomicIntegerArray nextInBlock;  // [threads]: each block's next shard to claim
    // [tree level * MAX_SHARDS + node's first shard]: how many of the node's two halves are done
    private final AtomicIntegerArray halvesDone = new AtomicIntegerArray(TREE_LEVELS * MAX_SHARDS);
    private Sgd batchSgd;
    private int batchSamples;
    private final WorkerPool.Task shardTask = this::computeBlock;
    private final WorkerPool.Task reduceTask = this::reduceAndUpdateShare;
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
        refreshCopies();
        if (sgd.batchSize() > 1) {
            return trainInShards(data, epochsDone, epochs, sgd, seed, listener, order);
        }
        copiesCurrent = false; // the steps below change the network alone
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
        prepareShards(sgd.batchSize());
        computeShards(data, examples, 0, examples.length);
        reduceAndUpdate(sgd, examples.length);
        double loss = 0;
        for (int j = 0; j < examples.length; j++) {
            loss += losses[j];
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
        nextInBlock = new AtomicIntegerArray(threads);
        replicas = new Network[threads];
        groupImages = new float[threads][group][network.imageSize()];
        groupLabels = new int[threads][group];
        groupLosses = new double[threads][group];
        groupClasses = new int[threads][group];
        groupProbs = new float[threads][group][network.classes()];
        for (int w = 0; w < threads; w++) {
            replicas[w] = network.replica(group); // reads the master's values: nothing to copy
        }
        pool = new WorkerPool(threads);
    }

    // the shard buffers, per-sample results and parameter offsets for batches of batchSize, made once
    private void prepareShards(int batchSize) {
        prepareReplicas();
        batchShardSize = shardSize(batchSize); // of the batch size, also for an epoch's short last batch
        List<Parameter> parameters = network.parameters();
        if (denseRows == null || denseRows.capacity() < batchSize) {
            denseRows = network.denseRows(batchSize);
            for (Network replica : replicas) {
                replica.keepDenseRows(denseRows);
            }
            rowsOf = new int[parameters.size()];
            Arrays.fill(rowsOf, -1);
            int[] weights = new int[denseRows.layers()];
            for (int k = 0; k < denseRows.layers(); k++) {
                weights[k] = parameters.indexOf(denseRows.weight(k));
                rowsOf[weights[k]] = k;
            }
            if (threads > 1 && weightCopies == null) {
                weightCopies = new DenseWeightCopies(network, replicas, weights);
            }
        }
        int shards = (batchSize + shardSize(batchSize) - 1) / shardSize(batchSize);
        if (shardGradients.length < shards) {
            shardGradients = new float[shards][parameters.size()][];
            for (int s = 0; s < shards; s++) {
                for (int p = 0; p < parameters.size(); p++) {
                    // a dense weight's shards add nothing: one array, for the batch's sum
                    boolean byRows = rowsOf[p] >= 0 && s > 0;
                    shardGradients[s][p] = byRows ? shardGradients[0][p] : new float[parameters.get(p).size()];
                }
            }
        }
        if (losses.length < batchSize) {
            losses = new double[batchSize];
            predicted = new int[batchSize];
        }
        if (parameterOffsets.length == 0) {
            parameterOffsets = new long[parameters.size() + 1];
            for (int p = 0; p < parameters.size(); p++) {
                parameterOffsets[p + 1] = parameterOffsets[p] + (rowsOf[p] >= 0 ? 0 : parameters.get(p).size());
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
        eagerSpan = Integer.highestOneBit((batchShards + threads - 1) / threads);
        for (int w = 0; w < threads; w++) {
            nextInBlock.set(w, blockStart(w));
        }
        for (int k = 0; k < halvesDone.length(); k++) {
            halvesDone.set(k, 0);
        }
        if (!copiesCurrent) {
            refreshCopies();
        }
        copiesCurrent = false; // until the batch's update has reached every copy
        pool.run(shardTask);
    }

    // the shard sums added up across the blocks and the update taken, each worker on its share of the
    // parameters: one pass over the gradients and parameters, on every thread
    private void reduceAndUpdate(Sgd sgd, int samples) {
        batchSgd = sgd;
        batchSamples = samples;
        pool.run(reduceTask);
        copiesCurrent = true;
    }

    // the replicas' copies of the dense weights made equal to the network's again: at every call that
    // may follow a change made outside the batches, and after a batch that failed half-way
    private void refreshCopies() {
        if (weightCopies != null) {
            weightCopies.refresh();
        }
        copiesCurrent = true;
    }

    // worker's shards: a contiguous block, the same every batch, so that a thread fills the same
    // buffers each time and the tree's lower levels mostly add what the thread itself wrote
    private int blockStart(int worker) {
        return (int) ((long) batchShards * worker / threads);
    }

    // shard i's sums += shard other's over [from, to) of parameter p
    private void addShard(int i, int other, int p, int from, int to) {
        network.kernels().addInto(shardGradients[i][p], shardGradients[other][p], from, to);
    }

    // A worker claims the shards of its own block first, then helps with the other blocks (the host
    // may run one core slower than the other for seconds: a fixed split would wait for it)
    private void computeBlock(int worker) {
        for (int b = 0; b < threads; b++) {
            int block = (worker + b) % threads;
            int end = blockStart(block + 1);
            for (int s = nextInBlock.getAndIncrement(block); s < end; s = nextInBlock.getAndIncrement(block)) {
                computeShard(worker, s);
                addFinishedNodes(s);
            }
        }
        if (weightCopies != null) {
            weightCopies.clearOthersRows(worker); // no shard is left to read them this batch
        }
    }

    // Shard s is complete: add up the tree's nodes over at most eagerSpan shards that it completes.
    // Whichever thread finishes a node's second half adds the node (the sum is the same whoever adds
    // it); with the threads on their own blocks, that is the thread that wrote both halves
    private void addFinishedNodes(int s) {
        for (int stride = 1, level = 0; 2 * stride <= eagerSpan; stride *= 2, level++) {
            int first = s & -(2 * stride); // the node at this level over s: first + stride is its right half
            if (first + stride >= batchShards) {
                continue; // no right half: the node is its left half, complete
            }
            if (halvesDone.incrementAndGet(level * MAX_SHARDS + first) == 1) {
                return; // the other half's finisher goes on from here
            }
            for (int p = 0; p < shardGradients[first].length; p++) {
                if (rowsOf[p] < 0) {
                    addShard(first, first + stride, p, 0, shardGradients[first][p].length);
                }
            }
        }
    }

    // a shard's images go through the replica a group at a time, the groups in sample order, so its sum
    // holds the samples' terms in sample order as one addGradient after another would add them. The
    // first group sets the sums rather than adding to them: the buffer, which holds the last batch's
    // sums, then needs no zeroing pass. The dense weights add nothing here: their layers keep the
    // group's rows in denseRows (from row j on) for updateRows
    private void computeShard(int worker, int s) {
        Network replica = replicas[worker];
        List<Parameter> parameters = replica.parameters();
        float[][] inputs = groupImages[worker];
        int[] labels = groupLabels[worker];
        float[][] sums = shardGradients[s];
        for (int p = 0; p < parameters.size(); p++) {
            parameters.get(p).gradientInto(sums[p]);
        }
        try {
            int end = Math.min(batchCount, (s + 1) * batchShardSize);
            for (int j = s * batchShardSize; j < end; j += group) {
                int count = Math.min(group, end - j);
                replica.denseRowsFrom(j);
                for (int g = 0; g < count; g++) {
                    int example = batchOrder[batchStart + j + g];
                    batchData.imageInto(example, inputs[g]);
                    labels[g] = batchData.label(example);
                }
                if (j == s * batchShardSize) {
                    replica.setGradients(inputs, labels, count, groupLosses[worker], groupClasses[worker]);
                } else {
                    replica.addGradients(inputs, labels, count, groupLosses[worker], groupClasses[worker]);
                }
                System.arraycopy(groupLosses[worker], 0, losses, j, count);
                System.arraycopy(groupClasses[worker], 0, predicted, j, count);
            }
        } finally {
            for (int p = 0; p < parameters.size(); p++) { // indexed: an iterator would allocate until C2
                parameters.get(p).gradientInto(null);
            }
        }
    }

    // the fixed tree: at stride 1, 2, 4, ... shard i adds shard i + stride for every i that is a
    // multiple of 2 * stride. The nodes over eagerSpan shards or fewer were added with the shards; the
    // others go here, each worker on its share of the parameters laid end to end (the same share every
    // batch, so the velocities it updates stay in its cache). The sum then updates that share of the
    // parameters: an element's update reads that element alone. The dense weights go by rows instead
    // (updateRows), also a fixed share per worker
    private void reduceAndUpdateShare(int worker) {
        long total = parameterOffsets[parameterOffsets.length - 1];
        long lo = total * worker / threads;
        long hi = total * (worker + 1) / threads;
        List<Parameter> parameters = network.parameters();
        for (int p = 0; p < parameters.size(); p++) {
            if (rowsOf[p] >= 0) {
                updateRows(worker, p, parameters.get(p));
                continue;
            }
            int from = (int) Math.max(0, lo - parameterOffsets[p]);
            int to = (int) Math.min(parameters.get(p).size(), hi - parameterOffsets[p]);
            if (from >= to) {
                continue;
            }
            for (int start = from; start < to; start += REDUCE_CHUNK) {
                int end = Math.min(to, start + REDUCE_CHUNK);
                for (int stride = 1; stride < batchShards; stride *= 2) {
                    for (int i = 0; i + stride < batchShards; i += 2 * stride) {
                        if (2 * stride > eagerSpan) {
                            addShard(i, i + stride, p, start, end);
                        }
                    }
                }
                batchSgd.update(network.kernels(), parameters.get(p), shardGradients[0][p], start, end, batchSamples);
            }
        }
    }

    // a dense weight: its gradient over the batch's shards and its update, for this worker's share of
    // its rows (the same rows every batch)
    private void updateRows(int worker, int p, Parameter weight) {
        int k = rowsOf[p];
        int inputs = denseRows.inputCount(k);
        int outputs = denseRows.outputCount(k);
        int fromRow = DenseWeightCopies.firstRow(outputs, worker, threads);
        int toRow = DenseWeightCopies.firstRow(outputs, worker + 1, threads);
        float[] sum = shardGradients[0][p];
        network.kernels().denseWeightGradientShards(denseRows.inputs(k), denseRows.gradients(k), batchCount,
                batchShardSize, inputs, outputs, fromRow, toRow, sum);
        float[] values = weightCopies == null ? weight.values() : weightCopies.own(worker, k);
        for (int start = fromRow * inputs; start < toRow * inputs; start += REDUCE_CHUNK) {
            int end = Math.min(toRow * inputs, start + REDUCE_CHUNK);
            batchSgd.update(network.kernels(), values, weight.velocity(), sum, start, end, batchSamples);
        }
        if (weightCopies != null) {
            weightCopies.publish(worker, k, fromRow, toRow);
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
        // each thread a contiguous run of the images; the losses are added here in image order
        prepareReplicas();
        refreshCopies();
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
        int to = (int) ((long) count * (worker + 1) / threads);
        float[][] inputs = groupImages[worker];
        float[][] probs = groupProbs[worker];
        int[] classes = groupClasses[worker];
        for (int k = (int) ((long) count * worker / threads); k < to; k += group) {
            int size = Math.min(group, to - k);
            for (int g = 0; g < size; g++) {
                evaluated.imageInto(k + g, inputs[g]);
            }
            replica.forwardGroup(inputs, size, probs, classes);
            for (int g = 0; g < size; g++) {
                evaluatedLosses[k + g] = -Math.log(probs[g][evaluated.label(k + g)]);
                evaluatedClasses[k + g] = classes[g];
            }
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
        float[][] outputs = new float[inputs.length][network.classes()];
        prepareReplicas();
        refreshCopies();
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

    // the caller's images and output rows go to forwardGroup as they are: the group's arrays hold views
    private void forwardRange(int worker) {
        Network replica = replicas[worker];
        int count = forwardInputs.length;
        int to = (int) ((long) count * (worker + 1) / threads);
        float[][] inputs = new float[group][];
        float[][] outputs = new float[group][];
        for (int k = (int) ((long) count * worker / threads); k < to; k += group) {
            int size = Math.min(group, to - k);
            System.arraycopy(forwardInputs, k, inputs, 0, size);
            System.arraycopy(forwardOutputs, k, outputs, 0, size);
            replica.forwardGroup(inputs, size, outputs, groupClasses[worker]);
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
