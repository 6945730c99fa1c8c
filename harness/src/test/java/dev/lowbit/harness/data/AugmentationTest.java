package dev.lowbit.harness.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    private static final Augmentation STANDARD = Augmentation.named("standard");

    /** One image of random bytes, fixed by {@code seed}. */
    private static ImageSet noise(int channels, int rows, int cols, long seed) {
        byte[] pixels = new byte[channels * rows * cols];
        new Random(seed).nextBytes(pixels);
        return new ImageSet(pixels, new int[] {0}, channels, rows, cols);
    }

    private static ImageSet filled(int channels, int rows, int cols, int value) {
        byte[] pixels = new byte[channels * rows * cols];
        java.util.Arrays.fill(pixels, (byte) value);
        return new ImageSet(pixels, new int[] {0}, channels, rows, cols);
    }

    private static byte[] apply(Augmentation augmentation, ImageSet images, int index, long seed) {
        byte[] out = new byte[images.imageSize()];
        augmentation.apply(images, index, new Random(seed), out);
        return out;
    }

    private static int at(byte[] image, int cols, int plane, int channel, int row, int col) {
        return image[channel * plane + row * cols + col] & 0xFF;
    }

    @Test
    void rejectsAnUnknownNameListingThePresets() {
        assertThat(Augmentation.NAMES).containsExactly("none", "standard");
        assertThat(Augmentation.named("standard").name()).isEqualTo("standard");
        assertThatThrownBy(() -> Augmentation.named("autoaugment"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "No augmentation named 'autoaugment'. Available: [none, standard]. Use one of these names.");
    }

    @Test
    void noneCopiesTheImageAndDrawsNothing() {
        byte[] pixels = new byte[2 * 3 * 5 * 4];
        new Random(1).nextBytes(pixels);
        ImageSet images = new ImageSet(pixels, new int[] {0, 1}, 3, 5, 4);
        Random random = new Random(7);
        byte[] out = new byte[60];
        Augmentation.named("none").apply(images, 1, random, out);
        assertThat(out).containsExactly(java.util.Arrays.copyOfRange(pixels, 60, 120));
        assertThat(random.nextLong()).isEqualTo(new Random(7).nextLong());
        assertThat(Augmentation.named("none").isIdentity()).isTrue();
        assertThat(STANDARD.isIdentity()).isFalse();
    }

    @Test
    void isReproducibleForASeedAndDiffersAcrossSeeds() {
        for (ImageSet images : new ImageSet[] {noise(1, 28, 28, 3), noise(3, 32, 32, 3)}) {
            assertThat(apply(STANDARD, images, 0, 42))
                    .isEqualTo(apply(STANDARD, images, 0, 42))
                    .isNotEqualTo(apply(STANDARD, images, 0, 43));
        }
    }

    @Test
    void flipMirrorsEachRowOfEveryChannel() {
        ImageSet images = noise(3, 5, 7, 11);
        byte[] out = apply(Augmentation.custom(1, 0, 0), images, 0, 1);
        for (int ch = 0; ch < 3; ch++) {
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 7; c++) {
                    assertThat(at(out, 7, 35, ch, r, c)).isEqualTo(at(images.pixels(), 7, 35, ch, r, 6 - c));
                }
            }
        }
    }

    @Test
    void standardFlipsAboutHalfTheImages() {
        ImageSet images = noise(1, 28, 28, 5);
        Augmentation flipOnly = Augmentation.custom(0.5, 0, 0);
        Random random = new Random(9);
        byte[] out = new byte[784];
        int flipped = 0;
        for (int i = 0; i < 1000; i++) {
            flipOnly.apply(images, 0, random, out);
            flipped += java.util.Arrays.equals(out, images.pixels()) ? 0 : 1;
        }
        assertThat(flipped).isBetween(450, 550);
    }

    @Test
    void translationMovesALitPixelByAtMostThePaddingAndReachesEveryShift() {
        for (int[] shape : new int[][] {{1, 28, 28}, {3, 32, 32}}) {
            int channels = shape[0];
            int rows = shape[1];
            int cols = shape[2];
            int plane = rows * cols;
            Augmentation shiftOnly = Augmentation.custom(0, 8, 0);
            int pad = shiftOnly.padding(rows, cols);
            assertThat(pad).isEqualTo(rows / 8);
            byte[] pixels = new byte[channels * plane];
            for (int ch = 0; ch < channels; ch++) {
                pixels[ch * plane + 12 * cols + 15] = (byte) 200;
            }
            ImageSet images = new ImageSet(pixels, new int[] {0}, channels, rows, cols);
            Set<String> shifts = new HashSet<>();
            for (long seed = 0; seed < 400; seed++) {
                byte[] out = apply(shiftOnly, images, 0, seed);
                int lit = 0;
                for (int ch = 0; ch < channels; ch++) {
                    for (int p = 0; p < plane; p++) {
                        if (out[ch * plane + p] != 0) {
                            lit++;
                            assertThat(out[ch * plane + p] & 0xFF).isEqualTo(200);
                            assertThat(Math.abs(p / cols - 12)).isLessThanOrEqualTo(pad);
                            assertThat(Math.abs(p % cols - 15)).isLessThanOrEqualTo(pad);
                            shifts.add((p / cols - 12) + "," + (p % cols - 15));
                        }
                    }
                }
                assertThat(lit).isEqualTo(channels);
            }
            assertThat(shifts).hasSize((2 * pad + 1) * (2 * pad + 1));
        }
    }

    @Test
    void rotationKeepsTheCentrePixelOfAnOddImage() {
        byte[] pixels = new byte[9 * 9];
        pixels[4 * 9 + 4] = (byte) 255;
        ImageSet images = new ImageSet(pixels, new int[] {0}, 1, 9, 9);
        for (long seed = 0; seed < 50; seed++) {
            assertThat(apply(Augmentation.custom(0, 0, 10), images, 0, seed)[4 * 9 + 4] & 0xFF)
                    .isEqualTo(255);
        }
    }

    @Test
    void rotationKeepsTheCentreOfAnEvenImage() {
        byte[] pixels = new byte[28 * 28];
        for (int r = 12; r < 16; r++) {
            for (int c = 12; c < 16; c++) {
                pixels[r * 28 + c] = 100;
            }
        }
        ImageSet images = new ImageSet(pixels, new int[] {0}, 1, 28, 28);
        for (long seed = 0; seed < 50; seed++) {
            byte[] out = apply(Augmentation.custom(0, 0, 10), images, 0, seed);
            for (int p : new int[] {13 * 28 + 13, 13 * 28 + 14, 14 * 28 + 13, 14 * 28 + 14}) {
                assertThat(out[p]).isEqualTo((byte) 100);
            }
        }
    }

    @Test
    void rotationActuallyRotates() {
        // A vertical bar through the centre leans: its ends move sideways by about tan(angle) per row.
        byte[] pixels = new byte[32 * 32];
        for (int r = 0; r < 32; r++) {
            pixels[r * 32 + 16] = (byte) 255;
        }
        ImageSet images = new ImageSet(pixels, new int[] {0}, 1, 32, 32);
        int changed = 0;
        for (long seed = 0; seed < 20; seed++) {
            changed += java.util.Arrays.equals(apply(Augmentation.custom(0, 0, 10), images, 0, seed), pixels) ? 0 : 1;
        }
        assertThat(changed).isEqualTo(20);
    }

    @Test
    void aUniformImageKeepsItsValueAwayFromTheBordersAndNeverWraps() {
        for (int[] shape : new int[][] {{1, 28, 28}, {3, 32, 32}}) {
            int rows = shape[1];
            int cols = shape[2];
            ImageSet images = filled(shape[0], rows, cols, 255);
            int pad = STANDARD.padding(rows, cols);
            // Source points lie within (distance + pad * sqrt 2) of the centre; keep one more pixel for bilinear.
            double safe = rows / 2.0 - pad * Math.sqrt(2) - 1.5;
            for (long seed = 0; seed < 50; seed++) {
                byte[] out = apply(STANDARD, images, 0, seed);
                int unchanged = 0;
                for (int i = 0; i < out.length; i++) {
                    int p = i % (rows * cols);
                    int row = p / cols;
                    int col = p % cols;
                    double dr = row - (rows - 1) / 2.0;
                    double dc = col - (cols - 1) / 2.0;
                    if (Math.hypot(dr, dc) <= safe) {
                        assertThat(out[i] & 0xFF).isEqualTo(255);
                    }
                    unchanged += (out[i] & 0xFF) == 255 ? 1 : 0;
                }
                assertThat(unchanged).isGreaterThan(out.length / 2);
            }
            // Rotation alone loses only the corners.
            byte[] rotated = apply(Augmentation.custom(0, 0, 10), images, 0, 1);
            long kept = java.util.stream.IntStream.range(0, rotated.length)
                    .filter(i -> rotated[i] == (byte) 255)
                    .count();
            assertThat(kept).isGreaterThan(rotated.length * 85L / 100);
        }
    }

    @Test
    void outputsOnlyValuesBetweenTheFillAndTheBrightestInput() {
        ImageSet images = noise(3, 32, 32, 8);
        byte[] pixels = images.pixels();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (100 + (pixels[i] & 0x3F));
        }
        for (long seed = 0; seed < 20; seed++) {
            for (byte value : apply(STANDARD, images, 0, seed)) {
                assertThat(value & 0xFF).isBetween(0, 163);
            }
        }
    }

    @Test
    void rejectsAnOutputOfTheWrongSize() {
        assertThatThrownBy(() -> STANDARD.apply(noise(1, 28, 28, 1), 0, new Random(1), new byte[100]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out holds 100 bytes, an image 784");
    }
}
