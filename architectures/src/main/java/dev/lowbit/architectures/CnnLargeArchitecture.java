package dev.lowbit.architectures;

/** Three conv stages (32, 64, 128 filters), a 512-unit hidden layer and the classifier: ~3.3M parameters on 28x28x1. */
public final class CnnLargeArchitecture extends CnnArchitecture {

    /** The registered {@code cnn-large}. */
    public CnnLargeArchitecture() {
        super("cnn-large", new int[] {32, 64, 128}, 512);
    }
}
