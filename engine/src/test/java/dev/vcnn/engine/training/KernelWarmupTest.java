package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.Network;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelWarmupTest {

    // The warm-up shares the kernels with the caller's network and changes what the JIT has compiled
    // while the caller trains: neither may change a single bit of the caller's numbers.
    @Test
    void trainingBesideAWarmupGivesTheSameParametersAsTrainingAlone() {
        Kernels kernels = KernelSelection.best();
        Network alone = trainSeedNetwork(kernels, false);
        Network beside = trainSeedNetwork(kernels, true);
        assertEquals(3, alone.parameters().size());
        for (Parameter parameter : alone.parameters()) {
            assertArrayEquals(parameter.values(), beside.parameter(parameter.name()).values(), parameter.name());
        }
    }

    private static Network trainSeedNetwork(Kernels kernels, boolean withWarmup) {
        SplittableRandom random = new SplittableRandom(11);
        Network network = Network.seed(kernels, random);
        float[] image = new float[network.imageSize()];
        KernelWarmup warmup = withWarmup ? KernelWarmup.start(kernels) : null;
        try {
            for (int step = 0; step < 300; step++) {
                for (int k = 0; k < image.length; k++) {
                    image[k] = (float) random.nextDouble();
                }
                network.trainStep(image, step % network.classes(), 0.005f);
            }
        } finally {
            if (warmup != null) {
                warmup.close();
            }
        }
        return network;
    }
}
