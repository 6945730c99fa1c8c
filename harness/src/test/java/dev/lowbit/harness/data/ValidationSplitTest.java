package dev.lowbit.harness.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    private static final int[] LABELS =
            IntStream.range(0, 1000).map(i -> i % 10).toArray();

    @Test
    void holdsOutTheSameShareOfEveryClass() {
        ValidationSplit split = ValidationSplit.stratified(LABELS, 0, 0.1, 1);
        assertThat(split.validation()).hasSize(100);
        assertThat(split.train()).hasSize(900);
        for (int c = 0; c < 10; c++) {
            int label = c;
            assertThat(Arrays.stream(split.validation())
                            .filter(i -> LABELS[i] == label)
                            .count())
                    .isEqualTo(10);
        }
        assertThat(IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.validation()))
                        .sorted()
                        .toArray())
                .isEqualTo(IntStream.range(0, 1000).toArray());
    }

    @Test
    void isReproducibleForASeedAndDiffersAcrossSeeds() {
        assertThat(ValidationSplit.stratified(LABELS, 0, 0.1, 1).validation())
                .isEqualTo(ValidationSplit.stratified(LABELS, 0, 0.1, 1).validation())
                .isNotEqualTo(ValidationSplit.stratified(LABELS, 0, 0.1, 2).validation());
    }

    @Test
    void limitKeepsOnlyTheFirstImages() {
        ValidationSplit split = ValidationSplit.stratified(LABELS, 200, 0.1, 1);
        assertThat(split.train().length + split.validation().length).isEqualTo(200);
        assertThat(IntStream.concat(Arrays.stream(split.train()), Arrays.stream(split.validation()))
                        .max())
                .hasValue(199);
    }
}
