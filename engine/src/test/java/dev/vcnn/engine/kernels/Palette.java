package dev.vcnn.engine.kernels;

import java.util.Random;

/** How a property fills its arrays: finite values that provoke ties, sign slips, constant regions and large sums. */
enum Palette {
    /** Only -1, -0, 0, 0.5 and 1: pooling windows tie all the time, and every sum is exact. */
    TIES {
        private static final float[] VALUES = {-1f, -0f, 0f, 0.5f, 1f};

        @Override
        float draw(Random random) {
            return VALUES[random.nextInt(VALUES.length)];
        }
    },
    /** Zeros, Gaussian values at two scales and, rarely, magnitudes up to 1e4, laid out in runs of equal values. */
    MIXED {
        @Override
        float draw(Random random) {
            int kind = random.nextInt(20);
            if (kind < 5) {
                return 0f;
            }
            if (kind == 5) {
                float magnitude = 1e3f + random.nextFloat() * 9e3f;
                return random.nextBoolean() ? magnitude : -magnitude;
            }
            return (float) random.nextGaussian() * (kind < 10 ? 0.01f : 1f);
        }

        // half the runs have length 1; the rest are up to 40 equal values, longer than any vector
        @Override
        int runLength(Random random) {
            return random.nextBoolean() ? 1 : 1 + random.nextInt(40);
        }
    };

    abstract float draw(Random random);

    int runLength(Random random) {
        return 1;
    }

    /** n values drawn from this palette. */
    float[] fill(Random random, int n) {
        float[] values = new float[n];
        int k = 0;
        while (k < n) {
            float value = draw(random);
            int end = Math.min(n, k + runLength(random));
            while (k < end) {
                values[k++] = value;
            }
        }
        return values;
    }
}
