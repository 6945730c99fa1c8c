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
