package dev.vcnn.bench;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Sgd;
import dev.vcnn.engine.training.Trainer;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.SplittableRandom;

/**
 * The deep preset per engine over batches of {@link DeepShapes#BATCH} MNIST-sized images: a trainer on
 * one thread for whole mini-batch steps, and a replica that runs groups of {@link #GROUP} images
 * forward, as the trainer's evaluation does. Before timing, both engines must give the same
 * probabilities for the first group.
 */
@State(Scope.Thread)
public class DeepBatchInputs {
    /** Images per forward group: the trainer's evaluation runs groups of this size (Trainer.MAX_GROUP). */
    static final int GROUP = 8;
    private static final int BATCHES = 8;

    // one value: the report's shape column; a parameter so the report reads it as it reads the others
    @Param({DeepShapes.NAME})
    public String shape;

    Trainer scalar;
    Trainer vector;
    Network scalarReplica;
    Network vectorReplica;
    Dataset data;          // BATCHES * BATCH random images with random labels
    int[][] batches;       // [BATCHES][BATCH] indices into data
    float[][][] groups;    // [BATCH / GROUP][GROUP][784]: the first batch's images, as forward groups
    float[][] probs = new float[GROUP][DeepShapes.DENSE2.outputs()];
    int[] predicted = new int[GROUP];
    // a small rate: random labels, and many thousands of steps, must not drive the weights wild
    final Sgd sgd = new Sgd(0.001f, DeepShapes.BATCH, 0.9f);
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        DeepShapes.Conv first = DeepShapes.CONV1;
        Shape input = new Shape(first.channels(), first.height(), first.width());
        int classes = DeepShapes.DENSE2.outputs();
        Network scalarNetwork = Network.build(KernelSelection.scalar(), NetworkSpec.deep(), input, classes,
                new SplittableRandom(1));
        Network vectorNetwork = Network.build(KernelSelection.vector(), NetworkSpec.deep(), input, classes,
                new SplittableRandom(1));
        scalar = new Trainer(scalarNetwork, 1);
        vector = new Trainer(vectorNetwork, 1);
        scalarReplica = scalarNetwork.replica(GROUP);
        vectorReplica = vectorNetwork.replica(GROUP);

        int count = BATCHES * DeepShapes.BATCH;
        SplittableRandom random = new SplittableRandom(2);
        byte[] pixels = new byte[count * first.inputSize()];
        byte[] labels = new byte[count];
        random.nextBytes(pixels);
        for (int k = 0; k < count; k++) {
            labels[k] = (byte) random.nextInt(classes);
        }
        data = new Dataset("random", count, first.height(), first.width(), pixels, labels);
        batches = new int[BATCHES][DeepShapes.BATCH];
        for (int b = 0; b < BATCHES; b++) {
            for (int j = 0; j < DeepShapes.BATCH; j++) {
                batches[b][j] = b * DeepShapes.BATCH + j;
            }
        }
        groups = new float[DeepShapes.BATCH / GROUP][GROUP][first.inputSize()];
        for (int k = 0; k < DeepShapes.BATCH; k++) {
            data.imageInto(k, groups[k / GROUP][k % GROUP]);
        }
        agree();
    }

    // a fast wrong network is not worth timing either: the same probabilities to 1e-4
    private void agree() {
        float[][] expected = new float[GROUP][DeepShapes.DENSE2.outputs()];
        scalarReplica.forwardGroup(groups[0], GROUP, expected, predicted);
        vectorReplica.forwardGroup(groups[0], GROUP, probs, predicted);
        for (int s = 0; s < GROUP; s++) {
            for (int o = 0; o < expected[s].length; o++) {
                if (!(Math.abs(expected[s][o] - probs[s][o]) <= 1e-4)) {
                    throw new IllegalStateException("the deep network's probability " + o + " of image " + s
                            + ": vector " + probs[s][o] + " but scalar " + expected[s][o]);
                }
            }
        }
    }

    /** The next batch of the ring. */
    int[] nextBatch() {
        next = (next + 1) % BATCHES;
        return batches[next];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scalar.close();
        vector.close();
    }
}
