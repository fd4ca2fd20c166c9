package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Examples;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.DenseRows;
import dev.vcnn.engine.network.Network;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A trainer's mini-batch step on its threads: the same bits on any number of them.
 *
 * <p>A mini-batch is cut into shards whose size depends on the batch size alone ({@link #shardSize});
 * each shard's gradient is summed in sample order into a buffer of its own, on a replica of the
 * network that reads the master's values; the shard sums are then added in one fixed pairwise tree
 * over shard index, and the master takes one update. Each thread computes the shards of a contiguous
 * block, the same block every batch, before it helps with the others', and the tree's lower nodes are
 * added as soon as their halves are done, mostly by the thread that wrote both, from its own cache;
 * then each thread adds the upper nodes and takes the update for its share of the parameters. Which
 * thread adds a node never changes the sum. The dense layers' weights, nearly all the bytes, are the
 * exception: the shards keep their dense layers' input and output-gradient rows ({@link DenseRows})
 * instead of adding weight gradients, and each thread then sums its share of each weight's rows over
 * the shards in the same tree ({@code Kernels.denseWeightGradientShards}, the same bits) and updates
 * those rows, so these gradients need no shard buffers and never cross between cores. On two or more
 * threads each replica reads a copy of the dense weights of its own ({@link DenseWeightCopies}): a
 * thread updates its rows there and hands them to the network's arrays and the other copies.
 *
 * <p>Made once per trainer, at its first batch, on the trainer's pool, replicas and group buffers;
 * its own buffers are made for the largest batch it has been prepared for; a step allocates nothing.
 */
final class ShardedStep {
    /** The fewest images in a shard, and the most shards in a batch: see {@link #shardSize}. */
    static final int MIN_SHARD = 4;
    static final int MAX_SHARDS = 16;
    private static final int TREE_LEVELS = 4; // log2(MAX_SHARDS)
    // floats of a parameter the reduction sums and updates at a time, so that the update reads the
    // sums from L1 (16 KB), not from wherever a whole parameter's sums would have gone
    private static final int REDUCE_CHUNK = 4096;

    private final Network network;
    private final int threads;
    private final WorkerPool pool;
    private final Network[] replicas;
    private final int group;
    // each thread's group: images [group][C*H*W], labels, per-image losses and classes
    private final float[][][] groupImages;
    private final int[][] groupLabels;
    private final double[][] groupLosses;
    private final int[][] groupClasses;
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
    // each thread's contiguous block of the shards, the same every batch, so that a thread fills the
    // same buffers each time and the tree's lower levels mostly add what the thread itself wrote
    private final BlockClaims shardClaims;
    // [tree level * MAX_SHARDS + node's first shard]: how many of the node's two halves are done
    private final AtomicIntegerArray halvesDone = new AtomicIntegerArray(TREE_LEVELS * MAX_SHARDS);
    private Sgd batchSgd;
    private int batchSamples;
    private final WorkerPool.Task shardTask = this::computeBlock;
    private final BlockClaims.Run shardRun = this::computeShardsOf;
    private final WorkerPool.Task reduceTask = this::reduceAndUpdateShare;
    private final WorkerPool.Task scanTask = this::scanShare;
    // [threads]: the first parameter, and its first index, that a worker's scan found not finite, or -1
    private final int[] badParameter;
    private final int[] badIndex;

    ShardedStep(Network network, Network[] replicas, WorkerPool pool, float[][][] groupImages, int[][] groupLabels,
                double[][] groupLosses, int[][] groupClasses) {
        this.network = network;
        this.threads = replicas.length;
        this.pool = pool;
        this.replicas = replicas;
        this.group = groupImages[0].length;
        this.groupImages = groupImages;
        this.groupLabels = groupLabels;
        this.groupLosses = groupLosses;
        this.groupClasses = groupClasses;
        this.shardClaims = new BlockClaims(threads);
        this.badParameter = new int[threads];
        this.badIndex = new int[threads];
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

    /** The shard buffers, per-sample results and parameter offsets for batches of up to {@code batchSize}, made when first needed. */
    void prepare(int batchSize) {
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
        int shards = (batchSize + batchShardSize - 1) / batchShardSize;
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

    /** Every shard's gradient sum on the pool, with each sample's loss and predicted class. */
    void computeShards(Examples data, int[] order, int first, int count) {
        batchData = data;
        batchOrder = order;
        batchStart = first;
        batchCount = count;
        batchShards = (count + batchShardSize - 1) / batchShardSize;
        eagerSpan = Integer.highestOneBit((batchShards + threads - 1) / threads);
        shardClaims.reset(batchShards, 1);
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
    void reduceAndUpdate(Sgd sgd, int samples) {
        batchSgd = sgd;
        batchSamples = samples;
        pool.run(reduceTask);
        copiesCurrent = true;
    }

    /**
     * The replicas' copies of the dense weights made equal to the network's again: the trainer calls
     * it at every call that may follow a change made outside the batches; a step calls it after a
     * batch that failed half-way.
     */
    void refreshCopies() {
        if (weightCopies != null) {
            weightCopies.refresh();
        }
        copiesCurrent = true;
    }

    /** The network has changed outside the batches (per-sample steps): the next step refreshes the copies. */
    void networkChanged() {
        copiesCurrent = false;
    }

    /**
     * Null when every parameter is finite, else the first value that is not, named as
     * {@link Network#nonFiniteParameter} names it (the first parameter, then the first index), for a
     * trainer's divergence check between batches or between a batch's shards and its update. Each
     * thread scans its share of the parameters as the reduction splits them, its dense rows in its
     * own copy: where it has just updated them, so no line moves between the cores for it (a scan
     * of the network's arrays by one thread would read the rows the others updated, and their next
     * hand-over would wait for those lines).
     */
    String nonFiniteParameter() {
        pool.run(scanTask);
        int parameter = -1;
        int index = -1;
        for (int w = 0; w < threads; w++) { // each worker's first is the first of its share
            int p = badParameter[w];
            if (p >= 0 && (parameter < 0 || p < parameter || (p == parameter && badIndex[w] < index))) {
                parameter = p;
                index = badIndex[w];
            }
        }
        return parameter < 0 ? null : network.parameters().get(parameter).describeValue(index);
    }

    /** Sample j's loss in the last batch computed. */
    double loss(int j) {
        return losses[j];
    }

    /** The class sample j of the last batch computed was taken for. */
    int predicted(int j) {
        return predicted[j];
    }

    // shard i's sums += shard other's over [from, to) of parameter p
    private void addShard(int i, int other, int p, int from, int to) {
        network.kernels().addInto(shardGradients[i][p], shardGradients[other][p], from, to);
    }

    // A worker computes the shards of its own block first, then helps with the other blocks
    private void computeBlock(int worker) {
        shardClaims.runAll(worker, shardRun);
        if (weightCopies != null) {
            weightCopies.clearOthersRows(worker); // no shard is left to read them this batch
        }
    }

    // shards [from, to) of a claim (one shard), each with the tree's nodes it completes
    private void computeShardsOf(int worker, int from, int to) {
        for (int s = from; s < to; s++) {
            computeShard(worker, s);
            addFinishedNodes(s);
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
        List<Parameter> parameters = network.parameters();
        for (int p = 0; p < parameters.size(); p++) {
            if (rowsOf[p] >= 0) {
                updateRows(worker, p, parameters.get(p));
                continue;
            }
            int from = shareStart(p, worker);
            int to = shareStart(p, worker + 1);
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

    // the worker's share of the parameters, the same as in reduceAndUpdateShare, in parameter order
    private void scanShare(int worker) {
        badParameter[worker] = -1;
        List<Parameter> parameters = network.parameters();
        for (int p = 0; p < parameters.size(); p++) {
            int k = rowsOf[p];
            float[] values;
            int from;
            int to;
            if (k >= 0) { // a dense weight: the worker's rows, where it updates them
                values = rowValues(worker, k, parameters.get(p));
                from = rowShareStart(k, worker) * denseRows.inputCount(k);
                to = rowShareStart(k, worker + 1) * denseRows.inputCount(k);
            } else {
                values = parameters.get(p).values();
                from = shareStart(p, worker);
                to = shareStart(p, worker + 1);
            }
            int bad = from < to ? network.kernels().firstNonFinite(values, from, to) : -1;
            if (bad >= 0) {
                badParameter[worker] = p;
                badIndex[worker] = bad;
                return;
            }
        }
    }

    // a dense weight: its gradient over the batch's shards and its update, for this worker's share of
    // its rows (the same rows every batch)
    private void updateRows(int worker, int p, Parameter weight) {
        int k = rowsOf[p];
        int inputs = denseRows.inputCount(k);
        int outputs = denseRows.outputCount(k);
        int fromRow = rowShareStart(k, worker);
        int toRow = rowShareStart(k, worker + 1);
        float[] sum = shardGradients[0][p];
        network.kernels().denseWeightGradientShards(denseRows.inputs(k), denseRows.gradients(k), batchCount,
                batchShardSize, inputs, outputs, fromRow, toRow, sum);
        float[] values = rowValues(worker, k, weight);
        for (int start = fromRow * inputs; start < toRow * inputs; start += REDUCE_CHUNK) {
            int end = Math.min(toRow * inputs, start + REDUCE_CHUNK);
            batchSgd.update(network.kernels(), values, weight.velocity(), sum, start, end, batchSamples);
        }
        if (weightCopies != null) {
            weightCopies.publish(worker, k, fromRow, toRow);
        }
    }

    // where worker's share of parameter p (not a dense weight) starts in its values, the parameters
    // laid end to end and split into contiguous shares; share w is [shareStart(p, w), shareStart(p, w + 1))
    private int shareStart(int p, int worker) {
        long at = WorkerPool.shareStart(parameterOffsets[parameterOffsets.length - 1], worker, threads) - parameterOffsets[p];
        return (int) Math.max(0, Math.min(at, network.parameters().get(p).size()));
    }

    // the first of worker's rows of dense weight k: the same rows every batch
    private int rowShareStart(int k, int worker) {
        return WorkerPool.shareStart(denseRows.outputCount(k), worker, threads);
    }

    // the array worker updates dense weight k's rows in: its own copy on two or more threads
    private float[] rowValues(int worker, int k, Parameter weight) {
        return weightCopies == null ? weight.values() : weightCopies.own(worker, k);
    }
}
