package dev.vcnn.engine.network;

import dev.vcnn.engine.Hostile;
import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.model.Architecture;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specs far over {@link NetworkSpec#MAX_BYTES}, refused before anything is allocated: this suite runs
 * with a 64 MB heap (see engine/pom.xml), so building even a small part of one would end the run with
 * OutOfMemoryError instead of the refusal.
 */
class NetworkSizeHostileTest {
    private static final Shape MNIST = new Shape(1, 28, 28);

    private static NetworkSpecException refusal(String spec, int classes) throws Exception {
        Object outcome = Hostile.quickly(() -> {
            try {
                return Network.build(new ScalarKernels(), NetworkSpec.parse(spec), MNIST, classes,
                        new SplittableRandom(1));
            } catch (NetworkSpecException e) {
                return e;
            }
        });
        assertTrue(outcome instanceof NetworkSpecException, () -> spec + " was built: " + outcome);
        NetworkSpecException e = (NetworkSpecException) outcome;
        // the refusal starts by naming the layer that takes the network past the limit
        Hostile.assertCleanRefusal(e, List.of("'dense:", "'conv3x3:"), spec);
        return e;
    }

    @Test
    void networksOverTheLimitAreRefusedWithoutBeingAllocated() throws Exception {
        assertEquals("'dense:100000000' (layer 1) on 1x28x28 images takes the network past the 1 GB vcnn allows"
                + " for parameters (with their gradients and momentum) and buffers",
                refusal("dense:100000000", 100_000_000)
                .getMessage());
        // the first layers fit, the dense layer after them does not: none of them may be built first
        assertEquals("'dense:10' (layer 3) on 1x28x28 images takes the network past the 1 GB vcnn allows"
                + " for parameters (with their gradients and momentum) and buffers",
                refusal("conv3x3:50000,relu,dense:10", 10)
                .getMessage());
        refusal("conv3x3:2147483647,maxpool2,dense:10", 10);
        Hostile.quickly(() -> {
            try {
                new Architecture(NetworkSpec.parse("dense:100000000"), MNIST, 100_000_000);
                throw new AssertionError("an architecture over the limit was accepted");
            } catch (NetworkSpecException e) {
                return e;
            }
        });
    }
}
