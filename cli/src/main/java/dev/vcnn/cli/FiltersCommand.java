package dev.vcnn.cli;

import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.model.SavedModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vcnn filters}: a saved model's conv filters as a picture. */
@Command(name = "filters",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Draws the 3x3 filters of a saved model's first conv layer as an enlarged PNG grid: one "
                + "column per filter, one "
                + "row per input channel; white is 0, red positive, blue negative, on one scale for all filters.")
final class FiltersCommand implements Callable<Integer> {
    // the first layer's weight: a [F][C][3][3] conv weight when the network starts with conv3x3
    private static final String FIRST_CONV = "0.weight";

    @Option(names = "--model", required = true, paramLabel = "MODEL.npz", description = "The model to draw.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The PNG to write (atomically).")
    Path out;

    @Option(names = "--scale", defaultValue = "32", paramLabel = "PIXELS",
            description = "Side of one weight's square in pixels, 1 to 256 (default: ${DEFAULT-VALUE}).")
    int scale;

    @CommandLine.Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws ModelFormatException, FileWriteException {
        if (scale < 1 || scale > 256) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scale must be 1 to 256, got " + scale);
        }
        SavedModel saved = ModelFile.load(model);
        int[] shape = saved.info().architecture().parameterShapes().get(FIRST_CONV);
        if (shape == null || shape.length != 4) {
            throw new ModelFormatException(model + ": its network (" + saved.info().architecture().spec()
                    + ") does not start with a conv3x3 layer, so it has no filters to draw");
        }
        int filters = shape[0];
        int channels = shape[1];
        BufferedImage image = FilterImage.render(saved.parameter(FIRST_CONV), filters, channels, scale);
        PngFile.write(out, image);
        spec.commandLine().getOut().printf("Drew %d filters of 3x3 (%d input channel%s) to %s, %dx%d pixels.%n",
                filters, channels, channels == 1 ? "" : "s", out,
                image.getWidth(), image.getHeight());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
