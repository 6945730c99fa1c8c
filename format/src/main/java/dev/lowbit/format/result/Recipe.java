package dev.lowbit.format.result;

import java.util.Objects;

/**
 * How a model is trained; part of every run's config, so two recipes never share a run.
 *
 * @param name the recipe's name in its suite, e.g. {@code base} or {@code augmented}
 * @param optimizer {@code adam} or {@code sgd} (momentum 0.9)
 * @param learningRate the peak learning rate
 * @param schedule {@code constant}, or {@code cosine}: decays to zero over all steps of the run
 * @param batchSize training batch size
 * @param epochs epochs to train
 * @param weightDecay L2 weight decay added to every gradient (0 for none)
 * @param augmentation training-image augmentation: {@code none}, or a named set of random transforms
 */
public record Recipe(
        String name,
        String optimizer,
        double learningRate,
        String schedule,
        int batchSize,
        int epochs,
        double weightDecay,
        String augmentation) {

    public Recipe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(augmentation, "augmentation");
        if (!(learningRate > 0) || batchSize < 1 || epochs < 1 || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Recipe '" + name
                    + "' needs learningRate > 0, batchSize >= 1, epochs >= 1" + " and weightDecay >= 0; got "
                    + learningRate + ", " + batchSize + ", " + epochs + ", " + weightDecay);
        }
    }

    /** The same recipe trained for {@code newEpochs} epochs. */
    public Recipe withEpochs(int newEpochs) {
        return new Recipe(name, optimizer, learningRate, schedule, batchSize, newEpochs, weightDecay, augmentation);
    }
}
