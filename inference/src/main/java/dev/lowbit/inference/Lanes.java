package dev.lowbit.inference;

/**
 * The few vector loops every kernel is built from, over {@code float[]} ranges. Two implementations: one on
 * the Java Vector API ({@code jdk.incubator.vector}, used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and plain loops otherwise, so the engine runs on any Java 17
 * JVM and is only slower without the flag.
 */
abstract class Lanes {

    private static final Lanes CHOSEN = choose();

    /** The implementation this JVM runs: the Vector API's when its module is present. */
    static Lanes get() {
        return CHOSEN;
    }

    private static Lanes choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new ScalarLanes();
        }
        // Loaded by name: a class that links the Vector API must not be touched when the module is absent.
        try {
            return (Lanes) Class.forName("dev.lowbit.inference.VectorLanes")
                    .getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return new ScalarLanes();
        }
    }

    /** Floats per vector register (1 for plain loops); activation rows are padded to a multiple of it. */
    abstract int width();

    /** A name for messages, e.g. {@code Vector API, 256-bit}. */
    abstract String describe();

    /** {@code acc[a..a+len) += x[b..b+len)}. */
    abstract void add(float[] acc, int a, float[] x, int b, int len);

    /** {@code x[a..a+len) = max(x, 0)}. */
    abstract void relu(float[] x, int a, int len);

    /** {@code to[a..a+len) = from[b..b+len) + term}. */
    abstract void shifted(float[] to, int a, float[] from, int b, float term, int len);

    /** {@code acc[a..a+len) += factor * x[b..b+len)}. */
    abstract void axpy(float[] acc, int a, float factor, float[] x, int b, int len);

    /** {@code sum of x[a+i] * y[b+i]} for {@code i < len}. */
    abstract float dot(float[] x, int a, float[] y, int b, int len);

    /**
     * {@code y[at + k] += factor * sum of x[columns[i] * stride + k]} over {@code i} in {@code from..to}, for every
     * {@code k < stride}: one level's inputs of one row, summed in registers (no store per weight).
     */
    abstract void sumColumns(float[] x, int stride, int[] columns, int from, int to, float[] y, int at, float factor);

    /**
     * {@code y[at + k] += factor * sum of weights[i] * x[(first + i) * stride + k]} over {@code i < count}, for every
     * {@code k < stride}: one row segment's products, summed in registers.
     */
    abstract void dotColumns(
            float[] x, int stride, int first, float[] weights, int count, float[] y, int at, float factor);

    /**
     * The level sums of one row's groups {@code first..end} (byte t at {@code rowBase + 8t}, rows interleaved as
     * {@link CodeMatrix} keeps them): for each code c of the group bytes (digits of
     * {@code digits}, {@code counts[t]} codes from column {@code starts[t]}), unless {@code skip[c]},
     * {@code sums[c * stride ..] += x[column * stride ..]} over {@code stride} floats. One loop per row, so the
     * per-weight work stays in one compiled body (a call per weight cost more than the addition).
     */
    abstract void sumCodes(
            float[] sums,
            byte[] codes,
            int rowBase,
            int first,
            int end,
            byte[] digits,
            int perByte,
            int[] starts,
            int[] counts,
            boolean[] skip,
            float[] x,
            int stride);

    /** The stride of a feature-major activation of {@code n} columns: 1 column stays contiguous, more are padded. */
    final int stride(int n) {
        int w = width();
        return n == 1 ? 1 : (n + w - 1) / w * w;
    }

    /** Plain loops: what runs without the Vector API module. */
    static final class ScalarLanes extends Lanes {

        @Override
        int width() {
            return 1;
        }

        @Override
        String describe() {
            return "scalar loops; start the JVM with --add-modules jdk.incubator.vector for the Vector API";
        }

        @Override
        void add(float[] acc, int a, float[] x, int b, int len) {
            for (int i = 0; i < len; i++) {
                acc[a + i] += x[b + i];
            }
        }

        @Override
        void relu(float[] x, int a, int len) {
            for (int i = a; i < a + len; i++) {
                x[i] = Math.max(x[i], 0f);
            }
        }

        @Override
        void shifted(float[] to, int a, float[] from, int b, float term, int len) {
            for (int i = 0; i < len; i++) {
                to[a + i] = from[b + i] + term;
            }
        }

        @Override
        void axpy(float[] acc, int a, float factor, float[] x, int b, int len) {
            for (int i = 0; i < len; i++) {
                acc[a + i] += factor * x[b + i];
            }
        }

        @Override
        void sumColumns(float[] x, int stride, int[] columns, int from, int to, float[] y, int at, float factor) {
            for (int k = 0; k < stride; k++) {
                float sum = 0;
                for (int i = from; i < to; i++) {
                    sum += x[columns[i] * stride + k];
                }
                y[at + k] += factor * sum;
            }
        }

        @Override
        void dotColumns(float[] x, int stride, int first, float[] weights, int count, float[] y, int at, float factor) {
            for (int k = 0; k < stride; k++) {
                float sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += weights[i] * x[(first + i) * stride + k];
                }
                y[at + k] += factor * sum;
            }
        }

        @Override
        void sumCodes(
                float[] sums,
                byte[] codes,
                int rowBase,
                int first,
                int end,
                byte[] digits,
                int perByte,
                int[] starts,
                int[] counts,
                boolean[] skip,
                float[] x,
                int stride) {
            for (int t = first; t < end; t++) {
                int digit = (codes[rowBase + t * CodeMatrix.ROWS_PER_BLOCK] & 0xFF) * perByte;
                for (int i = 0, column = starts[t]; i < counts[t]; i++, column++) {
                    int c = digits[digit + i];
                    if (!skip[c]) {
                        add(sums, c * stride, x, column * stride, stride);
                    }
                }
            }
        }

        @Override
        float dot(float[] x, int a, float[] y, int b, int len) {
            float sum = 0;
            for (int i = 0; i < len; i++) {
                sum += x[a + i] * y[b + i];
            }
            return sum;
        }
    }
}
