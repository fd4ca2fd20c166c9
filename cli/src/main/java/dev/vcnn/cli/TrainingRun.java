package dev.vcnn.cli;

import dev.vcnn.engine.training.ConfusionMatrix;
import dev.vcnn.engine.training.Sgd;
import dev.vcnn.engine.training.TrainingStats;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one {@code vcnn train} did, gathered for the files that report it.
 *
 * @param data         where the images came from, in full
 * @param dataName     the same in a word or two, for titles
 * @param epochsBefore epochs the --init model had seen, 0 for a fresh one
 * @param net          the network spec, written out in full
 * @param sgd          learning rate, batch size and momentum
 * @param init         the model the run started from, or null
 */
record TrainingRun(String data, String dataName, int trainImages, int testImages, int epochsBefore, int epochs,
                   String net, Sgd sgd, long seed, Path init, String engine, List<String> classNames,
                   TrainingRecorder recorder, TrainingStats stats, ConfusionMatrix test, double testSeconds) {
}
