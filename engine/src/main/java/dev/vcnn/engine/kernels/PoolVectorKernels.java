package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.INT;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.LEFT_COLUMNS;
import static dev.vcnn.engine.kernels.VectorSupport.LEFT_OFFSETS;
import static dev.vcnn.engine.kernels.VectorSupport.RIGHT_COLUMNS;
import static dev.vcnn.engine.kernels.VectorSupport.SCALAR;

/**
 * 2x2 max-pool forward and backward on the Vector API. Lanes and tails: see {@link VectorKernels}.
 */
final class PoolVectorKernels {

    private PoolVectorKernels() {
    }

    // in [C][H][W]; out, argmax [C][H/2][W/2]; lanes: output columns x..x+L-1 of pooled row r (the
    // rows of all channels in order). Their windows span the 2L input columns 2x..2x+2L-1 of a row
    // pair, loaded as two full vectors per row; a two-vector selectFrom then picks the left (even)
    // and right (odd) column of every window. Nothing is masked: lanes past a row's end read on into
    // the next input rows and store garbage at the start of the next pooled row, which is written
    // after it (1.6x faster than masked loads and stores). The last rows, whose full vectors would
    // run off the end of in or out, are pooled by the reference
    static void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        int rows = channels * outHeight;
        int blocks = (outWidth + LANES - 1) / LANES;
        int vectorRows = rows;
        while (vectorRows > 0 && !poolRowFits(vectorRows - 1, channels, height, width, blocks)) {
            vectorRows--;
        }
        FloatVector leftColumns = FloatVector.fromArray(FLOAT, LEFT_COLUMNS, 0);
        FloatVector rightColumns = FloatVector.fromArray(FLOAT, RIGHT_COLUMNS, 0);
        IntVector leftOffsets = IntVector.fromArray(INT, LEFT_OFFSETS, 0);
        for (int r = 0; r < vectorRows; r++) {
            int top = (r / outHeight * height + 2 * (r % outHeight)) * width;
            int bottom = top + width;
            int outRow = r * outWidth;
            for (int x = 0; x < outWidth; x += LANES) {
                int column = 2 * x;
                FloatVector top0 = FloatVector.fromArray(FLOAT, in, top + column);
                FloatVector top1 = FloatVector.fromArray(FLOAT, in, top + column + LANES);
                FloatVector bottom0 = FloatVector.fromArray(FLOAT, in, bottom + column);
                FloatVector bottom1 = FloatVector.fromArray(FLOAT, in, bottom + column + LANES);
                FloatVector topLeft = leftColumns.selectFrom(top0, top1);
                FloatVector topRight = rightColumns.selectFrom(top0, top1);
                FloatVector bottomLeft = leftColumns.selectFrom(bottom0, bottom1);
                FloatVector bottomRight = rightColumns.selectFrom(bottom0, bottom1);
                IntVector topLeftIndex = leftOffsets.add(top + column);
                // visit the window in row-major order; a strict '>' keeps the first maximum, as the reference does
                FloatVector best = topLeft;
                IntVector where = topLeftIndex;
                VectorMask<Float> greater = topRight.compare(VectorOperators.GT, best);
                best = best.blend(topRight, greater);
                where = where.blend(topLeftIndex.add(1), greater.cast(INT));
                greater = bottomLeft.compare(VectorOperators.GT, best);
                best = best.blend(bottomLeft, greater);
                where = where.blend(topLeftIndex.add(width), greater.cast(INT));
                greater = bottomRight.compare(VectorOperators.GT, best);
                best = best.blend(bottomRight, greater);
                where = where.blend(topLeftIndex.add(width + 1), greater.cast(INT));
                best.intoArray(out, outRow + x);
                where.intoArray(argmax, outRow + x);
            }
        }
        ScalarKernels.maxPool2x2Rows(in, height, width, out, argmax, vectorRows, rows);
    }
    // whether pooled row r's full vectors stay inside in [C*H*W] and out [C*(H/2)*(W/2)]
    static boolean poolRowFits(int r, int channels, int height, int width, int blocks) {
        int outHeight = height / 2;
        int bottom = (r / outHeight * height + 2 * (r % outHeight) + 1) * width;
        return bottom + 2 * blocks * LANES <= channels * height * width
                && r * (width / 2) + blocks * LANES <= channels * outHeight * (width / 2);
    }

    // dOut, argmax [pooledSize]; dIn [inputSize]. The reference's scalar stores: a vector scatter
    // through argmax was slower (full report, seed shape: 763 ns against 538 ns), and a scatter
    // reads its whole index vector even under a mask, so it needed a scalar tail anyway
    static void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize) {
        SCALAR.maxPool2x2Backward(dOut, argmax, pooledSize, dIn, inputSize);
    }
}
