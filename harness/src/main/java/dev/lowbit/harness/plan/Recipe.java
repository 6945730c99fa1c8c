package dev.lowbit.harness.plan;

/**
 * How a model is trained.
 *
 * @param optimizer optimizer name; {@code adam} or {@code sgd}
 * @param learningRate fixed learning rate
 * @param batchSize training batch size
 * @param epochs epochs to train
 */
public record Recipe(String optimizer, double learningRate, int batchSize, int epochs) {

    public Recipe {
        if (!"adam".equals(optimizer) && !"sgd".equals(optimizer)) {
            throw new IllegalArgumentException("Unknown optimizer '" + optimizer + "'. Available: [adam, sgd]");
        }
        if (!(learningRate > 0) || batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("learningRate must be > 0, batchSize and epochs >= 1; got "
                    + learningRate + ", " + batchSize + ", " + epochs);
        }
    }

    /** The same recipe trained for {@code newEpochs} epochs. */
    public Recipe withEpochs(int newEpochs) {
        return new Recipe(optimizer, learningRate, batchSize, newEpochs);
    }
}
