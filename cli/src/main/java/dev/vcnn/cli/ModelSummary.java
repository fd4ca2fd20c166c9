package dev.vcnn.cli;

import dev.vcnn.engine.training.Evaluation;
import dev.vcnn.engine.model.ModelInfo;
import dev.vcnn.engine.model.TrainingRecord;

/** A saved model's history in one phrase, for the first line of a report. */
final class ModelSummary {

    private ModelSummary() {
    }

    static String of(ModelInfo info) {
        TrainingRecord training = info.training();
        String text = training.epochsDone() + (training.epochsDone() == 1 ? " epoch" : " epochs")
                + ", lr " + training.learningRate() + ", seed " + training.seed();
        Evaluation test = info.test();
        if (test != null) {
            text += String.format("; saved with test accuracy %s on %,d images", test.accuracy(), test.count());
        }
        return text;
    }
}
