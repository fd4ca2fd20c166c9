import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * vcnn's peer benchmark in Deeplearning4j: the deep preset (as bench/peers/torch_deep.py) and the seed
 * network (as bench/peers/torch_cnn.py). Standalone; see bench/peers/README.md.
 *
 * <pre>
 * java -jar target/dl4j-peer-1.jar deep  --data DIR [--seed 1] [--epochs 5] [--batch 32] [--lr 0.02] [--momentum 0.9] [--nesterov]
 * java -jar target/dl4j-peer-1.jar bench --data DIR [--repeats 7]
 * java -jar target/dl4j-peer-1.jar seed  --data DIR [--seed 1]
 * </pre>
 * Common: --threads N (default 1), --train-size, --test-size.
 */
public final class Dl4jPeer {

    // ---------------------------------------------------------------- options
    static String mode;
    static Path data;
    static int seed = 1, epochs = -1, batch = 32, threads = 1, repeats = 7, trainSize = -1, testSize = -1;
    static double lr = -1, momentum = 0.9;
    static boolean nesterov;

    public static void main(String[] args) throws IOException {
        if (args.length == 0) usage();
        mode = args[0];
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--data" -> { data = Path.of(v); i++; }
                case "--seed" -> { seed = Integer.parseInt(v); i++; }
                case "--epochs" -> { epochs = Integer.parseInt(v); i++; }
                case "--batch" -> { batch = Integer.parseInt(v); i++; }
                case "--lr" -> { lr = Double.parseDouble(v); i++; }
                case "--momentum" -> { momentum = Double.parseDouble(v); i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--repeats" -> { repeats = Integer.parseInt(v); i++; }
                case "--train-size" -> { trainSize = Integer.parseInt(v); i++; }
                case "--test-size" -> { testSize = Integer.parseInt(v); i++; }
                case "--nesterov" -> nesterov = true;
                default -> usage();
            }
        }
        if (data == null) usage();
        // libnd4j's own thread pools; OMP_NUM_THREADS / OPENBLAS_NUM_THREADS must be set in the environment.
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        System.out.printf(Locale.ROOT, "DL4J 1.0.0-M2.1, Java %s, nd4j maxThreads %d, OMP_NUM_THREADS=%s, OPENBLAS_NUM_THREADS=%s%n",
                System.getProperty("java.version"), Nd4j.getEnvironment().maxThreads(),
                System.getenv("OMP_NUM_THREADS"), System.getenv("OPENBLAS_NUM_THREADS"));
        switch (mode) {
            case "deep" -> runDeep();
            case "bench" -> runBench();
            case "seed" -> runSeed();
            default -> usage();
        }
    }

    static void usage() {
        System.err.println("usage: Dl4jPeer deep|bench|seed --data DIR [--seed S] [--epochs E] [--batch B] [--lr LR] "
                + "[--momentum M] [--nesterov] [--threads N] [--repeats R] [--train-size N] [--test-size N]");
        System.exit(2);
    }

    // ---------------------------------------------------------------- MNIST IDX (raw or gzip)
    static InputStream open(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) p = dir.resolve(name + ".gz");
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        in.mark(2);
        int b0 = in.read(), b1 = in.read();
        in.reset();
        return (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }

    /** The first n images as floats p/255 - 0.5, row-major (n, 784). */
    static float[] images(Path dir, String name, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(open(dir, name))) {
            if (in.readInt() != 0x803) throw new IOException(name + ": not an IDX image file");
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            if (rows != 28 || cols != 28 || n > count) throw new IOException(name + ": bad shape");
            byte[] raw = new byte[n * 784];
            in.readFully(raw);
            float[] x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) x[i] = (raw[i] & 0xff) / 255f - 0.5f;
            return x;
        }
    }

    static int[] labels(Path dir, String name, int n) throws IOException {
        try (DataInputStream in = new DataInputStream(open(dir, name))) {
            if (in.readInt() != 0x801) throw new IOException(name + ": not an IDX label file");
            if (n > in.readInt()) throw new IOException(name + ": too few labels");
            byte[] raw = new byte[n];
            in.readFully(raw);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) y[i] = raw[i];
            return y;
        }
    }

    record Mnist(float[] xTrain, int[] yTrain, float[] xTest, int[] yTest, int nTrain, int nTest) {}

    static Mnist load(int nTrain, int nTest) throws IOException {
        return new Mnist(images(data, "train-images-idx3-ubyte", nTrain), labels(data, "train-labels-idx1-ubyte", nTrain),
                images(data, "t10k-images-idx3-ubyte", nTest), labels(data, "t10k-labels-idx1-ubyte", nTest), nTrain, nTest);
    }

    /** Features (b, 1, 28, 28) and one-hot labels (b, 10) for the given rows. */
    static INDArray[] batch(float[] x, int[] y, int[] idx, int from, int to) {
        int b = to - from;
        float[] xs = new float[b * 784];
        float[] ys = new float[b * 10];
        for (int k = 0; k < b; k++) {
            int i = idx == null ? from + k : idx[from + k];
            System.arraycopy(x, i * 784, xs, k * 784, 784);
            ys[k * 10 + y[i]] = 1f;
        }
        return new INDArray[] {Nd4j.create(xs, new long[] {b, 1, 28, 28}, 'c'), Nd4j.create(ys, new long[] {b, 10}, 'c')};
    }

    // ---------------------------------------------------------------- networks
    /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default weight init (biases here start at 0). */
    static UniformDistribution torchUniform(int fanIn) {
        double b = 1 / Math.sqrt(fanIn);
        return new UniformDistribution(-b, b);
    }

    static MultiLayerNetwork deepNet(int seed, IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(updater).biasInit(0)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(16).stride(1, 1)
                        .weightInit(torchUniform(9)).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).stride(1, 1)
                        .weightInit(torchUniform(16 * 9)).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).weightInit(torchUniform(800)).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .weightInit(torchUniform(128)).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static MultiLayerNetwork seedNet(int seed, double lr) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(DataType.FLOAT).updater(new Sgd(lr)).biasInit(0)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(8).stride(1, 1).hasBias(false)
                        .weightInit(new NormalDistribution(0, 1.0 / 9)).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .weightInit(new NormalDistribution(0, 1.0 / 1352)).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static IUpdater deepUpdater(double lr, double momentum) {
        return nesterov ? new Nesterovs(lr, momentum) : new Momentum(lr, momentum);
    }

    // ---------------------------------------------------------------- helpers
    static int[] shuffled(int n, Random rng) {
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(i);
        Collections.shuffle(l, rng);
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {mean cross-entropy, accuracy} on the test set, evaluated in batches of evalBatch. */
    static double[] test(MultiLayerNetwork net, Mnist m, int evalBatch) {
        double loss = 0;
        int correct = 0;
        for (int from = 0; from < m.nTest(); from += evalBatch) {
            int to = Math.min(m.nTest(), from + evalBatch);
            INDArray[] xy = batch(m.xTest(), m.yTest(), null, from, to);
            float[] p = net.output(xy[0], false).castTo(DataType.FLOAT).data().asFloat();
            for (int k = 0; k < to - from; k++) {
                int arg = 0;
                for (int c = 1; c < 10; c++) if (p[k * 10 + c] > p[k * 10 + arg]) arg = c;
                int label = m.yTest()[from + k];
                if (arg == label) correct++;
                loss -= Math.log(Math.max(p[k * 10 + label], 1e-30));
            }
        }
        return new double[] {loss / m.nTest(), (double) correct / m.nTest()};
    }

    static String threadNote() {
        return String.format(Locale.ROOT, "%d nd4j thread(s), %d live JVM threads", Nd4j.getEnvironment().maxThreads(),
                Thread.activeCount());
    }

    // ---------------------------------------------------------------- modes
    static void runDeep() throws IOException {
        if (epochs < 0) epochs = 5;
        if (lr < 0) lr = 0.02;
        Mnist m = load(trainSize < 0 ? 60000 : trainSize, testSize < 0 ? 10000 : testSize);
        MultiLayerNetwork net = deepNet(seed, deepUpdater(lr, momentum));
        Random rng = new Random(seed);
        long start = System.nanoTime();
        for (int e = 1; e <= epochs; e++) {
            int[] order = shuffled(m.nTrain(), rng);
            for (int from = 0; from < m.nTrain(); from += batch) {
                INDArray[] xy = batch(m.xTrain(), m.yTrain(), order, from, Math.min(m.nTrain(), from + batch));
                net.fit(xy[0], xy[1]);
            }
            System.out.printf(Locale.ROOT, "epoch %d done at %.1f s%n", e, (System.nanoTime() - start) / 1e9);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] t = test(net, m, 1000);
        long images = (long) epochs * m.nTrain();
        System.out.println("Test Loss: " + t[0]);
        System.out.println("Test Accuracy: " + t[1]);
        System.out.printf(Locale.ROOT, "Trained %d images in %.3f s (%,.0f images/s) with DL4J, %s, seed %d, batch %d, "
                + "lr %s, momentum %s (%s).%n", images, seconds, images / seconds, threadNote(), seed, batch, lr, momentum,
                nesterov ? "Nesterovs updater" : "plain momentum SGD");
    }

    static void runSeed() throws IOException {
        if (epochs < 0) epochs = 3;
        if (lr < 0) lr = 0.005;
        Mnist m = load(trainSize < 0 ? 1000 : trainSize, testSize < 0 ? 1000 : testSize);
        MultiLayerNetwork net = seedNet(seed, lr);
        Random rng = new Random(seed);
        long start = System.nanoTime();
        for (int e = 1; e <= epochs; e++) {
            int[] order = shuffled(m.nTrain(), rng);
            for (int from = 0; from < m.nTrain(); from++) {
                INDArray[] xy = batch(m.xTrain(), m.yTrain(), order, from, from + 1);
                net.fit(xy[0], xy[1]);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] t = test(net, m, 1);                    // one image at a time, as the post
        long images = (long) epochs * m.nTrain();
        System.out.println("Test Loss: " + t[0]);
        System.out.println("Test Accuracy: " + t[1]);
        System.out.printf(Locale.ROOT, "Trained %d images in %.3f s (%,.0f images/s) with DL4J, %s, seed %d, per-sample SGD lr %s.%n",
                images, seconds, images / seconds, threadNote(), seed, lr);
    }

    interface Pass { void run(); }

    /** Median images/s over `repeats` timings, each of whole passes filling >= 0.5 s (as numpy_cnn.median_rate). */
    static double[] medianRate(Pass pass, int images) {
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            int passes = 0;
            long start = System.nanoTime();
            double elapsed;
            while ((elapsed = (System.nanoTime() - start) / 1e9) < 0.5) { pass.run(); passes++; }
            rates[r] = passes * images / elapsed;
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        return new double[] {sorted[repeats / 2], sorted[repeats - 1]};
    }

    static void runBench() throws IOException {
        Mnist m = load(2048, 2048);
        MultiLayerNetwork net = deepNet(seed, deepUpdater(0.001, 0.9));
        System.out.printf(Locale.ROOT, "deep preset, float32, %s, median of %d timings of >= 0.5 s each%n", threadNote(), repeats);
        for (int b : new int[] {1, 32}) {
            int n = b == 1 ? 256 : 2048;
            Pass train = () -> {
                for (int from = 0; from < n; from += b) {
                    INDArray[] xy = batch(m.xTrain(), m.yTrain(), null, from, from + b);
                    net.fit(xy[0], xy[1]);
                }
            };
            train.run();                                  // warm-up
            double[] r = medianRate(train, n);
            System.out.printf(Locale.ROOT, "training, batch %d: %,.0f images/s median, %,.0f best%n", b, r[0], r[1]);
        }
        for (int b : new int[] {1, 256}) {
            int n = b == 1 ? 256 : 2048;
            Pass infer = () -> {
                for (int from = 0; from < n; from += b) {
                    INDArray[] xy = batch(m.xTest(), m.yTest(), null, from, from + b);
                    net.output(xy[0], false).argMax(1);
                }
            };
            infer.run();
            double[] r = medianRate(infer, n);
            System.out.printf(Locale.ROOT, "inference, batch %d: %,.0f images/s median, %,.0f best%n", b, r[0], r[1]);
        }
    }
}
