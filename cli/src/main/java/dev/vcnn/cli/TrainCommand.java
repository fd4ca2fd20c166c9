package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.io.AtomicFiles;
import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.model.Architecture;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.model.ModelInfo;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.model.TrainingRecord;
import dev.vcnn.engine.network.LayerSpec;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.ConfusionMatrix;
import dev.vcnn.engine.training.Evaluation;
import dev.vcnn.engine.training.KernelWarmup;
import dev.vcnn.engine.training.Sgd;
import dev.vcnn.engine.training.Trainer;
import dev.vcnn.engine.training.TrainingDivergedException;
import dev.vcnn.engine.training.TrainingListener;
import dev.vcnn.engine.training.TrainingStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vcnn train}: the seed's job, by default on the bundled 1,000 + 1,000 MNIST images. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Trains a CNN, by default the seed's (conv3x3 with 8 filters, 2x2 max-pool, softmax dense) "
                + "with per-sample SGD, showing the loss and accuracy as it goes, then tests it. On a terminal each "
                + "epoch is a live progress bar; otherwise every 100 images print one line, as in the post.")
final class TrainCommand implements Callable<Integer> {
    static final long DEFAULT_SEED = 1;
    static final float DEFAULT_LR = 0.005f;

    @Option(names = "--epochs", defaultValue = "3", paramLabel = "N",
            description = "Passes over the training images (default: ${DEFAULT-VALUE}); 0 with --save writes the "
                    + "initial model untrained (and takes no --metrics or --plot).")
    int epochs;

