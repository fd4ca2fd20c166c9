package dev.vcnn.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.vcnn.engine.io.AtomicFiles;
import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.training.ConfusionMatrix;
import dev.vcnn.engine.training.Evaluation;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --metrics FILE.json}: a training run for scripts. Keys: {@code engine}, {@code settings},
 * {@code windows} (every 100-step window's loss and accuracy), {@code epochs} (each epoch's
 * averages and wall time), {@code test} (loss, accuracy, per-class accuracy, confusion matrix with
 * rows = true class) and {@code timings}.
 */
final class MetricsFile {

    private MetricsFile() {
    }

    static void write(Path file, TrainingRun run) throws FileWriteException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("engine", run.engine());

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data", run.data());
        settings.put("train_images", run.trainImages());
        settings.put("test_images", run.testImages());
        settings.put("first_epoch", run.epochsBefore() + 1);
        settings.put("last_epoch", run.epochsBefore() + run.epochs());
        settings.put("net", run.net());
        settings.put("learning_rate", Double.parseDouble(Float.toString(run.sgd().learningRate())));
        settings.put("batch_size", run.sgd().batchSize());
        settings.put("momentum", Double.parseDouble(Float.toString(run.sgd().momentum())));
        settings.put("seed", run.seed());
        settings.put("init", run.init() == null ? null : run.init().toString());
        settings.put("class_names", run.classNames());
        root.put("settings", settings);

        List<Object> windows = new ArrayList<>();
        for (TrainingRecorder.Window window : run.recorder().windows()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("epoch", window.epoch());
            w.put("step", window.step());
            w.put("steps", window.steps());
            w.put("loss", window.loss());
            w.put("accuracy", window.accuracy());
            windows.add(w);
        }
        root.put("windows", windows);

        List<Object> epochs = new ArrayList<>();
        for (TrainingRecorder.Epoch epoch : run.recorder().epochs()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", epoch.epoch());
            e.put("images", epoch.images());
            e.put("loss", epoch.loss());
            e.put("accuracy", epoch.accuracy());
            e.put("seconds", epoch.seconds());
            e.put("images_per_second", epoch.images() / epoch.seconds());
            epochs.add(e);
        }
        root.put("epochs", epochs);
        root.put("test", test(run.test(), run.classNames()));

        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("train_seconds", run.stats().seconds());
        timings.put("train_images", run.stats().images());
        timings.put("images_per_second", run.stats().images() == 0 ? null : run.stats().imagesPerSecond());
        timings.put("test_seconds", run.testSeconds());
        root.put("timings", timings);

        AtomicFiles.write(file, out -> out.write(
                JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).with(JSON.Feature.WRITE_NULL_PROPERTIES)
                        .asString(root).getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, Object> test(ConfusionMatrix confusion, List<String> classNames) {
        Evaluation evaluation = confusion.evaluation();
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("loss", evaluation.loss());
        test.put("accuracy", evaluation.accuracy());
        test.put("correct", evaluation.correct());
        test.put("count", evaluation.count());
        List<Object> perClass = new ArrayList<>();
        List<Object> matrix = new ArrayList<>();
        for (int label = 0; label < confusion.classes(); label++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class", classNames.get(label));
            c.put("images", confusion.total(label));
            // JSON has no NaN: a class the test images lack has no accuracy
            c.put("accuracy", confusion.total(label) == 0 ? null : confusion.accuracy(label));
            perClass.add(c);
            List<Integer> row = new ArrayList<>();
            for (int predicted = 0; predicted < confusion.classes(); predicted++) {
                row.add(confusion.count(label, predicted));
            }
            matrix.add(row);
        }
        test.put("per_class", perClass);
        test.put("confusion", matrix);
        return test;
    }
}
