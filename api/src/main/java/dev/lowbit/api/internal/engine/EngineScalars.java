package dev.lowbit.api.internal.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Constants as 0-dimensional float32 engine arrays, created once per process and shared.
 *
 * <p>An engine op given a Java number ({@code x.div(2f)}) first makes such an array from it: a
 * native allocation and a JNI call on every call, about as costly as the op itself on a small
 * tensor. The quantizer runs a few dozen ops per weight tensor per training step, most with a
 * constant of the alphabet, so it takes them from here.
 *
 * <p>Use a constant only as the <em>second</em> operand: an op attaches its result to its first
 * operand's manager (here, one that is never closed), and an in-place op on a shared constant
 * would change it for every caller.
 *
 * <p>Thread-safe; the constants live as long as the process.
 */
public final class EngineScalars {

    private static final Map<Float, NDArray> CONSTANTS = new ConcurrentHashMap<>();

    private EngineScalars() {}

    /**
     * The shared 0-d float32 array holding {@code value}.
     *
     * @param value the constant, rounded to float32
     * @return the same array on every call with this value; never close it or change it in place
     */
    public static NDArray of(double value) {
        return CONSTANTS.computeIfAbsent((float) value, EngineScalars::create);
    }

    private static NDArray create(float value) {
        return Holder.MANAGER.create(value);
    }

    /** Created on first use, so loading this class does not start the engine. */
    private static final class Holder {
        private static final NDManager MANAGER = NDManager.newBaseManager();
    }
}
