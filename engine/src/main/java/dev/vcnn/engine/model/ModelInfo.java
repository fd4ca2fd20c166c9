package dev.vcnn.engine.model;

import dev.vcnn.engine.training.Evaluation;

import java.util.List;

/**
 * Everything a model file says besides its parameters.
 *
 * @param classNames one display name per class, in label order
 * @param test       the test result measured when the model was saved, or null if none was
 */
public record ModelInfo(Architecture architecture, List<String> classNames, TrainingRecord training,
                        Evaluation test) {

    public ModelInfo {
        classNames = List.copyOf(classNames);
        if (classNames.size() != architecture.classes()) {
            throw new IllegalArgumentException(classNames.size() + " class names for "
                    + architecture.classes() + " classes");
        }
    }
}
