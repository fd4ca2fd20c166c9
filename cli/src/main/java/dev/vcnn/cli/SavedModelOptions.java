package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.network.Network;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * The options every command that runs a saved model shares (a picocli mixin): which model file,
 * which class names, which engine; and loading them into a ready network.
 */
final class SavedModelOptions {

    @Option(names = "--model", required = true, paramLabel = "MODEL.npz",
            description = "The model, as vcnn train --save wrote it.")
    Path model;

    @Option(names = "--classes", paramLabel = "NAMES", description = ClassNames.HELP + " Default: the model's.")
    String classes;

    @Option(names = "--engine", paramLabel = "ENGINE", description = EngineChoice.HELP)
    EngineChoice engine;

    /** A saved model made runnable, with the class names its reports use. */
    record Loaded(SavedModel saved, Network network, List<String> classNames) {
    }

    Loaded load(CommandLine commandLine) throws ModelFormatException, DataFormatException {
        SavedModel saved = ModelFile.load(model);
        Network network = saved.network(EngineChoice.kernels(engine, commandLine));
        return new Loaded(saved, network, ClassNames.resolve(classes, saved.info().classNames(), network.classes(),
                commandLine));
    }
}
