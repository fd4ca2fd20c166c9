package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.data.IdxReader;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.Prediction;
import dev.vcnn.engine.training.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vcnn predict}: the class a saved model sees in pictures, or in one test image. */
@Command(name = "predict",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = {"Classifies pictures with a saved model and prints each one's class and top 3 "
                + "probabilities. Pictures (PNG or JPEG, any size) are turned gray and scaled, keeping their "
                + "proportions, to the model's 28x28. MNIST digits are light on dark: use --invert for dark "
                + "strokes on a light ground, such as a scan of ink on paper.",
                "With --index N instead of pictures: test image N (from 0) of --data, or of the bundled data."})
final class PredictCommand implements Callable<Integer> {
    private static final int TOP = 3;

    @CommandLine.Mixin
    SavedModelOptions modelOptions;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Picture files to classify.")
    List<Path> pictures = new ArrayList<>();

    @Option(names = "--invert", description = "The pictures are dark on light: invert them (p -> 255 - p).")
    boolean invert;

    @Option(names = "--index", paramLabel = "N", description = "Classify test image N (from 0) instead of pictures.")
    Integer index;

    @Option(names = "--data", paramLabel = "DIR",
            description = "With --index: the folder of MNIST-format test files (default: the bundled ones).")
    Path dataDir;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads to classify many pictures on, 1 to 256 (default: the available processors); "
                    + "the results are those of one thread.")
    Integer threads;

    @CommandLine.Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws DataFormatException, ModelFormatException {
        validate();
        int threadCount = Threads.resolve(threads, spec.commandLine());
        SavedModelOptions.Loaded loaded = modelOptions.load(spec.commandLine());
        Network network = loaded.network();
        List<String> names = loaded.classNames();
        PrintWriter out = spec.commandLine().getOut();
        float[] image = new float[network.imageSize()];

        if (index != null) {
            // images 0..index are kept (the file is checked whole); the largest index asks for all, which
            // cannot hold that many
            int upTo = (int) Math.min(index + 1L, IdxReader.ALL);
            Dataset test = DataRequest.readUpTo(spec.commandLine(), "--index", index,
                    () -> TrainingData.test(dataDir, upTo));
            DataFit.check(test, network, modelOptions.model);
            test.imageInto(index, image);
            String label = names.get(test.label(index));
            print(out, "test image " + index + " (true class " + label + ")", Prediction.of(network, image), names);
        }
        // every picture is read first, then classified on the threads; a picture that cannot be read
        // still fails only after the ones before it are printed, as when they were done one by one
        List<float[]> inputs = new ArrayList<>();
        DataFormatException unreadable = null;
        for (Path picture : pictures) {
            try {
                byte[] pixels = Pictures.read(picture, network.inputShape().height(), network.inputShape().width(),
                        invert);
                float[] input = new float[network.imageSize()];
                Dataset.toInput(pixels, 0, pixels.length, input);
                inputs.add(input);
            } catch (DataFormatException e) {
                unreadable = e;
                break;
            }
        }
        if (!inputs.isEmpty()) {
            float[][] probabilities;
            try (Trainer trainer = new Trainer(network, Math.min(threadCount, inputs.size()))) {
                probabilities = trainer.forwardAll(inputs.toArray(new float[0][]));
            }
            for (int k = 0; k < probabilities.length; k++) {
                print(out, pictures.get(k).toString(), new Prediction(probabilities[k]), names);
            }
        }
        if (unreadable != null) {
            throw unreadable;
        }
        return 0;
    }

    // "digit.png: 7  (7 98.2%, 3 1.1%, 9 0.4%)"
    private static void print(PrintWriter out, String what, Prediction prediction, List<String> names) {
        StringBuilder top = new StringBuilder();
        for (int label : prediction.top(TOP)) {
            if (!top.isEmpty()) {
                top.append(", ");
            }
            top.append(names.get(label)).append(String.format(" %.1f%%", 100 * prediction.probabilities()[label]));
        }
        out.println(what + ": " + names.get(prediction.best()) + "  (" + top + ")");
        out.flush();
    }

    // cross-field rules in one place: pictures or --index, and the flags that go with each
    private void validate() {
        if (pictures.isEmpty() && index == null) {
            throw usage("name IMAGE files to classify, or a test image with --index N");
        }
        if (!pictures.isEmpty() && index != null) {
            throw usage("--index classifies a test image; give it or IMAGE files, not both");
        }
        if (index != null && index < 0) {
            throw usage("--index must be 0 or more, got " + index);
        }
        if (dataDir != null && index == null) {
            throw usage("--data names where --index finds its test image; it does nothing for pictures");
        }
        if (invert && index != null) {
            throw usage("--invert is for pictures; test images are already light on dark");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
