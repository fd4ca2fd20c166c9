package dev.vcnn.engine.layers;

/**
 * The group buffers and count checks of the {@link GroupLayer}s, with their messages here rather than
 * in the layers. HotSpot resolves every string constant of a class in the thread that first asks C2
 * to compile one of its methods, allocating a String for each; a message never thrown would make a
 * layer's first compile during an allocation-counted run of the per-sample path count as allocation.
 */
final class GroupRows {

    private GroupRows() {
    }

    /** A buffer of {@code group} rows of {@code size} floats. */
    static float[] of(int group, int size) {
        if (group < 0) {
            throw new IllegalArgumentException("a layer's group holds >= 0 samples, got " + group);
        }
        return new float[Math.multiplyExact(group, size)];
    }

    /** Throws unless 1 <= count <= group. */
    static void check(int count, int group, Layer layer) {
        if (count < 1 || count > group) {
            throw new IllegalArgumentException("a group of " + count + " samples for " + layer.describe()
                    + " built for 1 to " + group);
        }
    }
}
