package dev.lowbit.harness.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded, stratified hold-out: from every class the same share of images goes to validation,
 * so validation accuracy is not skewed by an unlucky class mix. The test set is never touched.
 *
 * @param train indices of the images to train on, in file order
 * @param validation indices of the held-out images, in file order
 */
public record ValidationSplit(int[] train, int[] validation) {

    /**
     * Splits the first {@code limit} images.
     *
     * @param labels class of every image
     * @param limit how many of the first images to use; 0 or more than there are means all
     * @param validationShare share held out per class, in [0, 1)
     * @param seed seed of the per-class shuffle
     */
    public static ValidationSplit stratified(int[] labels, int limit, double validationShare, long seed) {
        if (validationShare < 0 || validationShare >= 1) {
            throw new IllegalArgumentException("validation share must be in [0, 1), got " + validationShare);
        }
        int used = limit <= 0 ? labels.length : Math.min(limit, labels.length);
        int classes = Arrays.stream(labels, 0, used).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < used; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random random = new Random(seed);
        boolean[] held = new boolean[used];
        for (List<Integer> members : byClass) {
            java.util.Collections.shuffle(members, random);
            int take = (int) Math.round(members.size() * validationShare);
            for (int j = 0; j < take; j++) {
                held[members.get(j)] = true;
            }
        }
        int[] train =
                java.util.stream.IntStream.range(0, used).filter(i -> !held[i]).toArray();
        int[] validation =
                java.util.stream.IntStream.range(0, used).filter(i -> held[i]).toArray();
        return new ValidationSplit(train, validation);
    }
}
