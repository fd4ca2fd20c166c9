package dev.vcnn.cli;

import dev.vcnn.engine.model.ModelInfo;
import dev.vcnn.engine.model.TrainingRecord;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Evaluation;

/** A saved model's history in one phrase, for the first line of a report. */
final class ModelSummary {

    private ModelSummary() {
    }

    static String of(ModelInfo info) {
        TrainingRecord training = info.training();
        NetworkSpec spec = info.architecture().spec();
        String text = "net " + (spec.preset() != null ? spec.preset() : spec.text()) + ", "
                + training.epochsDone() + (training.epochsDone() == 1 ? " epoch" : " epochs")
                + ", lr " + training.learningRate()
                + (training.batchSize() == 1 ? "" : ", batch " + training.batchSize())
                + (training.momentum() == 0 ? "" : ", momentum " + training.momentum())
                + ", seed " + training.seed();
        Evaluation test = info.test();
        if (test != null) {
            text += String.format("; saved with test accuracy %s on %,d images", test.accuracy(), test.count());
        }
        return text;
    }
}
