package dev.vcnn.cli;

import dev.vcnn.engine.io.FileWriteException;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;

/**
 * {@code --plot FILE.png}: loss (top) and accuracy (bottom) over training, drawn with JFreeChart.
 * The x axis counts epochs, so runs of any size read alike; thin lines are the 100-step windows,
 * dots the epoch averages (mid-epoch), and a dashed line marks the test accuracy.
 */
final class TrainingPlot {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 700;
    private static final Color WINDOWS = new Color(0x4C72B0);
    private static final Color EPOCHS = new Color(0xC44E52);
    private static final Color TEST = new Color(0x55A868);

    private TrainingPlot() {
    }

    static void write(Path file, TrainingRun run) throws FileWriteException {
        PngFile.write(file, chart(run).createBufferedImage(WIDTH, HEIGHT));
    }

    static JFreeChart chart(TrainingRun run) {
        TrainingRecorder recorder = run.recorder();
        XYSeries windowLoss = new XYSeries("loss, 100-step windows");
        XYSeries windowAccuracy = new XYSeries("accuracy, 100-step windows");
        for (TrainingRecorder.Window window : recorder.windows()) {
            // epoch 1 spans x = 0..1, epoch 2 spans 1..2, ...
            double x = window.epoch() - 1 + (double) window.step() / recorder.imagesPerEpoch();
            windowLoss.add(x, window.loss());
            windowAccuracy.add(x, window.accuracy());
        }
        XYSeries epochLoss = new XYSeries("loss, epoch average");
        XYSeries epochAccuracy = new XYSeries("accuracy, epoch average");
        for (TrainingRecorder.Epoch epoch : recorder.epochs()) {
            // an average over the whole epoch sits in the middle of its span
            epochLoss.add(epoch.epoch() - 0.5, epoch.loss());
            epochAccuracy.add(epoch.epoch() - 0.5, epoch.accuracy());
        }

        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setAutoRangeIncludesZero(true);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        plot.setGap(12);
        plot.add(subplot("cross-entropy loss", windowLoss, epochLoss), 1);

        XYPlot accuracy = subplot("accuracy", windowAccuracy, epochAccuracy);
        ((NumberAxis) accuracy.getRangeAxis()).setRange(0, 1.02);
        double testAccuracy = run.test().evaluation().accuracy();
        ValueMarker test = new ValueMarker(testAccuracy, TEST, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        test.setLabel(String.format("test accuracy %.4f", testAccuracy));
        test.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
        test.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        accuracy.addRangeMarker(test);
        plot.add(accuracy, 1);

        String title = String.format("vcnn train on %s: %,d images x epochs %d-%d, lr %s%s, seed %d", run.dataName(),
                run.trainImages(), run.epochsBefore() + 1, run.epochsBefore() + run.epochs(), run.sgd().learningRate(),
                run.sgd().batchSize() == 1 && run.sgd().momentum() == 0 ? ""
                        : ", batch " + run.sgd().batchSize() + ", momentum " + run.sgd().momentum(),
                run.seed());
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static XYPlot subplot(String label, XYSeries windows, XYSeries epochs) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(windows);
        data.addSeries(epochs);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesPaint(0, WINDOWS);
        renderer.setSeriesStroke(0, new BasicStroke(1f));
        renderer.setSeriesShapesVisible(0, false);
        renderer.setSeriesPaint(1, EPOCHS);
        renderer.setSeriesLinesVisible(1, false);
        renderer.setSeriesShapesVisible(1, true);
        NumberAxis values = new NumberAxis(label);
        values.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, null, values, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
