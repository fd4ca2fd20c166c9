package dev.vcnn.cli;

import dev.vcnn.engine.io.AtomicFiles;
import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.model.Architecture;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.model.SavedModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vcnn filters}: a saved model's conv filters as a picture. */
@Command(name = "filters",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Draws a saved model's 3x3 conv filters as an enlarged PNG grid: one column per filter, one "
                + "row per input channel; white is 0, red positive, blue negative, on one scale for all filters.")
final class FiltersCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL.npz", description = "The model to draw.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The PNG to write (atomically).")
    Path out;

    @Option(names = "--scale", defaultValue = "32", paramLabel = "PIXELS",
            description = "Side of one weight's square in pixels (default: ${DEFAULT-VALUE}).")
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
        Architecture architecture = saved.info().architecture();
        BufferedImage image = FilterImage.render(saved.convFilters(), architecture.filters(), architecture.channels(),
                scale);
        AtomicFiles.write(out, stream -> ImageIO.write(image, "png", stream));
        spec.commandLine().getOut().printf("Drew %d filters of 3x3 (%d input channel%s) to %s, %dx%d pixels.%n",
                architecture.filters(), architecture.channels(), architecture.channels() == 1 ? "" : "s", out,
                image.getWidth(), image.getHeight());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
