package dev.vcnn.engine.training;

/** What a training run cost: how many images were stepped through and the wall time it took. */
public record TrainingStats(long images, long nanos) {

    public double seconds() {
        return nanos / 1e9;
    }

    public double imagesPerSecond() {
        return images / seconds();
    }
}
