package dev.lowbit.inference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Lanes} on the Java Vector API, at the CPU's preferred width; loaded by name only when the module is present. */
final class VectorLanes extends Lanes {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int WIDTH = SPECIES.length();

    @Override
    int width() {
        return WIDTH;
    }

    @Override
    String describe() {
        return "Vector API, " + SPECIES.vectorBitSize() + "-bit";
    }

    @Override
    void add(float[] acc, int a, float[] x, int b, int len) {
        int i = 0;
        for (int bound = SPECIES.loopBound(len); i < bound; i += WIDTH) {
            FloatVector.fromArray(SPECIES, acc, a + i)
                    .add(FloatVector.fromArray(SPECIES, x, b + i))
                    .intoArray(acc, a + i);
        }
        for (; i < len; i++) {
            acc[a + i] += x[b + i];
        }
    }

    @Override
    void relu(float[] x, int a, int len) {
        FloatVector zero = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(len); i < bound; i += WIDTH) {
            FloatVector.fromArray(SPECIES, x, a + i).max(zero).intoArray(x, a + i);
        }
        for (; i < len; i++) {
            x[a + i] = Math.max(x[a + i], 0f);
        }
    }

    @Override
    void shifted(float[] to, int a, float[] from, int b, float term, int len) {
        FloatVector broadcast = FloatVector.broadcast(SPECIES, term);
        int i = 0;
        for (int bound = SPECIES.loopBound(len); i < bound; i += WIDTH) {
            FloatVector.fromArray(SPECIES, from, b + i).add(broadcast).intoArray(to, a + i);
        }
        for (; i < len; i++) {
            to[a + i] = from[b + i] + term;
        }
    }

    @Override
    void axpy(float[] acc, int a, float factor, float[] x, int b, int len) {
        FloatVector broadcast = FloatVector.broadcast(SPECIES, factor);
        int i = 0;
        for (int bound = SPECIES.loopBound(len); i < bound; i += WIDTH) {
            FloatVector.fromArray(SPECIES, x, b + i)
                    .fma(broadcast, FloatVector.fromArray(SPECIES, acc, a + i))
                    .intoArray(acc, a + i);
        }
        for (; i < len; i++) {
            acc[a + i] += factor * x[b + i];
        }
    }

    @Override
    void sumColumns(float[] x, int stride, int[] columns, int from, int to, float[] y, int at, float factor) {
        int k = 0;
        for (int bound = SPECIES.loopBound(stride); k < bound; k += WIDTH) {
            // Four sums in flight: one would wait on each addition's latency.
            FloatVector sum0 = FloatVector.zero(SPECIES);
            FloatVector sum1 = FloatVector.zero(SPECIES);
            FloatVector sum2 = FloatVector.zero(SPECIES);
            FloatVector sum3 = FloatVector.zero(SPECIES);
            int i = from;
            for (; i + 4 <= to; i += 4) {
                sum0 = sum0.add(FloatVector.fromArray(SPECIES, x, columns[i] * stride + k));
                sum1 = sum1.add(FloatVector.fromArray(SPECIES, x, columns[i + 1] * stride + k));
                sum2 = sum2.add(FloatVector.fromArray(SPECIES, x, columns[i + 2] * stride + k));
                sum3 = sum3.add(FloatVector.fromArray(SPECIES, x, columns[i + 3] * stride + k));
            }
            for (; i < to; i++) {
                sum0 = sum0.add(FloatVector.fromArray(SPECIES, x, columns[i] * stride + k));
            }
            sum0.add(sum1)
                    .add(sum2.add(sum3))
                    .fma(FloatVector.broadcast(SPECIES, factor), FloatVector.fromArray(SPECIES, y, at + k))
                    .intoArray(y, at + k);
        }
        for (; k < stride; k++) {
            float sum = 0;
            for (int i = from; i < to; i++) {
                sum += x[columns[i] * stride + k];
            }
            y[at + k] += factor * sum;
        }
    }

    @Override
    void dotColumns(float[] x, int stride, int first, float[] weights, int count, float[] y, int at, float factor) {
        int k = 0;
        for (int bound = SPECIES.loopBound(stride); k < bound; k += WIDTH) {
            // Four sums in flight: one would wait on each multiply-add's latency.
            FloatVector sum0 = FloatVector.zero(SPECIES);
            FloatVector sum1 = FloatVector.zero(SPECIES);
            FloatVector sum2 = FloatVector.zero(SPECIES);
            FloatVector sum3 = FloatVector.zero(SPECIES);
            int i = 0;
            int row = first * stride + k;
            for (; i + 4 <= count; i += 4, row += 4 * stride) {
                sum0 = FloatVector.fromArray(SPECIES, x, row).fma(FloatVector.broadcast(SPECIES, weights[i]), sum0);
                sum1 = FloatVector.fromArray(SPECIES, x, row + stride)
                        .fma(FloatVector.broadcast(SPECIES, weights[i + 1]), sum1);
                sum2 = FloatVector.fromArray(SPECIES, x, row + 2 * stride)
                        .fma(FloatVector.broadcast(SPECIES, weights[i + 2]), sum2);
                sum3 = FloatVector.fromArray(SPECIES, x, row + 3 * stride)
                        .fma(FloatVector.broadcast(SPECIES, weights[i + 3]), sum3);
            }
            for (; i < count; i++, row += stride) {
                sum0 = FloatVector.fromArray(SPECIES, x, row).fma(FloatVector.broadcast(SPECIES, weights[i]), sum0);
            }
            sum0.add(sum1)
                    .add(sum2.add(sum3))
                    .fma(FloatVector.broadcast(SPECIES, factor), FloatVector.fromArray(SPECIES, y, at + k))
                    .intoArray(y, at + k);
        }
        for (; k < stride; k++) {
            float sum = 0;
            for (int i = 0; i < count; i++) {
                sum += weights[i] * x[(first + i) * stride + k];
            }
            y[at + k] += factor * sum;
        }
    }

    @Override
    void sumCodes(
            float[] sums,
            byte[] codes,
            int rowBase,
            int first,
            int end,
            byte[] digits,
            int perByte,
            int[] starts,
            int[] counts,
            boolean[] skip,
            float[] x,
            int stride) {
        int bound = SPECIES.loopBound(stride);
        for (int t = first; t < end; t++) {
            int digit = (codes[rowBase + t * CodeMatrix.ROWS_PER_BLOCK] & 0xFF) * perByte;
            for (int i = 0, column = starts[t]; i < counts[t]; i++, column++) {
                int c = digits[digit + i];
                if (skip[c]) {
                    continue;
                }
                int a = c * stride;
                int b = column * stride;
                int k = 0;
                for (; k < bound; k += WIDTH) {
                    FloatVector.fromArray(SPECIES, sums, a + k)
                            .add(FloatVector.fromArray(SPECIES, x, b + k))
                            .intoArray(sums, a + k);
                }
                for (; k < stride; k++) {
                    sums[a + k] += x[b + k];
                }
            }
        }
    }

    @Override
    float dot(float[] x, int a, float[] y, int b, int len) {
        FloatVector sum = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(len); i < bound; i += WIDTH) {
            sum = FloatVector.fromArray(SPECIES, x, a + i).fma(FloatVector.fromArray(SPECIES, y, b + i), sum);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            total += x[a + i] * y[b + i];
        }
        return total;
    }
}
