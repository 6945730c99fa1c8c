package dev.lowbit.harness.cli;

import ai.djl.Device;
import dev.lowbit.harness.train.EngineDevice;
import picocli.CommandLine.Option;

/** {@code --device cpu|gpu}, for the commands that train or evaluate (a Picocli mixin). */
public final class DeviceOption {

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|gpu",
            description = "Train and evaluate on the CPU (the default) or the GPU; gpu needs DJL's CUDA natives"
                    + " (README, 'GPU').")
    String device;

    /** The device, checked: see {@link EngineDevice#open}. Call it before the engine starts (after EngineSettings). */
    Device open() {
        return EngineDevice.named(device).open();
    }
}
