package dev.lowbit.harness.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import dev.lowbit.harness.BadInputException;
import java.util.List;
import java.util.Locale;

/**
 * Where the engine trains and evaluates: {@code --device cpu} (the default) or {@code gpu}. The model, its
 * trainer and every batch are created on the device.
 */
public enum EngineDevice {
    CPU,
    GPU;

    /** The values {@code --device} takes. */
    public static final List<String> NAMES = List.of("cpu", "gpu");

    /**
     * The device named {@code name}.
     *
     * @throws BadInputException naming the value and the devices that exist
     */
    public static EngineDevice named(String name) {
        BadInputException.requireOneOf("--device", name, NAMES);
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * DJL's device for this choice; call it where {@link EngineSettings#apply} is called, before the engine
     * starts.
     *
     * <p>{@code cpu} also hides the GPUs from the engine ({@code CUDA_VISIBLE_DEVICES} empty, set before the
     * CUDA natives read it), so that the engine's default device is the CPU too: arrays made without a
     * device, such as the quantizers' shared constants ({@code EngineScalars}), then live beside the model's.
     * {@code gpu} starts the engine here and needs it to see a GPU.
     *
     * @throws BadInputException for {@code gpu} when the engine sees none
     */
    public Device open() {
        if (this == CPU) {
            EngineSettings.hideGpus();
            return Device.cpu();
        }
        Engine engine = Engine.getInstance();
        if (engine.getGpuCount() > 0) {
            return Device.gpu();
        }
        if (engine.hasCapability(StandardCapabilities.CUDA)) {
            throw new BadInputException("--device gpu: no GPU visible to DJL's PyTorch engine (its CUDA natives found"
                    + " none: check nvidia-smi and CUDA_VISIBLE_DEVICES), or use --device cpu");
        }
        throw new BadInputException("--device gpu: no GPU visible to DJL's PyTorch engine (CPU natives in use); to use"
                + " a GPU bring DJL's CUDA natives: see README 'GPU'");
    }
}
