package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A replica's group path against the per-sample path, bit for bit: {@link Network#addGradients} adds
 * the gradient sums that {@link Network#addGradient} for one image after another adds, and
 * {@link Network#forwardGroup} gives the probabilities of one {@link Network#forward} after another.
 * Every image is random, so each slot's argmax, relu outputs and inputs differ from every other
 * slot's: a backward pass that read another slot's state would change the sums. Rows beyond
 * {@code count} hold images too, which a call must not touch.
 */
class NetworkGroupTest {
    private static final Shape MNIST = new Shape(1, 28, 28);
    private static final int MAX_GROUP = 5;

    /** A spec on an input shape, and what it tries. */
    record Case(String name, String spec, Shape input) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("seed (fused conv + pool)", NetworkSpec.SEED, MNIST),
            new Case("deep", NetworkSpec.DEEP, MNIST),
            // dense first: no per-image part; on a flat input of a size that is no lane multiple
            new Case("dense first", "dense:10", MNIST),
            new Case("dense, relu, dense first", "dense:19,relu,dense:10", Shape.flat(37)),
            // relu right before the dense part, whose relu runs over count * 24 values (tails)
            new Case("relu after the last conv, two dense", "conv3x3:4,relu,maxpool2,conv3x3:6,relu,dense:24,relu,dense:10",
                    new Shape(1, 14, 14)),
            // a fused layer that is not first, so it computes its input gradient
            new Case("fused conv + pool second", "conv3x3:4,relu,conv3x3:3:nobias,maxpool2,dense:6,relu,dense:10",
                    new Shape(2, 13, 12)));

    static Stream<Arguments> cases() {
        List<Arguments> arguments = new ArrayList<>();
        for (String kernels : List.of("scalar", "vector")) {
            for (Case c : CASES) {
                arguments.add(Arguments.of(c, kernels));
            }
        }
        return arguments.stream();
    }

    private static Kernels kernels(String name) {
        if (name.equals("scalar")) {
            return KernelSelection.scalar();
        }
        assumeTrue(KernelSelection.vectorWidths().length > 0, "no vector kernels on this JVM");
        return KernelSelection.vector();
    }

    private static Network network(Kernels kernels, Case c, long seed) {
        return Network.build(kernels, NetworkSpec.parse(c.spec()), c.input(), 10, new SplittableRandom(seed));
    }

    // a network of c holding master's values in arrays of its own
    private static Network sameValues(Kernels kernels, Case c, Network master) {
        Network copy = network(kernels, c, 99);
        for (int p = 0; p < master.parameters().size(); p++) {
            float[] values = master.parameters().get(p).values();
            System.arraycopy(values, 0, copy.parameters().get(p).values(), 0, values.length);
        }
        return copy;
    }

    // images in [-1, 1], wider than the pixels' range, so that relus and pools cut in many places
    private static float[][] images(SplittableRandom random, int count, int size) {
        float[][] images = new float[count][size];
        for (float[] image : images) {
            for (int k = 0; k < size; k++) {
                image[k] = (float) random.nextDouble(-1, 1);
            }
        }
        return images;
    }

    private static int[] labels(SplittableRandom random, int count) {
        int[] labels = new int[count];
        for (int s = 0; s < count; s++) {
            labels[s] = random.nextInt(10);
        }
        return labels;
    }

    private static void assertSameBits(float[] expected, float[] actual, int length, String what) {
        for (int k = 0; k < length; k++) {
            if (Float.floatToIntBits(expected[k]) != Float.floatToIntBits(actual[k])) {
                fail(what + " differs at index " + k + ": expected " + expected[k] + ", got " + actual[k]);
            }
        }
    }

    private static void assertSameGradients(Network expected, Network actual, String what) {
        for (int p = 0; p < expected.parameters().size(); p++) {
            Parameter parameter = expected.parameters().get(p);
            assertSameBits(parameter.gradient(), actual.parameters().get(p).gradient(), parameter.size(),
                    what + ", " + parameter.name() + "'s gradient");
        }
    }

    @ParameterizedTest(name = "{0}, {1} kernels")
    @MethodSource("cases")
    void groupGradientsAreThoseOfOneImageAfterAnotherBitForBit(Case c, String kernelName) {
        Kernels kernels = kernels(kernelName);
        Network master = network(kernels, c, 11);
        SplittableRandom random = new SplittableRandom(c.spec().hashCode());
        for (int group = 1; group <= MAX_GROUP; group++) {
            Network replica = master.replica(group);
            assertEquals(group, replica.groupCapacity());
            Network reference = sameValues(kernels, c, master); // runs one image at a time
            // a full group, then ever shorter ones, summed without zeroing: a call after a longer one
            // must leave nothing of it behind, and the sums run on across calls as addGradient's do
            for (int count = group; count >= 1; count--) {
                String what = c + ", group " + group + ", count " + count;
                float[][] images = images(random, group, master.imageSize());
                int[] labels = labels(random, group);
                double[] losses = new double[group];
                int[] predicted = new int[group];
                double total = replica.addGradients(images, labels, count, losses, predicted);
                double expectedTotal = 0;
                for (int s = 0; s < count; s++) {
                    double loss = reference.addGradient(images[s], labels[s]);
                    assertEquals(Double.doubleToLongBits(loss), Double.doubleToLongBits(losses[s]),
                            what + ": image " + s + "'s loss " + losses[s] + " should be " + loss);
                    assertEquals(reference.lastPredicted(), predicted[s], what + ": image " + s + "'s class");
                    expectedTotal += loss;
                }
                assertEquals(expectedTotal, total, what + ": the losses' sum");
                assertEquals(predicted[count - 1], replica.lastPredicted(), what);
                assertSameGradients(reference, replica, what);
            }
            boolean anyGradient = false;
            for (Parameter parameter : replica.parameters()) {
                for (float g : parameter.gradient()) {
                    anyGradient |= g != 0;
                }
            }
            assertTrue(anyGradient, c + ": some gradient was summed");
        }
        for (Parameter parameter : master.parameters()) {
            assertArrayEquals(new float[parameter.size()], parameter.gradient(),
                    parameter.name() + ": the master's gradient is not the replicas'");
        }
    }

    // setGradients starts the sums from zero without reading what the gradients held (NaNs here, which
    // any element read would carry into the sums), then addGradients runs them on as addGradient does
    @ParameterizedTest(name = "{0}, {1} kernels")
    @MethodSource("cases")
    void setGradientsStartsTheSumsFromZeroWithoutReadingThem(Case c, String kernelName) {
        Kernels kernels = kernels(kernelName);
        Network master = network(kernels, c, 13);
        SplittableRandom random = new SplittableRandom(c.spec().hashCode() + 2);
        for (int group = 1; group <= MAX_GROUP; group++) {
            Network replica = master.replica(group);
            Network reference = sameValues(kernels, c, master);
            for (int round = 0; round < 2; round++) {
                for (Parameter parameter : replica.parameters()) {
                    Arrays.fill(parameter.gradient(), Float.NaN);
                }
                reference.zeroGradients();
                for (int call = 0; call < 2; call++) {
                    int count = call == 0 ? group : 1 + random.nextInt(group);
                    String what = c + ", group " + group + ", round " + round + ", call " + call + ", count " + count;
                    float[][] images = images(random, group, master.imageSize());
                    int[] labels = labels(random, group);
                    double[] losses = new double[group];
                    int[] predicted = new int[group];
                    if (call == 0) {
                        replica.setGradients(images, labels, count, losses, predicted);
                    } else {
                        replica.addGradients(images, labels, count, losses, predicted);
                    }
                    for (int s = 0; s < count; s++) {
                        double loss = reference.addGradient(images[s], labels[s]);
                        assertEquals(Double.doubleToLongBits(loss), Double.doubleToLongBits(losses[s]),
                                what + ": image " + s + "'s loss " + losses[s] + " should be " + loss);
                    }
                    assertSameGradients(reference, replica, what);
                }
            }
        }
    }

    // a replica that keeps its dense rows adds no dense weight gradient (NaNs stay), but the rows it
    // keeps, at the rows named for each group, give that gradient back bit for bit through
    // denseWeightGradientShards (two groups as two shards), and every other gradient is the same
    @ParameterizedTest(name = "{0}, {1} kernels")
    @MethodSource("cases")
    void keptDenseRowsGiveTheDenseWeightGradientsBack(Case c, String kernelName) {
        Kernels kernels = kernels(kernelName);
        Network master = network(kernels, c, 14);
        SplittableRandom random = new SplittableRandom(c.spec().hashCode() + 3);
        int group = 3;
        Network adding = master.replica(group);
        Network keeping = master.replica(group);
        DenseRows rows = master.denseRows(2 * group + 1);
        keeping.keepDenseRows(rows);
        List<float[]> sums = new ArrayList<>(); // shard by shard, as the trainer keeps them
        for (int shard = 0; shard < 2; shard++) {
            for (Parameter parameter : keeping.parameters()) {
                Arrays.fill(parameter.gradient(), Float.NaN);
            }
            float[][] images = images(random, group, master.imageSize());
            int[] labels = labels(random, group);
            adding.setGradients(images, labels, group, new double[group], new int[group]);
            keeping.denseRowsFrom(1 + shard * group); // row 0 unused: the rows named are where they go
            keeping.setGradients(images, labels, group, new double[group], new int[group]);
            for (int p = 0; p < master.parameters().size(); p++) {
                Parameter kept = keeping.parameters().get(p);
                boolean denseWeight = false;
                for (int k = 0; k < rows.layers(); k++) {
                    denseWeight |= rows.weight(k).name().equals(kept.name());
                }
                float[] added = adding.parameters().get(p).gradient();
                if (denseWeight) {
                    assertTrue(Float.isNaN(kept.gradient()[0]), c + ": " + kept.name() + " is left to the rows");
                    sums.add(added.clone());
                } else {
                    assertSameBits(added, kept.gradient(), kept.size(), c + ", shard " + shard + ", " + kept.name());
                }
            }
        }
        int layers = rows.layers();
        for (int k = 0; k < layers; k++) {
            float[] expected = sums.get(k).clone();
            kernels.addInto(expected, sums.get(layers + k), 0, expected.length);
            int inputs = rows.inputCount(k);
            int outputs = rows.outputCount(k);
            float[] x = Arrays.copyOfRange(rows.inputs(k), inputs, (1 + 2 * group) * inputs);
            float[] d = Arrays.copyOfRange(rows.gradients(k), outputs, (1 + 2 * group) * outputs);
            float[] actual = new float[inputs * outputs];
            kernels.denseWeightGradientShards(x, d, 2 * group, group, inputs, outputs, 0, outputs, actual);
            assertSameBits(expected, actual, actual.length, c + ", " + rows.weight(k).name() + " from the rows");
        }
    }

    @ParameterizedTest(name = "{0}, {1} kernels")
    @MethodSource("cases")
    void groupForwardPassesAreThoseOfOneImageAfterAnotherBitForBit(Case c, String kernelName) {
        Kernels kernels = kernels(kernelName);
        Network master = network(kernels, c, 12);
        SplittableRandom random = new SplittableRandom(c.spec().hashCode() + 1);
        for (int group = 1; group <= MAX_GROUP; group++) {
            Network replica = master.replica(group);
            for (int count = group; count >= 1; count--) {
                String what = c + ", group " + group + ", count " + count;
                float[][] images = images(random, group, master.imageSize());
                float[][] probs = new float[group][10];
                int[] predicted = new int[group];
                replica.forwardGroup(images, count, probs, predicted);
                for (int s = 0; s < count; s++) {
                    float[] expected = master.forward(images[s]);
                    assertSameBits(expected, probs[s], 10, what + ", image " + s + "'s probabilities");
                    assertEquals(master.lastPredicted(), predicted[s], what + ", image " + s + "'s class");
                }
                for (int s = count; s < group; s++) {
                    assertArrayEquals(new float[10], probs[s], what + ": row " + s + " is beyond count");
                }
                // and the replica's own per-sample path, on slot 0 and the dense part
                assertSameBits(master.forward(images[0]), replica.forward(images[0]), 10, what + ", per-sample forward");
            }
        }
    }

    @Test
    void aReplicaSeesTheMastersValuesAtOnceAndKeepsItsGradientsToItself() {
        Case c = CASES.get(4);
        Kernels kernels = KernelSelection.scalar();
        Network master = network(kernels, c, 3);
        Network replica = master.replica(3);
        assertEquals(0, master.groupCapacity());
        assertEquals(master.parameters().size(), replica.parameters().size());
        for (int p = 0; p < master.parameters().size(); p++) {
            Parameter ours = master.parameters().get(p);
            Parameter theirs = replica.parameters().get(p);
            assertEquals(ours.name(), theirs.name());
            assertSame(ours.values(), theirs.values(), ours.name() + "'s values are shared, not copied");
            assertNotSame(ours.gradient(), theirs.gradient(), ours.name() + "'s gradient is the replica's own");
            assertNotSame(ours.velocity(), theirs.velocity(), ours.name() + "'s velocity is the replica's own");
        }
        SplittableRandom random = new SplittableRandom(8);
        float[][] images = images(random, 3, master.imageSize());
        int[] labels = labels(random, 3);
        float[][] probs = new float[3][10];
        int[] predicted = new int[3];

        // an update of the master (of every slot's conv weights and the dense part's) reaches the replica
        for (Parameter parameter : master.parameters()) {
            float[] values = parameter.values();
            for (int k = 0; k < values.length; k++) {
                values[k] = values[k] * 1.5f - 0.01f;
            }
        }
        replica.forwardGroup(images, 3, probs, predicted);
        for (int s = 0; s < 3; s++) {
            assertSameBits(master.forward(images[s]), probs[s], 10, "image " + s + " after the master's update");
        }

        // the replica's gradients go to its own arrays, or to buffers it is pointed at, never the master's
        replica.addGradients(images, labels, 3, new double[3], new int[3]);
        for (Parameter parameter : master.parameters()) {
            assertArrayEquals(new float[parameter.size()], parameter.gradient(), parameter.name());
        }
        List<float[]> sums = new ArrayList<>();
        for (Parameter parameter : replica.parameters()) {
            sums.add(parameter.gradient().clone());
        }
        replica.zeroGradients();
        List<float[]> buffers = new ArrayList<>();
        for (Parameter parameter : replica.parameters()) {
            float[] buffer = new float[parameter.size()];
            buffers.add(buffer);
            parameter.gradientInto(buffer); // as the trainer points a replica at a shard's buffers
        }
        replica.addGradients(images, labels, 3, new double[3], new int[3]);
        for (int p = 0; p < buffers.size(); p++) {
            Parameter parameter = replica.parameters().get(p);
            assertSameBits(sums.get(p), buffers.get(p), parameter.size(), parameter.name() + " summed into a buffer");
            parameter.gradientInto(null);
            assertArrayEquals(new float[parameter.size()], parameter.gradient(),
                    parameter.name() + ": every slot added into the buffer, none into the replica's own array");
        }
        master.addGradient(images[0], labels[0]);
        for (Parameter parameter : replica.parameters()) {
            assertArrayEquals(new float[parameter.size()], parameter.gradient(), parameter.name());
        }
    }

    @Test
    void groupsAreForReplicasOfOneToTheirSizeOfImages() {
        Network master = network(KernelSelection.scalar(), CASES.getFirst(), 1);
        float[][] images = new float[3][784];
        int[] labels = new int[3];
        double[] losses = new double[3];
        int[] predicted = new int[3];
        assertThrows(IllegalStateException.class, () -> master.addGradients(images, labels, 1, losses, predicted));
        assertThrows(IllegalStateException.class, () -> master.forwardGroup(images, 1, new float[3][10], predicted));
        assertThrows(IllegalArgumentException.class, () -> master.replica(0));
        Network replica = master.replica(2);
        assertThrows(IllegalArgumentException.class, () -> replica.addGradients(images, labels, 3, losses, predicted));
        assertThrows(IllegalArgumentException.class, () -> replica.addGradients(images, labels, 0, losses, predicted));
        assertThrows(IllegalArgumentException.class, () -> replica.forwardGroup(images, 3, new float[3][10], predicted));
    }

    @Test
    void parametersShareOnlyWithTheirTwin() {
        Parameter weight = new Parameter("0.weight", 4, 1, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> weight.shareValues(new Parameter("0.weight", 4, 2, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> weight.shareValues(new Parameter("3.weight", 4, 1, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> weight.shareGradient(weight));
        Parameter master = new Parameter("0.weight", 4, 1, 3, 3);
        weight.shareGradient(master);
        assertSame(master.gradient(), weight.gradient());
        float[] buffer = new float[master.size()];
        master.gradientInto(buffer);
        assertSame(buffer, weight.gradient(), "a follower adds where its master adds, wherever that is now");
        assertThrows(IllegalStateException.class, () -> weight.gradientInto(buffer));
        Parameter third = new Parameter("0.weight", 4, 1, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> third.shareGradient(weight), "no chains");
    }
}
