package dev.vcnn.engine.data;

/** The two IDX file kinds MNIST-style data comes in, with what their headers must say. */
enum IdxKind {
    // magic = 0x0000 | type code 0x08 (unsigned byte) | number of dimensions
    IMAGES(0x00000803, 3, "image", "(count, rows, cols)"),
    LABELS(0x00000801, 1, "label", "(count)");

    static final int UNSIGNED_BYTE = 0x08;

    final int magic;
    final int dimensions;
    final String noun;
    final String dimensionNames;

    IdxKind(int magic, int dimensions, String noun, String dimensionNames) {
        this.magic = magic;
        this.dimensions = dimensions;
        this.noun = noun;
        this.dimensionNames = dimensionNames;
    }

    /** Header length in bytes: the magic number and one int32 per dimension. */
    int headerBytes() {
        return 4 + 4 * dimensions;
    }

    IdxKind other() {
        return this == IMAGES ? LABELS : IMAGES;
    }

    /** How the message names this kind, e.g. "an IDX image file (magic 2051)". */
    String described() {
        return "an IDX " + noun + " file (magic " + magic + ")";
    }
}
