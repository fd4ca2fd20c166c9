package dev.vcnn.engine.kernels;

/**
 * The one place the vector width is chosen: the system property {@value #PROPERTY} is unset (the
 * CPU's preferred width), {@code 128}, {@code 256} or {@code 512} (force that width), or {@code 0}
 * (no vectors: the scalar engine). Kept free of vector types so scalar code can read it.
 */
final class VectorWidth {
    static final String PROPERTY = "vcnn.vectorBits";
    /** What {@link #requestedBits()} returns when the property is unset. */
    static final int PREFERRED = -1;

    private VectorWidth() {
    }

    /** {@link #PREFERRED}, 0, 128, 256 or 512; anything else in the property is an error naming it. */
    static int requestedBits() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return PREFERRED;
        }
        return switch (value.strip()) {
            case "0", "scalar" -> 0;
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + value + " is not a vector width; use 128, 256, 512, or 0 for scalar");
        };
    }
}
