package dev.vcnn.engine.training;

import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.Network;

import java.util.Arrays;
import java.util.List;

/**
 * Each worker's own copy of the network's dense weights, for data-parallel training on two or more
 * threads: the replicas read their copies, and each worker updates its rows in its own copy and
 * hands them to the network's arrays and every other copy, so the network holds the new values
 * after each batch as on one thread.
 *
 * <p>Why: a dense weight [outputs][inputs] is nearly all of a deep network's bytes, every worker
 * reads all of it in every shard, and each worker updates its share of the rows ({@link WorkerPool#shareStart})
 * in its own copy, where they are still in its cache. If the replicas read the network's arrays,
 * an owner's update would write lines that the other cores hold too, and each such write waits,
 * line after line, for the other core's copy to be invalidated: 31-34 us for 205 KB on these
 * machines, against 6-7 us to move lines that the other core last wrote ({@code bench}'s
 * {@code CoreHandoff}: two threads handing a 205 KB array back and forth). So a worker clears the
 * other workers' rows of its copy once it has read them for the last time in a batch
 * ({@link #clearOthersRows}): its core is then those lines' last writer, and the owner's
 * {@link #publish} moves them over in one stream. The values are the same bits either way; the
 * copies only change where the bytes live.
 */
final class DenseWeightCopies {
    private final float[][] masters;   // [weight]: the network's arrays, [outputs][inputs]
    private final float[][][] copies;  // [worker][weight]: that worker's replica's array
    private final int[] inputs;        // [weight]: floats per row
    private final int threads;

    /** Gives each replica its own copy of the parameters {@code weights} lists by index. */
    DenseWeightCopies(Network network, Network[] replicas, int[] weights) {
        List<Parameter> parameters = network.parameters();
        this.threads = replicas.length;
        this.masters = new float[weights.length][];
        this.copies = new float[threads][weights.length][];
        this.inputs = new int[weights.length];
        for (int k = 0; k < weights.length; k++) {
            Parameter master = parameters.get(weights[k]);
            masters[k] = master.values();
            inputs[k] = master.shape()[1];
            for (int w = 0; w < threads; w++) {
                Parameter own = replicas[w].parameters().get(weights[k]);
                own.keepOwnValues();
                copies[w][k] = own.values();
            }
        }
    }

    /** Every copy made equal to the network's arrays, which may have changed outside the batches. */
    void refresh() {
        for (float[][] own : copies) {
            for (int k = 0; k < masters.length; k++) {
                System.arraycopy(masters[k], 0, own[k], 0, masters[k].length);
            }
        }
    }

    /**
     * Zeroes the rows of {@code worker}'s copy that other workers own: called when the worker has
     * read its copy for the last time in a batch, before the owners {@link #publish} the new rows.
     */
    void clearOthersRows(int worker) {
        for (int k = 0; k < masters.length; k++) {
            int outputs = masters[k].length / inputs[k];
            int from = WorkerPool.shareStart(outputs, worker, threads) * inputs[k];
            int to = WorkerPool.shareStart(outputs, worker + 1, threads) * inputs[k];
            Arrays.fill(copies[worker][k], 0, from, 0f);
            Arrays.fill(copies[worker][k], to, masters[k].length, 0f);
        }
    }

    /** {@code worker}'s copy of weight {@code k}: where it updates its rows, which it has just read. */
    float[] own(int worker, int k) {
        return copies[worker][k];
    }

    /**
     * Copies rows [fromRow, toRow) of weight {@code k}, which {@code worker} has just updated in its
     * own copy, to the network's array and every other copy.
     */
    void publish(int worker, int k, int fromRow, int toRow) {
        int from = fromRow * inputs[k];
        int length = (toRow - fromRow) * inputs[k];
        System.arraycopy(copies[worker][k], from, masters[k], from, length);
        for (int w = 0; w < threads; w++) {
            if (w != worker) {
                System.arraycopy(copies[worker][k], from, copies[w][k], from, length);
            }
        }
    }
}
