package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.QuantizationContext;

/**
 * The run's one stream of random draws for quantizers (stochastic rounding and the like): SplitMix64
 * (Steele, Lea and Flood 2014), whose whole state is one {@code long}. A checkpoint saves
 * {@link #state()} and a resumed run {@link #restore restores} it, so it draws exactly what the
 * uninterrupted run would have drawn.
 *
 * <p>Draws happen in the order the layers' forward passes ask for them, one per element in row-major
 * order; the engine's own generator is not used, so weight initialisation and dropout do not shift them.
 *
 * <p>lowbit makes one per run, from the run's seed, and hands it to every quantized layer; a plugin reaches it
 * only through {@link QuantizationContext#uniform}. A contract test may make its own,
 * {@code new QuantizerRandom(42).context(true)}, for a training context. Thread-safe: draws and the state are
 * synchronized (though the order of draws, and so the run's numbers, is only reproducible from one thread).
 */
public final class QuantizerRandom {

    /** 2^64 / golden ratio, odd: SplitMix64's increment, also used to spread small seeds over the state. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;
    private final QuantizationContext training = new Training();

    /**
     * A stream whose state is derived from {@code seed}: equal seeds give equal streams.
     *
     * @param seed the run's seed
     */
    public QuantizerRandom(long seed) {
        this.state = seed * GOLDEN_GAMMA;
    }

    /**
     * The whole state: what a checkpoint saves.
     *
     * @return the state, for {@link #restore}
     */
    public synchronized long state() {
        return state;
    }

    /**
     * Continues the stream from a saved {@link #state()}.
     *
     * @param state a value {@link #state()} returned
     */
    public synchronized void restore(long state) {
        this.state = state;
    }

    /**
     * Uniform float32 draws in [0, 1), one per element of {@code shape}, drawn in row-major order,
     * advancing the stream by {@code shape.size()}.
     *
     * @param manager owns the result
     * @param shape the shape of the draws
     * @return float32 draws in [0, 1), on a grid of 2^-24
     * @throws IllegalArgumentException for more than {@code Integer.MAX_VALUE - 8} draws in one call
     */
    public NDArray uniform(NDManager manager, Shape shape) {
        long size = shape.size();
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cannot draw " + size + " uniform numbers for shape " + shape
                    + ": at most " + (Integer.MAX_VALUE - 8) + " per call.");
        }
        float[] values = new float[(int) size];
        synchronized (this) {
            for (int i = 0; i < values.length; i++) {
                // The top 24 bits, exactly representable: every float in [0, 1) on a 2^-24 grid, never 1.
                values[i] = (next() >>> 40) * 0x1.0p-24f;
            }
        }
        return manager.create(values, shape);
    }

    /**
     * The context of a forward pass: while training, {@link QuantizationContext#uniform} draws from this
     * stream; otherwise {@link QuantizationContext#EVALUATION}, which draws nothing and throws if asked to.
     *
     * @param training whether the forward pass trains
     * @return a training context drawing from this stream, or {@link QuantizationContext#EVALUATION}
     */
    public QuantizationContext context(boolean training) {
        return training ? this.training : QuantizationContext.EVALUATION;
    }

    private long next() {
        long z = state += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A training pass drawing from this stream. */
    private final class Training implements QuantizationContext {
        @Override
        public boolean training() {
            return true;
        }

        @Override
        public NDArray uniform(NDManager manager, Shape shape) {
            return QuantizerRandom.this.uniform(manager, shape);
        }

        @Override
        public String toString() {
            return "training";
        }
    }
}
