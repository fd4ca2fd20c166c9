package dev.vcnn.engine.model;

import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Evaluation;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Run by {@link InterruptedSaveTest} in a child JVM, to be killed or starved while it writes through
 * the very code vcnn saves with ({@link ModelFile#save}, {@link dev.vcnn.engine.io.AtomicFiles}).
 * <pre>
 *   SaveLoop loop TARGET   saves versions 0, 1, 2, 0, 1, ... of a 2.5 MB model to TARGET until killed,
 *                          printing "writing V" before and "saved V" after each
 *   SaveLoop once TARGET V saves version V once; exit 3 and the message if it cannot be written
 * </pre>
 */
final class SaveLoop {
    static final int VERSIONS = 3;
    // 10 x 16 x 63 x 63 dense weights: 2.5 MB of random floats, which deflate cannot shrink, so a
    // save takes long enough for a kill to land inside it
    private static final Architecture LARGE = new Architecture(
            NetworkSpec.parse("conv3x3:16:nobias,maxpool2,dense:10"), new Shape(1, 128, 128), 10);

    private SaveLoop() {
    }

    static void save(Path target, int version) throws FileWriteException {
        save(target, version, network(version));
    }

    private static void save(Path target, int version, Network network) throws FileWriteException {
        List<String> names = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        ModelFile.save(target, network, new ModelInfo(LARGE, names,
                new TrainingRecord(version, 0.005f, 1, 0f, version, 1000, "save loop", "scalar"), new Evaluation(1, 1, 2)));
    }

    private static Network network(int version) {
        Network network = LARGE.build(KernelSelection.scalar());
        SplittableRandom random = new SplittableRandom(version);
        for (Parameter parameter : network.parameters()) {
            float[] parameters = parameter.values();
            for (int k = 0; k < parameters.length; k++) {
                parameters[k] = (float) random.nextGaussian();
            }
        }
        return network;
    }

    public static void main(String[] args) {
        Path target = Path.of(args[1]);
        try {
            if (args[0].equals("once")) {
                save(target, Integer.parseInt(args[2]));
                say("saved " + args[2]);
                return;
            }
            // built before the loop, so that "writing" is said just before the save itself starts
            List<Network> networks = IntStream.range(0, VERSIONS).mapToObj(SaveLoop::network).toList();
            for (int n = 0; ; n++) {
                say("writing " + n % VERSIONS);
                save(target, n % VERSIONS, networks.get(n % VERSIONS));
                say("saved " + n % VERSIONS);
            }
        } catch (FileWriteException e) {
            say(e.getMessage());
            System.exit(3);
        }
    }

    // the test reads these lines as they come, so each is flushed at once
    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