    @Option(names = "--net", paramLabel = "SPEC",
            description = "The network: layers separated by commas, input first, from conv3x3:N (N filters with a "
                    + "bias), conv3x3:N:nobias, relu, maxpool2 and dense:N; the last must be dense:K for K classes "
                    + "(softmax and cross-entropy follow it). Presets: seed = " + NetworkSpec.SEED + " (the default), "
                    + "deep = " + NetworkSpec.DEEP + ". With --init: the model's.")
    String net;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "SGD learning rate (default: 0.005, or the --init model's).")
    Float learningRate;

    @Option(names = "--batch", paramLabel = "B",
            description = "Images per SGD update; the gradient is averaged over them, and an epoch's last batch "
                    + "may be short (default: 1, the seed's per-sample SGD, or the --init model's).")
    Integer batch;

    @Option(names = "--momentum", paramLabel = "M",
            description = "SGD momentum as PyTorch's (v = M*v + g; w -= lr*v), from 0 to below 1; the model keeps "
                    + "the velocities, so --init resumes exactly (default: 0, or the --init model's).")
    Float momentum;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed of the initial weights and of every epoch's shuffle (default: 1, or the --init "
                    + "model's seed, so that a resumed run goes on as an unbroken one would).")
    Long seed;

    @Option(names = "--train-size", defaultValue = "1000", paramLabel = "all|N", converter = ImageCount.class,
            description = "Train on the first N training images, or all (default: ${DEFAULT-VALUE}).")
    int trainSize;

    @Option(names = "--test-size", defaultValue = "1000", paramLabel = "all|N", converter = ImageCount.class,
            description = "Test on the first N test images, or all (default: ${DEFAULT-VALUE}).")
    int testSize;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four MNIST-format files (train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz), "
                    + "e.g. the full MNIST or Fashion-MNIST. Default: the first 1,000 MNIST training and test "
                    + "images, bundled in vcnn.")
    Path dataDir;

    @Option(names = "--classes", paramLabel = "NAMES",
            description = ClassNames.HELP + " Stored in the saved model. Default: digits, or the --init model's.")
    String classes;

    @Option(names = "--engine", paramLabel = "ENGINE", description = EngineChoice.HELP)
    EngineChoice engine;

    @Option(names = "--init", paramLabel = "MODEL.npz",
            description = "Start from a saved model instead of fresh weights (resume or fine-tune); epochs are "
                    + "counted on from the model's.")
    Path init;

    @Option(names = "--save", paramLabel = "MODEL.npz",
            description = "Write the trained model as a NumPy .npz archive (replaced atomically).")
    Path save;

    @Option(names = "--metrics", paramLabel = "FILE.json",
            description = "Write every 100-step window's loss and accuracy, each epoch's, the test results and "
                    + "the timings as JSON.")
    Path metrics;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the loss and accuracy curves as a PNG.")
    Path plot;

    @Option(names = "--threads", paramLabel = "N", description = Threads.TRAIN_HELP)
    Integer threads;

    @Option(names = "--quiet", description = "Print only the final results: test loss, test accuracy, summary.")
    boolean quiet;

    @CommandLine.Mixin
    VerboseOption verbose;

    @CommandLine.ParentCommand
    VcnnCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws DataFormatException, ModelFormatException, FileWriteException {
        NetworkSpec requested = validate();
        int threadCount = Threads.resolve(threads, spec.commandLine());
        for (Path output : outputs()) {
            AtomicFiles.checkWritable(output);
        }
        PrintWriter out = spec.commandLine().getOut();
        Kernels kernels = EngineChoice.kernels(engine, spec.commandLine());
        Dataset train;
        Dataset test;
        // the JIT compiles the kernels on the warm-up's steps while the data is read
        KernelWarmup warmup = parent.warmup(kernels);
        try {
            train = DataRequest.read(spec.commandLine(), "--train-size", ImageCount.describe(trainSize),
                    () -> TrainingData.train(dataDir, trainSize));
            test = DataRequest.read(spec.commandLine(), "--test-size", ImageCount.describe(testSize),
                    () -> TrainingData.test(dataDir, testSize));
        } finally {
            warmup.close();
        }

        SavedModel start = init == null ? null : ModelFile.load(init);
        TrainingRecord before = start == null ? null : start.info().training();
        NetworkSpec networkSpec = requested != null ? requested : NetworkSpec.seed();
        if (start != null) {
            NetworkSpec saved = start.info().architecture().spec();
            if (requested != null && !requested.equals(saved)) {
                throw usage("--net " + requested + " is not the network of the --init model " + init + " ("
                        + saved + "); leave out --net to go on training it");
            }
            networkSpec = saved;
        }
        Sgd sgd = new Sgd(learningRate != null ? learningRate : before != null ? before.learningRate() : DEFAULT_LR,
                batch != null ? batch : before != null ? before.batchSize() : 1,
                momentum != null ? momentum : before != null ? before.momentum() : 0f);
        long runSeed = seed != null ? seed : before != null ? before.seed() : DEFAULT_SEED;
        int epochsBefore = before == null ? 0 : before.epochsDone();
        if ((long) epochsBefore + epochs > Integer.MAX_VALUE) {
            throw usage("--epochs " + epochs + " on top of the " + epochs(epochsBefore) + " done by " + init
                    + " is more than can be counted");
        }
        // the classes are the model's, or as many as --classes names (the digits unless told otherwise)
        List<String> names = start != null
                ? ClassNames.resolve(classes, start.info().classNames(), start.info().architecture().classes(),
                        spec.commandLine())
                : ClassNames.named(classes, ClassNames.DIGIT_NAMES);
        if (start == null) {
            checkNewClasses(networkSpec, requested != null, names, train, test);
        }
        // the seed fixes the initial weights here and, through (seed, epoch), every epoch's shuffle
        Network network = DataFit.forTraining(kernels, networkSpec, requested != null, train, names.size(), runSeed,
                spec.commandLine());
        if (start != null) {
            start.copyInto(network);
        }
        DataFit.check(train, network, init);
        DataFit.check(test, network, init);
        if (!quiet) {
            out.println(start == null ? "MNIST CNN initialized!"
                    : "MNIST CNN loaded from " + init + " (" + epochs(epochsBefore) + " done)!");
            out.flush();
        }

        TrainingRecorder recorder = new TrainingRecorder(train.count());
        TrainingListener progress = progress(out, train.count());
        TrainingStats stats;
        ConfusionMatrix confusion;
        double testSeconds;
        // the worker threads live for the training and the testing, and stop with them, also on a failure
        try (Trainer trainer = new Trainer(network, threadCount)) {
            try {
                stats = trainer.train(train, epochsBefore, epochs, sgd, runSeed,
                        TrainingListener.both(progress, recorder));
            } catch (TrainingDivergedException e) {
                // a bar drawn half way must end its line, so that the failure starts on a line of its own
                if (progress instanceof ProgressBars bars) {
                    bars.abandon();
                }
                throw e;
            }

            if (!quiet) {
                out.println("--- Testing the CNN ---");
            }
            long testStart = System.nanoTime();
            confusion = trainer.evaluateByClass(test);
            testSeconds = (System.nanoTime() - testStart) / 1e9;
        }
        Evaluation evaluation = confusion.evaluation();
        out.println("Test Loss: " + evaluation.loss());
        out.println("Test Accuracy: " + evaluation.accuracy());
        out.flush();

        // every file is written before the summary is printed: a run whose output could not be written
        // fails without the line that says it finished, and stdout never ends on a success it did not have
        TrainingRun run = new TrainingRun(TrainingData.describe(dataDir), TrainingData.name(dataDir), train.count(),
                test.count(), epochsBefore, epochs, networkSpec.text(), sgd, runSeed, init, kernels.description(),
                names, recorder, stats, confusion, testSeconds);
        List<String> written = new ArrayList<>();
        if (save != null) {
            ModelFile.save(save, network, new ModelInfo(Architecture.of(network), names,
                    new TrainingRecord(runSeed, sgd.learningRate(), sgd.batchSize(), sgd.momentum(),
                            epochsBefore + epochs, train.count(), run.data(), run.engine()), evaluation));
            written.add("Saved the model (" + epochs(epochsBefore + epochs) + ") to " + save + ".");
        }
        if (metrics != null) {
            MetricsFile.write(metrics, run);
            written.add("Wrote the metrics to " + metrics + ".");
        }
        if (plot != null) {
            TrainingPlot.write(plot, run);
            written.add("Drew the loss and accuracy curves to " + plot + ".");
        }
        // the seed's settings need no mention, so the post's job ends as it always has. Not
        // Sgd.equals: a record's first equals builds its method handles, 20-30 ms of the seed job
        boolean seedSettings = networkSpec.isSeed() && sgd.perSample() && sgd.learningRate() == DEFAULT_LR;
        String settings = seedSettings ? ""
                : ", net " + (networkSpec.preset() != null ? networkSpec.preset() : networkSpec.text())
                + ", lr " + sgd.learningRate() + ", batch " + sgd.batchSize() + ", momentum " + sgd.momentum();
        if (epochs > 0) {
            out.printf("Trained %d images in %.3f s (%,.0f images/s) with the %s engine, seed %d%s.%n",
                    stats.images(), stats.seconds(), stats.imagesPerSecond(), kernels.description(), runSeed, settings);
        } else {
            out.printf("Trained no images (--epochs 0): tested the %s model with the %s engine, seed %d%s.%n",
                    start == null ? "initial" : "loaded", kernels.description(), runSeed, settings);
        }
        // on a line of its own, so that the summary line stays as it always was; and not for the post's
        // job as it is (its settings, no --threads), whose log ends as it always has
        if (!settings.isEmpty() || threads != null) {
            out.println(threadsLine(threadCount, sgd, epochs));
        }
        out.flush();
        for (String line : written) {
            report(out, line);
        }
        return 0;
    }

    // "Ran on 2 threads." or, for per-sample SGD, which of the work they shared
    private static String threadsLine(int threads, Sgd sgd, int epochs) {
        if (threads == 1) {
            return "Ran on 1 thread.";
        }
        if (sgd.batchSize() == 1 && epochs > 0) {
            return "Ran on " + Threads.describe(threads) + ": per-sample SGD (--batch 1) trains on one, testing on all.";
        }
        return "Ran on " + Threads.describe(threads) + ".";
    }

    private TrainingListener progress(PrintWriter out, int stepsPerEpoch) {
        if (quiet) {
            return new TrainingListener() { };
        }
        return parent.stdoutIsTerminal() ? new ProgressBars(out, stepsPerEpoch, parent.terminalColumns())
                : new StepLog(out);
    }

    private void report(PrintWriter out, String line) {
        if (!quiet) {
            out.println(line);
            out.flush();
        }
    }

    private static String epochs(int count) {
        return count + (count == 1 ? " epoch" : " epochs");
    }

    private List<Path> outputs() {
        List<Path> outputs = new ArrayList<>();
        for (Path path : new Path[] {save, metrics, plot}) {
            if (path != null) {
                outputs.add(path);
            }
        }
        return outputs;
    }

    // cross-field and range rules in one place; picocli has already checked the types. Returns the
    // network --net asks for, or null
    private NetworkSpec validate() {
        if (epochs < 0) {
            throw usage("--epochs must be at least 0, got " + epochs);
        }
        if (epochs == 0 && save == null) {
            throw usage("--epochs 0 trains nothing; it is only useful with --save, to write the initial model");
        }
        if (epochs == 0 && (metrics != null || plot != null)) {
            throw usage("--epochs 0 trains nothing, so --" + (plot != null ? "plot" : "metrics")
                    + " would have no epochs to record; use vcnn eval for the model's test results");
        }
        if (learningRate != null && (!(learningRate > 0) || Float.isInfinite(learningRate))) {
            throw usage("--lr must be a positive finite number, got " + typed("--lr", learningRate));
        }
        if (batch != null && batch < 1) {
            throw usage("--batch must be at least 1, got " + batch);
        }
        if (momentum != null && !(momentum >= 0 && momentum < 1)) {
            throw usage("--momentum must be at least 0 and below 1, got " + typed("--momentum", momentum));
        }
        if (trainSize < 1) {
            throw usage("--train-size must be 'all' or at least 1, got " + trainSize);
        }
        if (testSize < 1) {
            throw usage("--test-size must be 'all' or at least 1, got " + testSize);
        }
        List<Path> outputs = outputs();
        for (int a = 0; a < outputs.size(); a++) {
            for (int b = a + 1; b < outputs.size(); b++) {
                if (outputs.get(a).toAbsolutePath().normalize().equals(outputs.get(b).toAbsolutePath().normalize())) {
                    throw usage("--save, --metrics and --plot must name different files, but two of them are "
                            + outputs.get(a));
                }
            }
        }
        return NetOption.parse(net, spec.commandLine());
    }

    // what the user typed, and what it became if that differs: "1e-46, which is 0.0 as a float"
    private String typed(String option, Object value) {
        CommandLine.Model.OptionSpec matched = spec.commandLine().getParseResult().matchedOption(option);
        String text = matched == null || matched.stringValues().isEmpty() ? null : matched.stringValues().getLast();
        if (text == null || text.equals(String.valueOf(value)) || sameNumber(text, value)) {
            return text == null ? String.valueOf(value) : text;
        }
        return text + ", which is " + value + " as a " + value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    // "1" typed for 1.0f, or "0.50" for 0.5f: the same number, nothing lost in the conversion
    private static boolean sameNumber(String text, Object value) {
        try {
            return value instanceof Float f && Float.isFinite(f)
                    && new java.math.BigDecimal(text.strip()).compareTo(new java.math.BigDecimal(f.toString())) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // A new network's classes are the names' count: the seed network or the --net spec must end in as
    // many, and every label must be one of them. A mismatch is the options' fault, not the files'.
    private void checkNewClasses(NetworkSpec networkSpec, boolean specGiven, List<String> names, Dataset train,
                                 Dataset test) {
        if (networkSpec.layers().getLast() instanceof LayerSpec.Dense last && last.outputs() != names.size()) {
            if (!specGiven) {
                throw usage("--classes " + classes + " names " + names.size() + " classes, but the seed network has "
                        + last.outputs() + ": give a --net that ends in dense:" + names.size());
            }
            // what else is wrong with the spec comes first; then the classes, with the two ways to make them agree
            DataFit.checkNet(networkSpec, new Shape(1, train.rows(), train.cols()), last.outputs(), spec.commandLine());
            String fix = classes != null ? "--classes " + classes + " names " + names.size() + ": end it with dense:"
                    + names.size()
                    : "there are " + names.size() + " classes (the digits): end it with dense:" + names.size()
                            + (last.outputs() < 2 ? "" : ", or give --classes a file of " + last.outputs() + " names");
            throw usage("--net " + networkSpec + ": the last layer is " + last.token() + ", but " + fix);
        }
        for (Dataset data : List.of(train, test)) {
            int k = DataFit.firstLabelOutside(data, names.size());
            if (k >= 0) {
                throw usage("--classes " + (classes == null ? ClassNames.DIGITS : classes) + " names " + names.size()
                        + " classes, but image " + k + " of " + data.source() + " has label " + data.label(k));
            }
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
