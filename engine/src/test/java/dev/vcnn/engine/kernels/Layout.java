package dev.vcnn.engine.kernels;

import java.util.Arrays;

/**
 * The shape of a flat, row-major array with named axes, so a failure can say where it happened,
 * {@code (f 2, y 3, x 7)}, instead of a bare index.
 */
final class Layout {
    private final String[] axes;
    private final int[] sizes;

    private Layout(String[] axes, int[] sizes) {
        this.axes = axes;
        this.sizes = sizes;
    }

    /** {@code of("f,y,x", 4, 3, 19)}: one name per axis, outermost first. */
    static Layout of(String axes, int... sizes) {
        String[] names = axes.split(",");
        if (names.length != sizes.length) {
            throw new IllegalArgumentException(axes + " names " + names.length + " axes, but "
                    + sizes.length + " sizes are given");
        }
        return new Layout(names, sizes.clone());
    }

    /** How many elements the shape holds. */
    int size() {
        return Arrays.stream(sizes).reduce(1, (a, b) -> a * b);
    }

    /** The coordinates of a flat index, e.g. {@code [123] (f 2, y 3, x 7)}. */
    String at(int index) {
        StringBuilder coordinates = new StringBuilder(")");
        int rest = index;
        for (int axis = sizes.length - 1; axis >= 0; axis--) {
            coordinates.insert(0, (axis > 0 ? ", " : "") + axes[axis] + " " + rest % sizes[axis]);
            rest /= sizes[axis];
        }
        return "[" + index + "] (" + coordinates;
    }

    @Override
    public String toString() {
        StringBuilder shape = new StringBuilder();
        for (int axis = 0; axis < sizes.length; axis++) {
            shape.append('[').append(axes[axis]).append(' ').append(sizes[axis]).append(']');
        }
        return shape.toString();
    }
}
