package dev.vcnn.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How training shows itself: progress bars or plain lines, --quiet, --metrics and --plot. */
class WatchingTrainingTest {

    @Test
    void aTerminalGetsAProgressBarPerEpochInsteadOfStepLines() {
        CliRun run = CliRun.onTerminal(120, "train", "--epochs", "2", "--train-size", "300", "--test-size", "50");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.out().contains("[Step "), run.out());
        assertFalse(run.out().contains("--- Epoch"), run.out());
        // each epoch's frames overwrite each other with \r and end on a full bar
        for (String epoch : new String[] {"Epoch 1/2", "Epoch 2/2"}) {
            String last = lastFrame(run.out(), epoch);
            assertTrue(last.contains("100%"), last);
            assertTrue(last.contains("300/300 img"), last);
            assertTrue(last.matches(".* loss \\d\\.\\d{3} acc \\d+\\.\\d%\\s*"), last);
            assertEquals(119, last.length(), "a frame fills the line but the last column: " + last);
        }
        assertTrue(run.out().contains("\r"), "frames are redrawn in place");
        assertTrue(run.line("Test Accuracy: ").matches("\\d\\.\\d+"), run.out());
        assertTrue(run.line("Trained ").startsWith("600 images in "), run.out());
    }

    @Test
    void aNarrowTerminalGetsFramesCutToItsWidthNeverWrapped() {
        CliRun run = CliRun.onTerminal(60, "train", "--epochs", "1", "--train-size", "200", "--test-size", "20");
        assertEquals(0, run.exitCode(), run.err());
        for (String frame : run.out().split("[\r\n]")) {
            if (frame.startsWith("Epoch ")) {
                assertEquals(59, frame.length(), "a frame must fill the terminal but its last column: " + frame);
            }
        }
        assertTrue(lastFrame(run.out(), "Epoch 1/1").contains("100%"), run.out());
    }

    @Test
    void anEightyColumnTerminalShowsTheSpeedLossAndAccuracyFromTheFirstSecond() {
        // the bundled 1,000 images train in well under a second: the speed must still be a number
        CliRun run = CliRun.onTerminal(80, "train", "--epochs", "1", "--test-size", "20");
        assertEquals(0, run.exitCode(), run.err());
        String last = lastFrame(run.out(), "Epoch 1/1");
        assertTrue(last.matches("Epoch 1/1 100% .* 1000/1000 img .* \\d[\\d,]* img/s loss \\d\\.\\d{3} acc \\d+\\.\\d%\\s*"),
                last);
    }

    private static String lastFrame(String out, String epoch) {
        String last = null;
        for (String frame : out.split("[\r\n]")) {
            if (frame.startsWith(epoch)) {
                last = frame;
            }
        }
        assertNotNull(last, "no frame of " + epoch + " in:\n" + out);
        return last;
    }

    @Test
    void outputThatIsNoTerminalGetsThePostsPlainLines() {
        CliRun run = CliRun.of("train", "--epochs", "2", "--train-size", "300", "--test-size", "50");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.out().contains("\r"), run.out());
        assertFalse(run.out().contains("%|"), run.out());
        assertEquals(List.of("MNIST CNN initialized!", "--- Epoch 1 ---"), List.of(run.outLines()).subList(0, 2));
        assertEquals(6, run.out().split("\\[Step ", -1).length - 1, run.out());
    }

    @Test
    void quietPrintsOnlyTheFinalResultsEitherWay() {
        for (CliRun run : new CliRun[] {
                CliRun.of("train", "--epochs", "1", "--train-size", "200", "--test-size", "50", "--quiet"),
                CliRun.onTerminal(100, "train", "--epochs", "1", "--train-size", "200", "--test-size", "50", "--quiet")}) {
            assertEquals(0, run.exitCode(), run.err());
            String[] lines = run.outLines();
            assertEquals(3, lines.length, run.out());
            assertTrue(lines[0].startsWith("Test Loss: "), lines[0]);
            assertTrue(lines[1].startsWith("Test Accuracy: "), lines[1]);
            assertTrue(lines[2].startsWith("Trained 200 images in "), lines[2]);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void metricsHoldEveryWindowEpochTheTestAndTheTimings(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("run.json");
        CliRun run = CliRun.of("train", "--epochs", "2", "--train-size", "250", "--test-size", "80",
                "--seed", "5", "--metrics", json.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("Wrote the metrics to " + json + ".", run.outLines()[run.outLines().length - 1]);

        Map<String, Object> metrics = JSON.std.mapFrom(Files.readString(json));
        assertTrue(((String) metrics.get("engine")).startsWith("vector ("), metrics.toString());
        Map<String, Object> settings = (Map<String, Object>) metrics.get("settings");
        assertEquals(250, settings.get("train_images"));
        assertEquals(5, settings.get("seed"));
        assertEquals(0.005, settings.get("learning_rate"));
        // the default network and SGD, written out so that the file says what was trained
        assertEquals("conv3x3:8:nobias,maxpool2,dense:10", settings.get("net"));
        assertEquals(1, settings.get("batch_size"));
        assertEquals(0.0, settings.get("momentum"));

        // 250 images: windows of 100, 100 and 50 steps per epoch, as the plain log prints them
        List<Map<String, Object>> windows = (List<Map<String, Object>>) metrics.get("windows");
        assertEquals(6, windows.size());
        assertEquals(List.of(100, 200, 250, 100, 200, 250), windows.stream().map(w -> w.get("step")).toList());
        assertEquals(List.of(100, 100, 50, 100, 100, 50), windows.stream().map(w -> w.get("steps")).toList());
        String firstLine = run.outLines()[2];
        assertEquals(firstLine, String.format("[Step 100] Past 100 steps: Average Loss %.3f | Accuracy: %d%%",
                (Double) windows.get(0).get("loss"), Math.round((Double) windows.get(0).get("accuracy") * 100)));

        List<Map<String, Object>> epochs = (List<Map<String, Object>>) metrics.get("epochs");
        assertEquals(2, epochs.size());
        double weighted = (100 * (Double) windows.get(3).get("loss") + 100 * (Double) windows.get(4).get("loss")
                + 50 * (Double) windows.get(5).get("loss")) / 250;
        assertEquals(weighted, (Double) epochs.get(1).get("loss"), 1e-12);
        assertTrue((Double) epochs.get(0).get("seconds") > 0);

        Map<String, Object> test = (Map<String, Object>) metrics.get("test");
        assertEquals(run.testAccuracy(), test.get("accuracy"));
        assertEquals(80, test.get("count"));
        List<Map<String, Object>> perClass = (List<Map<String, Object>>) test.get("per_class");
        assertEquals(10, perClass.size());
        assertEquals(80, perClass.stream().mapToInt(c -> (Integer) c.get("images")).sum());
        List<List<Integer>> confusion = (List<List<Integer>>) test.get("confusion");
        int diagonal = 0;
        for (int k = 0; k < 10; k++) {
            diagonal += confusion.get(k).get(k);
        }
        assertEquals(test.get("correct"), diagonal);
        Map<String, Object> timings = (Map<String, Object>) metrics.get("timings");
        assertEquals(500, timings.get("train_images"));
    }

    @Test
    void thePlotIsAPngChart(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("curves.png");
        CliRun run = CliRun.of("train", "--epochs", "2", "--train-size", "1000", "--test-size", "30",
                "--plot", png.toString(), "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1000, image.getWidth());
        assertEquals(700, image.getHeight());
        // a chart, not a blank page: the blue window curves and the red epoch dots are drawn
        int blue = 0;
        int red = 0;
        for (int y = 0; y < 700; y++) {
            for (int x = 0; x < 1000; x++) {
                int rgb = image.getRGB(x, y);
                int r = rgb >> 16 & 0xFF;
                int b = rgb & 0xFF;
                blue += b - r > 60 ? 1 : 0;
                red += r - b > 60 ? 1 : 0;
            }
        }
        assertTrue(blue > 500, "only " + blue + " bluish pixels of the window curves");
        assertTrue(red > 50, "only " + red + " reddish pixels of the epoch averages");
    }
}
