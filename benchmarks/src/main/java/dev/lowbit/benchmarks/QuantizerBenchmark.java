package dev.lowbit.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Quantizer;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The quantizer's cost per training step on weight tensors of typical layer sizes: the scale alone,
 * Q(W) alone, and the straight-through forward plus its backward (what a quantized layer adds to a
 * step). {@code fp32} is the identity quantizer: its forward+backward is the floor every quantizer
 * is compared with.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=2",
            "-Dai.djl.pytorch.num_interop_threads=1"
        })
public class QuantizerBenchmark {

    /** A weight tensor: a linear layer's {@code out x in} or a conv kernel's {@code Cout x Cin x k x k}. */
    @Param({"256x784", "256x256", "64x64x3x3"})
    public String shape;

    /** A registered quantizer id or spec. */
    @Param({"fp32", "ternary", "k17"})
    public String quantizer;

    private NDManager manager;
    private NDArray weights;
    private NDArray upstream;
    private Quantizer q;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getInstance().setRandomSeed(1);
        manager = NDManager.newBaseManager();
        String[] dims = shape.split("x");
        long[] sizes = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            sizes[i] = Long.parseLong(dims[i]);
        }
        Shape s = new Shape(sizes);
        long fanIn = s.size() / sizes[0];
        weights = manager.randomNormal(0, (float) Math.sqrt(2.0 / fanIn), s, ai.djl.ndarray.types.DataType.FLOAT32);
        weights.setRequiresGradient(true);
        upstream = manager.randomNormal(s);
        String id = quantizer.contains("@") ? quantizer.substring(0, quantizer.indexOf('@')) : quantizer;
        Quantizer found = ServiceLoader.load(Quantizer.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No quantizer '" + id + "'"));
        q = quantizer.contains("@")
                ? found.withScaleRule(ScaleRules.parse(quantizer.substring(quantizer.indexOf('@') + 1)))
                : found;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    /** The scale rule on the weights (per step, for every quantized tensor). */
    @Benchmark
    public float scale() {
        if (q.isFullPrecision()) {
            return 0;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray detached = detached(scope);
            return q.scale(detached).toFloatArray()[0];
        }
    }

    /** Q(W) off the tape: the scale, the codes and the decode. */
    @Benchmark
    public float quantize() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray detached = detached(scope);
            NDArray quantized = q.isFullPrecision() ? detached : q.quantize(detached);
            return quantized.flatten().getFloat(0);
        }
    }

    /**
     * The straight-through forward on the tape, then the backward of {@code sum(Wq * upstream)}:
     * the quantizer's whole share of a training step.
     */
    @Benchmark
    public float forwardBackward() {
        try (NDManager scope = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray quantized = StraightThrough.quantize(weights, q, scope);
            NDArray loss = quantized.mul(upstream);
            loss.attach(scope);
            NDArray total = loss.sum();
            tape.backward(total);
            return weights.getGradient().flatten().getFloat(0);
        }
    }

    private NDArray detached(NDManager scope) {
        NDArray detached = weights.stopGradient();
        detached.attach(scope);
        return detached;
    }
}
