package dev.vcnn.engine.network;

/** A network's class probabilities for one image, ranked. */
public record Prediction(float[] probabilities) {

    /** Runs the network forward on {@code image} [C][H][W] and keeps a copy of the probabilities. */
    public static Prediction of(Network network, float[] image) {
        return new Prediction(network.forward(image).clone());
    }

    /** The most probable class; the lowest index on ties. */
    public int best() {
        return Network.argmax(probabilities);
    }

    /** The {@code k} most probable classes, most probable first; lower indices first on ties. */
    public int[] top(int k) {
        int n = Math.min(k, probabilities.length);
        boolean[] taken = new boolean[probabilities.length];
        int[] ranked = new int[n];
        for (int r = 0; r < n; r++) {
            int best = -1;
            for (int c = 0; c < probabilities.length; c++) {
                if (!taken[c] && (best < 0 || probabilities[c] > probabilities[best])) {
                    best = c;
                }
            }
            taken[best] = true;
            ranked[r] = best;
        }
        return ranked;
    }
}
