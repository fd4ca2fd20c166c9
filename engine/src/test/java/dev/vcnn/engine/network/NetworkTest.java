package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.layers.Conv3x3Layer;
import dev.vcnn.engine.layers.Conv3x3MaxPoolLayer;
import dev.vcnn.engine.layers.DenseLayer;
import dev.vcnn.engine.layers.Layer;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.ReluLayer;
import dev.vcnn.engine.layers.ReluMaxPool2x2Layer;
import dev.vcnn.engine.layers.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkTest {
    private static final Shape MNIST = new Shape(1, 28, 28);

    private static Network deep(Kernels kernels, long seed) {
        return Network.build(kernels, NetworkSpec.deep(), MNIST, 10, new SplittableRandom(seed));
    }

    private static float[] image(SplittableRandom random, int size) {
        float[] image = new float[size];
        for (int k = 0; k < size; k++) {
            image[k] = (float) random.nextDouble(-0.5, 0.5);
        }
        return image;
    }

    @Test
    void theDeepPresetBuildsForMnistWithTheExpectedShapesAndParameters() {
        Network network = deep(new ScalarKernels(), 1);
        List<Shape> outputs = network.layers().stream().map(Layer::outputShape).toList();
        assertEquals(List.of(new Shape(16, 26, 26), new Shape(16, 13, 13), new Shape(32, 11, 11), new Shape(32, 5, 5),
                Shape.flat(128), Shape.flat(128), Shape.flat(10)), outputs);
        assertEquals(List.of(new Shape(16, 26, 26), new Shape(16, 26, 26), new Shape(16, 13, 13),
                new Shape(32, 11, 11), new Shape(32, 11, 11), new Shape(32, 5, 5), Shape.flat(128), Shape.flat(128),
                Shape.flat(10)), NetworkSpec.deep().shapes(MNIST, 10));
        assertEquals(List.of("conv3x3:16", "relu,maxpool2", "conv3x3:32", "relu,maxpool2", "dense:128", "relu",
                "dense:10"), network.layers().stream().map(Layer::describe).toList());
        List<Class<?>> kinds = network.layers().stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(Conv3x3Layer.class, ReluMaxPool2x2Layer.class, Conv3x3Layer.class,
                ReluMaxPool2x2Layer.class, DenseLayer.class, ReluLayer.class, DenseLayer.class), kinds,
                "a conv with a bias is not fused with the pool after it; a relu before a pool is");
        assertEquals(MNIST, network.layers().getFirst().inputShape());
        for (int k = 1; k < network.layers().size(); k++) {
            assertEquals(network.layers().get(k - 1).outputShape(), network.layers().get(k).inputShape());
        }

        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        for (Parameter parameter : network.parameters()) {
            shapes.put(parameter.name(), Arrays.stream(parameter.shape()).boxed().toList());
            assertEquals(parameter.size(), parameter.gradient().length);
            assertEquals(parameter.size(), parameter.velocity().length);
        }
        Map<String, List<Integer>> expected = new LinkedHashMap<>();
        expected.put("0.weight", List.of(16, 1, 3, 3));
        expected.put("0.bias", List.of(16));
        expected.put("3.weight", List.of(32, 16, 3, 3));
        expected.put("3.bias", List.of(32));
        expected.put("6.weight", List.of(128, 800));
        expected.put("6.bias", List.of(128));
        expected.put("8.weight", List.of(10, 128));
        expected.put("8.bias", List.of(10));
        assertEquals(expected, shapes);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(
                dev.vcnn.engine.model.Architecture.of(network).parameterShapes().keySet()));
        assertEquals("3.bias", network.parameter("3.bias").name());
        assertNull(network.parameter("1.weight"), "relu has no parameters");
        assertEquals(10, network.classes());
        assertEquals(784, network.imageSize());
    }

    @Test
    void theSeedFusesItsConvWithThePoolAndNamesItsParametersAsPyTorchWould() {
        Network network = Network.seed(new ScalarKernels(), new SplittableRandom(1));
        assertEquals(2, network.layers().size());
        assertInstanceOf(Conv3x3MaxPoolLayer.class, network.layers().getFirst());
        assertEquals(new Shape(8, 13, 13), network.layers().getFirst().outputShape());
        assertEquals(List.of("0.weight", "2.weight", "2.bias"), network.parameters().stream().map(Parameter::name).toList());
        assertArrayEquals(new int[] {10, 1352}, network.parameter("2.weight").shape());
    }

    @Test
    void anyOtherSpecStartsFromPyTorchsDefaultBounds() {
        for (String spec : List.of(NetworkSpec.DEEP, "conv3x3:4,relu,conv3x3:3:nobias,maxpool2,dense:6,relu,dense:10",
                "dense:10")) {
            Network network = Network.build(new ScalarKernels(), NetworkSpec.parse(spec), MNIST, 10,
                    new SplittableRandom(3));
            Map<String, Integer> fanIns = new LinkedHashMap<>();
            for (Parameter parameter : network.parameters()) {
                int[] shape = parameter.shape();
                // a bias takes its layer's weight's fan_in, as torch.nn.init does for Conv2d and Linear
                String weight = parameter.name().replace(".bias", ".weight");
                int[] weightShape = network.parameter(weight).shape();
                int fanIn = 1;
                for (int d = 1; d < weightShape.length; d++) {
                    fanIn *= weightShape[d];
                }
                fanIns.put(parameter.name(), fanIn);
                double bound = 1 / Math.sqrt(fanIn);
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (float v : parameter.values()) {
                    assertTrue(Math.abs(v) <= bound, spec + " " + parameter.name() + ": " + v + " outside +-" + bound);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                assertTrue(min < max, spec + " " + parameter.name() + " holds one value only: " + min);
                if (parameter.size() >= 100) {
                    // uniform over the whole interval, not a corner of it
                    assertTrue(min < -bound / 2 && max > bound / 2,
                            spec + " " + parameter.name() + " spans only " + min + " to " + max + " of +-" + bound);
                }
                assertEquals(shape.length, parameter.shape().length);
            }
            if (spec.equals(NetworkSpec.DEEP)) {
                assertEquals(Map.of("0.weight", 9, "0.bias", 9, "3.weight", 144, "3.bias", 144, "6.weight", 800,
                        "6.bias", 800, "8.weight", 128, "8.bias", 128), fanIns);
            }
        }
    }

    @Test
    void theSeedPresetStartsExactlyAsTheSeedDid() {
        // the seed's draws in its order: 72 filters normal / 9, then 13520 dense weights normal / 1352; biases 0
        for (long seed : new long[] {1, 42, -7}) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] filters = new float[8 * 9];
            for (int k = 0; k < filters.length; k++) {
                filters[k] = (float) (random.nextGaussian() / 9.0);
            }
            float[] weights = new float[10 * 1352];
            for (int k = 0; k < weights.length; k++) {
                weights[k] = (float) (random.nextGaussian() / 1352);
            }
            Network network = Network.seed(new ScalarKernels(), new SplittableRandom(seed));
            assertArrayEquals(filters, network.parameter("0.weight").values());
            assertArrayEquals(weights, network.parameter("2.weight").values());
            assertArrayEquals(new float[10], network.parameter("2.bias").values());
            // and the same through build with the seed's text
            Network built = Network.build(new ScalarKernels(), NetworkSpec.parse(NetworkSpec.SEED), MNIST, 10,
                    new SplittableRandom(seed));
            assertArrayEquals(filters, built.parameter("0.weight").values());
        }
    }

    @Test
    void forwardAndAddGradientChangeNoParameter() {
        for (String spec : List.of(NetworkSpec.SEED, NetworkSpec.DEEP,
                "conv3x3:4,relu,conv3x3:3:nobias,maxpool2,dense:6,relu,dense:10", "dense:10")) {
            for (Kernels kernels : List.of(new ScalarKernels(), KernelSelection.best())) {
                Network network = Network.build(kernels, NetworkSpec.parse(spec), MNIST, 10, new SplittableRandom(5));
                List<float[]> before = new ArrayList<>();
                for (Parameter parameter : network.parameters()) {
                    before.add(parameter.values().clone());
                }
                SplittableRandom pixels = new SplittableRandom(6);
                for (int n = 0; n < 3; n++) {
                    float[] image = image(pixels, 784);
                    float[] probabilities = network.forward(image).clone();
                    double loss = network.addGradient(image, n);
                    assertEquals(-Math.log(probabilities[n]), loss, 1e-6, spec);
                }
                boolean anyGradient = false;
                for (int p = 0; p < before.size(); p++) {
                    Parameter parameter = network.parameters().get(p);
                    assertArrayEquals(before.get(p), parameter.values(), spec + " " + parameter.name());
                    for (float g : parameter.gradient()) {
                        anyGradient |= g != 0;
                    }
                    assertArrayEquals(new float[parameter.size()], parameter.velocity(), parameter.name());
                }
                assertTrue(anyGradient, spec + ": addGradient should have summed some gradient");
                network.zeroGradients();
                for (Parameter parameter : network.parameters()) {
                    assertArrayEquals(new float[parameter.size()], parameter.gradient(), parameter.name());
                }
            }
        }
    }

    @Test
    void trainStepChangesTheParametersAndLeavesNoGradientBehind() {
        Network network = deep(new ScalarKernels(), 8);
        float[] before = network.parameter("0.weight").values().clone();
        float[] image = image(new SplittableRandom(2), 784);
        network.trainStep(image, 3, 0.01f);
        assertFalse(Arrays.equals(before, network.parameter("0.weight").values()));
        for (Parameter parameter : network.parameters()) {
            assertArrayEquals(new float[parameter.size()], parameter.gradient(), parameter.name());
        }
        assertNull(network.nonFiniteParameter());
    }
}
