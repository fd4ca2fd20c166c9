package dev.vcnn.cli;

import dev.vcnn.engine.training.ConfusionMatrix;
import dev.vcnn.engine.training.Evaluation;

import java.io.PrintWriter;
import java.util.List;

/** Prints an evaluation as aligned text: totals, accuracy per class, and the confusion matrix. */
final class EvaluationReport {
    // long names (Fashion-MNIST's "T-shirt/top") are cut here so the matrix stays readable
    private static final int NAME_WIDTH = 12;

    private EvaluationReport() {
    }

    static void print(PrintWriter out, ConfusionMatrix confusion, List<String> names) {
        Evaluation evaluation = confusion.evaluation();
        int classes = confusion.classes();
        // the same two lines, in the same form, as vcnn train prints after training
        out.println("Test Loss: " + evaluation.loss());
        out.println("Test Accuracy: " + evaluation.accuracy());
        out.printf("Correct: %,d of %,d%n", evaluation.correct(), evaluation.count());

        int labelWidth = "class".length();
        for (int label = 0; label < classes; label++) {
            labelWidth = Math.max(labelWidth, label(label, names).length());
        }
        String rowLabel = "%-" + (labelWidth + 2) + "s";
        out.println();
        out.println("Accuracy per class:");
        out.printf("  " + rowLabel + "%8s  %8s%n", "class", "images", "accuracy");
        for (int label = 0; label < classes; label++) {
            double accuracy = confusion.accuracy(label);
            out.printf("  " + rowLabel + "%8d  %8s%n", label(label, names), confusion.total(label),
                    Double.isNaN(accuracy) ? "-" : String.format("%.4f", accuracy));
        }

        int largest = 0;
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                largest = Math.max(largest, confusion.count(t, p));
            }
        }
        int cell = Math.max(Integer.toString(largest).length(), Integer.toString(classes - 1).length()) + 2;
        out.println();
        out.println("Confusion matrix (rows = true class, columns = predicted class):");
        StringBuilder header = new StringBuilder("  ").append(String.format(rowLabel, ""));
        for (int p = 0; p < classes; p++) {
            header.append(String.format("%" + cell + "d", p));
        }
        out.println(header.toString().stripTrailing());
        for (int t = 0; t < classes; t++) {
            StringBuilder row = new StringBuilder("  ").append(String.format(rowLabel, label(t, names)));
            for (int p = 0; p < classes; p++) {
                row.append(String.format("%" + cell + "d", confusion.count(t, p)));
            }
            out.println(row);
        }
    }

    // "3 Dress": the index always, since the matrix's columns are indices
    private static String label(int label, List<String> names) {
        String name = names.get(label);
        if (name.equals(Integer.toString(label))) {
            return name;
        }
        if (name.length() > NAME_WIDTH) {
            name = name.substring(0, NAME_WIDTH - 1) + "~";
        }
        return label + "  " + name;
    }
}
