package dev.lowbit.architectures;

/**
 * Two conv stages (32 and 64 filters) and the classifier: 50,570 parameters on 28x28x1 inputs
 * (50,186 trainable weights and biases, 384 batch-norm running statistics included in the count).
 */
public final class CnnSmallArchitecture extends CnnArchitecture {

    /** The registered {@code cnn-small}. */
    public CnnSmallArchitecture() {
        super("cnn-small", new int[] {32, 64}, 0);
    }
}
