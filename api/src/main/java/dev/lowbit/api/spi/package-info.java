/**
 * The service provider interfaces: what a plugin implements for lowbit to find it. Each provider is
 * a public class with a public no-argument constructor, listed in
 * {@code META-INF/services/<interface name>} and found with {@link java.util.ServiceLoader}; lowbit's
 * built-ins come through the same door.
 * <ul>
 *   <li>{@link dev.lowbit.api.spi.Quantizer}: maps fp32 weights onto a few allowed values (an
 *       {@link dev.lowbit.api.spi.Alphabet} at a scale); {@link dev.lowbit.api.spi.LearnedQuantizer} for one
 *       with values trained beside the weights ({@link dev.lowbit.api.spi.TrainedValue});
 *   <li>{@link dev.lowbit.api.spi.QuantizerFactory}: makes parameterised quantizers ({@code levels:-2,-1,1,2});
 *   <li>{@link dev.lowbit.api.spi.ScaleRule}: chooses the scale, per tensor, channel or group
 *       ({@link dev.lowbit.api.spi.Granularity}, together a {@link dev.lowbit.api.spi.ScaleSetting});
 *   <li>{@link dev.lowbit.api.spi.GradientEstimator}: shapes the backward pass;
 *   <li>{@link dev.lowbit.api.spi.ActivationQuantizer}: quantizes the inputs of the quantized layers;
 *   <li>{@link dev.lowbit.api.spi.Architecture}: builds a model, with a {@link dev.lowbit.api.spi.LayerPolicy}
 *       saying which layers stay fp32 (it hands those layers the fp32 identity, {@code FullPrecisionQuantizer}).
 * </ul>
 * {@link dev.lowbit.api.spi.QuantizationContext} tells a quantizer whether it trains and gives it the run's
 * seeded random draws.
 *
 * <p>The common contract. Ids are stable, {@code [a-z][a-z0-9.-]*}, stored in every result and never renamed;
 * an id provided twice is an error. lowbit calls a provider from one thread at a time, but one instance (resolved
 * once per command) serves every layer and every run of that command, so a provider keeps no per-call or per-run
 * state in its fields. The array methods are called off the gradient tape unless their Javadoc says otherwise,
 * and the arrays they create belong to the batch being computed. Whatever a provider throws while a run trains
 * (an exception, or a {@link java.lang.LinkageError} from a jar compiled against another api) fails that run
 * only, with one line naming the plugin's jar, the tensor and the cause; a constructor that throws is a plugin
 * failure reported at load time. The contract kit ({@code QuantizerContract}, {@code ScaleRuleContract},
 * {@code GradientEstimatorContract}, {@code ActivationQuantizerContract}, {@code ArchitectureContract}), the
 * test library a plugin's tests extend (README, "Write your own quantizer", step 5), checks each interface's
 * contract on the real engine.
 *
 * <p>Plugins use this package: it is the api a plugin implements. README, "Write your own quantizer",
 * "Write your own scale rule" and "Write a training-aware scheme", are the guides.
 */
package dev.lowbit.api.spi;
