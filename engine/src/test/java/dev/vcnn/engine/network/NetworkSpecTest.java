package dev.vcnn.engine.network;

import dev.vcnn.engine.layers.Shape;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkSpecTest {
    private static final String HELP = "the layers are conv3x3:N, conv3x3:N:nobias, relu, maxpool2 and dense:N, "
            + "and the presets seed and deep";
    private static final Shape MNIST = new Shape(1, 28, 28);

    private static String refusal(String spec) {
        return assertThrows(NetworkSpecException.class, () -> NetworkSpec.parse(spec), spec).getMessage();
    }

    private static String refusal(String spec, Shape input, int classes) {
        NetworkSpec parsed = NetworkSpec.parse(spec);
        return assertThrows(NetworkSpecException.class, () -> parsed.shapes(input, classes), spec).getMessage();
    }

    @Test
    void thePresetsParseToTheirTexts() {
        assertEquals("conv3x3:8:nobias,maxpool2,dense:10", NetworkSpec.parse("seed").text());
        assertEquals("conv3x3:16,relu,maxpool2,conv3x3:32,relu,maxpool2,dense:128,relu,dense:10",
                NetworkSpec.parse("deep").text());
        assertEquals(NetworkSpec.seed(), NetworkSpec.parse(" Seed "));
        assertEquals(NetworkSpec.deep(), NetworkSpec.parse("DEEP"));
        assertEquals(List.of(new LayerSpec.Conv3x3(8, false), new LayerSpec.MaxPool2(), new LayerSpec.Dense(10)),
                NetworkSpec.seed().layers());
        assertEquals("seed", NetworkSpec.parse(NetworkSpec.SEED).preset());
        assertEquals("deep", NetworkSpec.parse(NetworkSpec.DEEP).preset());
        assertTrue(NetworkSpec.parse(NetworkSpec.SEED).isSeed());
        assertNull(NetworkSpec.parse("conv3x3:8,maxpool2,dense:10").preset());
        assertEquals(10, NetworkSpec.deep().classes());
    }

    @Test
    void textReadsBackAsTheSameSpec() {
        for (String text : List.of(NetworkSpec.SEED, NetworkSpec.DEEP, "dense:10", "relu,dense:10",
                "conv3x3:4,relu,conv3x3:3:nobias,maxpool2,dense:6,relu,dense:10", "maxpool2,maxpool2,dense:2",
                "dense:5,relu,dense:5,dense:3")) {
            NetworkSpec spec = NetworkSpec.parse(text);
            assertEquals(text, spec.text());
            assertEquals(text, spec.toString());
            assertEquals(spec, NetworkSpec.parse(spec.text()));
        }
        // spaces and capitals are read, and written out in the one canonical form
        assertEquals("conv3x3:4:nobias,relu,dense:10", NetworkSpec.parse(" CONV3X3:4:NoBias , relu,Dense:10 ").text());
    }

    @Test
    void everyBadSpecIsRefusedNamingTheTokenAndTheProblem() {
        assertEquals("unknown layer 'softmax' (layer 2); " + HELP, refusal("conv3x3:8,softmax,dense:10"));
        assertEquals("unknown layer 'conv5x5:3' (layer 1); " + HELP, refusal("conv5x5:3,dense:10"));
        assertEquals("'conv3x3:0' (layer 1): N must be at least 1", refusal("conv3x3:0,dense:10"));
        assertEquals("'dense:-3' (layer 2): N must be at least 1", refusal("relu,dense:-3"));
        assertEquals("'conv3x3:eight' (layer 1): N must be a whole number from 1 to 2147483647, got 'eight'",
                refusal("conv3x3:eight,dense:10"));
        assertEquals("'dense:99999999999' (layer 1): N must be a whole number from 1 to 2147483647, got"
                + " '99999999999'", refusal("dense:99999999999"));
        assertEquals("'dense:' (layer 1): N must be a whole number from 1 to 2147483647, got ''", refusal("dense:"));
        assertEquals("'dense' (layer 1): write dense:N, N outputs", refusal("dense"));
        assertEquals("'conv3x3:4:bias' (layer 1): write conv3x3:N or conv3x3:N:nobias, N filters",
                refusal("conv3x3:4:bias,dense:10"));
        assertEquals("'conv3x3' (layer 1): write conv3x3:N or conv3x3:N:nobias, N filters", refusal("conv3x3,dense:10"));
        assertEquals("'relu:2' (layer 1): relu takes no size", refusal("relu:2,dense:10"));
        assertEquals("'maxpool2:2' (layer 1): maxpool2 takes no size", refusal("maxpool2:2,dense:10"));

        assertEquals("'conv3x3:4' (layer 3) comes after a dense layer; conv3x3 and maxpool2 work on planes, so they"
                + " go before the first dense layer", refusal("dense:10,relu,conv3x3:4,dense:10"));
        assertEquals("'maxpool2' (layer 2) comes after a dense layer; conv3x3 and maxpool2 work on planes, so they"
                + " go before the first dense layer", refusal("dense:10,maxpool2,dense:10"));

        assertEquals("the last layer must be dense:K, one score per class, but it is 'relu' (layer 2)",
                refusal("conv3x3:8,relu"));
        assertEquals("the last layer must be dense:K, one score per class, but it is 'maxpool2' (layer 2)",
                refusal("conv3x3:8,maxpool2"));

        assertEquals("the network spec is empty; " + HELP, refusal(""));
        assertEquals("the network spec is empty; " + HELP, refusal("  "));
        assertEquals("layer 2 of the network spec is empty (two commas in a row?); " + HELP,
                refusal("conv3x3:8,,dense:10"));
        assertEquals("layer 2 of the network spec is empty (two commas in a row?); " + HELP, refusal("dense:10,"));
        assertEquals("layer 1 of the network spec is empty (two commas in a row?); " + HELP, refusal(",dense:10"));
    }

    @Test
    void aPlaneThatShrinksBelowWhatALayerNeedsIsRefusedWithTheShapes() {
        assertEquals("'conv3x3:4' (layer 3) gets planes of 2x2 but needs at least 3x3 (1x6x6 -> conv3x3:4 -> 4x4x4"
                        + " -> conv3x3:4 -> 4x2x2)",
                refusal("conv3x3:4,conv3x3:4,conv3x3:4,dense:2", new Shape(1, 6, 6), 2));
        assertEquals("'maxpool2' (layer 3) gets planes of 1x2 but needs at least 2x2 (1x4x8 -> maxpool2 -> 1x2x4"
                        + " -> maxpool2 -> 1x1x2)",
                refusal("maxpool2,maxpool2,maxpool2,dense:2", new Shape(1, 4, 8), 2));
        // the deep preset needs 10x10 images at least: from 9x9 its second pool gets 1x1 planes (a 32x1x1
        // shape prints as 32, as a flat one does)
        assertEquals("'maxpool2' (layer 6) gets planes of 1x1 but needs at least 2x2 (1x9x9 -> conv3x3:16 -> 16x7x7"
                        + " -> relu -> 16x7x7 -> maxpool2 -> 16x3x3 -> conv3x3:32 -> 32x1x1 -> relu -> 32x1x1)",
                refusal(NetworkSpec.DEEP, new Shape(1, 9, 9), 10));
        assertEquals("'conv3x3:8:nobias' (layer 1) gets planes of 2x28 but needs at least 3x3 (1x2x28)",
                refusal(NetworkSpec.SEED, new Shape(1, 2, 28), 10));
        assertEquals("'maxpool2' (layer 2) gets planes of 1x26 but needs at least 2x2 (1x3x28 -> conv3x3:8:nobias"
                + " -> 8x1x26)", refusal(NetworkSpec.SEED, new Shape(1, 3, 28), 10));
        // the smallest images each preset takes
        assertEquals(List.of(new Shape(8, 2, 2), new Shape(8, 1, 1), Shape.flat(10)),
                NetworkSpec.seed().shapes(new Shape(1, 4, 4), 10));
        assertEquals(Shape.flat(10), NetworkSpec.deep().shapes(new Shape(1, 10, 10), 10).getLast());
    }

    @Test
    void theLastLayerMustScoreEveryClass() {
        assertEquals("the last layer is dense:10, but there are 5 classes: end the spec with dense:5",
                refusal(NetworkSpec.SEED, MNIST, 5));
        assertEquals("the last layer is dense:3, but there are 10 classes: end the spec with dense:10",
                refusal("conv3x3:4,relu,dense:3", MNIST, 10));
    }

    @Test
    void aNetworkOverTheMemoryLimitIsRefusedQuicklyWithoutBeingBuilt() {
        // 100,000,000 x 784 weights: about 300 GB as floats, four times over with gradients and momentum
        String message = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertThrows(
                NetworkSpecException.class, () -> Network.build(new dev.vcnn.engine.kernels.ScalarKernels(),
                        NetworkSpec.parse("dense:100000000"), MNIST, 100_000_000, new java.util.SplittableRandom(1)))
                .getMessage());
        assertEquals("'dense:100000000' (layer 1) on 1x28x28 images takes the network past the 1 GB vcnn allows"
                + " for parameters (with their gradients and momentum) and buffers", message);
        // the limit is checked layer by layer, so a later layer's size is named, and before the classes are
        assertEquals("'dense:400000' (layer 3) on 1x28x28 images takes the network past the 1 GB vcnn allows"
                        + " for parameters (with their gradients and momentum) and buffers",
                refusal("conv3x3:8,relu,dense:400000,dense:10", MNIST, 7));
        // filters whose count times nine overflows an int still come out as too large, not as a negative size
        assertTrue(refusal("conv3x3:2147483647,dense:10", MNIST, 10).endsWith("takes the network past the 1 GB vcnn"
                + " allows for parameters (with their gradients and momentum) and buffers"));
    }
}
