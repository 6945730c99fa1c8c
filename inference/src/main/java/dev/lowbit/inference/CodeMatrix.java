package dev.lowbit.inference;

import dev.lowbit.format.lbw.QuantizedTensor;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A quantized weight kept as its codes, {@code g} codes of k levels per byte ({@code k^g <= 256}, radix k:
 * byte {@code v = c_0 + c_1 k + ... + c_(g-1) k^(g-1)}, as the file's radix packing but byte-aligned per scale
 * segment so that a kernel finds a group by its index). Each row's weights are
 * {@code w[o][j] = (level[c] - z) * s}, one scale s (and zero point z) per row segment: the whole row for a
 * per-tensor or per-channel scale, a group of G weights for grouped scales.
 *
 * <p>Two kernels, neither multiplying per weight:
 * <ul>
 *   <li><b>table lookup</b> (bitnet.cpp's TL idea, for any k): for one input column, a table per group of g
 *       inputs holds the partial sum {@code sum_i level[c_i] x_i} of every one of the k^g code combinations
 *       (built with additions, k multiplications per input); a row's dot product is then one lookup and one
 *       addition per byte, g weights at a time. Pays when the tables are shared by many rows (batch 1).
 *   <li><b>level sums</b>: per row, the inputs whose weight has level c are added up, all input columns at
 *       once in vector registers ({@code acc_c += x_j}); the row's output is
 *       {@code s (sum_c level[c] acc_c - z sum_j x_j)}: k multiplications per row segment, not per weight.
 *       Pays with many columns (a batch, a convolution's positions, a transformer's tokens).
 * </ul>
 * {@link #multiply} picks the cheaper by a count of operations.
 */
final class CodeMatrix implements Matrix {

    /** Rows whose bytes are interleaved. */
    static final int ROWS_PER_BLOCK = 8;

    private final String name;
    private final int rows;
    private final int cols;
    private final int levels;
    private final float[] levelValues;
    private final boolean[] zeroLevel;
    /** Codes per byte, g. */
    private final int perByte;
    /** k^g: the combinations a byte can hold, and the entries of one lookup table. */
    private final int tableSize;
    /** Weights per scale segment (the last may be shorter). */
    private final int segmentLength;

    private final int segments;
    /** Bytes (groups) of a full segment. */
    private final int groupsPerSegment;

    private final int bytesPerRow;
    /** First column and number of columns of each group of a row. */
    private final int[] groupStart;

    private final int[] groupCount;
    /**
     * The codes, eight rows interleaved: byte t of rows {@code 8b .. 8b + 7} are adjacent (at
     * {@link #rowBase}{@code (8b) + 8t}), so a kernel summing eight rows at once reads them together; the last
     * block's missing rows are zeros.
     */
    private final byte[] codes;
    /** Digit i of byte value v at {@code v * perByte + i} (shared by the alphabet's matrices: {@link ByteCodes}). */
    private final byte[] digits;
    /** Entry {@code v * perByte + i}: the level value of digit i of byte value v. */
    private final float[] byteLevels;
    /** Bit i of entry {@code v * levels + c} is set when digit i of byte value v is c. */
    private final byte[] levelMasks;

    private final float[] scales;
    private final float[] zeroPoints;

    private CodeMatrix(QuantizedTensor tensor, int rows, int cols, int segmentLength, float[] scales, float[] zeros) {
        this.name = tensor.name();
        this.rows = rows;
        this.cols = cols;
        this.levels = tensor.levels();
        this.levelValues = new float[levels];
        this.zeroLevel = new boolean[levels];
        for (int c = 0; c < levels; c++) {
            levelValues[c] = (float) tensor.alphabet()[c];
            zeroLevel[c] = levelValues[c] == 0f;
        }
        ByteCodes bytes = ByteCodes.of(levelValues);
        int g = bytes.perByte();
        this.perByte = g;
        this.tableSize = bytes.values();
        this.digits = bytes.digits();
        this.byteLevels = bytes.digitLevels();
        this.levelMasks = bytes.levelMasks();
        this.segmentLength = segmentLength;
        this.segments = (cols + segmentLength - 1) / segmentLength;
        this.groupsPerSegment = (segmentLength + g - 1) / g;
        int lastLength = cols - (segments - 1) * segmentLength;
        this.bytesPerRow = (segments - 1) * groupsPerSegment + (lastLength + g - 1) / g;
        this.groupStart = new int[bytesPerRow];
        this.groupCount = new int[bytesPerRow];
        for (int t = 0; t < bytesPerRow; t++) {
            int segment = t / groupsPerSegment;
            int start = segment * segmentLength + (t - segment * groupsPerSegment) * g;
            groupStart[t] = start;
            groupCount[t] = Math.min(g, Math.min(cols, (segment + 1) * segmentLength) - start);
        }
        this.codes = pack(tensor.codes());
        this.scales = scales;
        this.zeroPoints = zeros;
    }

    /**
     * The matrix of a quantized tensor of rank 2 or more ({@code rows} = its first axis).
     *
     * @throws IllegalArgumentException for more than 256 levels, or scales that vary along a row other than in
     *     groups (no lowbit quantizer stores those)
     */
    static CodeMatrix of(QuantizedTensor tensor) {
        long[] shape = tensor.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException(
                    "Tensor '" + tensor.name() + "' of shape " + Arrays.toString(shape) + " is not a weight matrix");
        }
        if (tensor.levels() > 256) {
            throw new IllegalArgumentException("Tensor '" + tensor.name() + "' has " + tensor.levels()
                    + " levels; the packed engine computes on up to 256");
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = tensor.elementCount() / rows;
        float[] scales = tensor.scales();
        float[] zeros = tensor.zeroPoints();
        if (tensor.groupSize() > 0) {
            return new CodeMatrix(tensor, rows, cols, tensor.groupSize(), scales, zeros);
        }
        boolean perRow = perRowScale(shape, tensor.scaleShape(), tensor.name());
        float[] rowScales = new float[rows];
        float[] rowZeros = zeros == null ? null : new float[rows];
        for (int r = 0; r < rows; r++) {
            rowScales[r] = scales[perRow ? r : 0];
            if (zeros != null) {
                rowZeros[r] = zeros[perRow ? r : 0];
            }
        }
        return new CodeMatrix(tensor, rows, cols, cols, rowScales, rowZeros);
    }

    /** Whether broadcast scales differ per row (else they are one per tensor); refuses scales varying along a row. */
    private static boolean perRowScale(long[] shape, long[] scaleShape, String name) {
        int offset = shape.length - scaleShape.length;
        boolean perRow = false;
        for (int axis = Math.max(0, offset); axis < shape.length; axis++) {
            long dim = scaleShape[axis - offset];
            if (dim == 1) {
                continue;
            }
            if (axis != 0) {
                throw new IllegalArgumentException("Tensor '" + name + "' has scales of shape "
                        + Arrays.toString(scaleShape) + " for its shape " + Arrays.toString(shape)
                        + ", varying along a row; the packed engine computes per-tensor, per-channel and grouped"
                        + " scales. Evaluate it with --engine djl.");
            }
            perRow = true;
        }
        return perRow;
    }

    private byte[] pack(int[] all) {
        int blocks = (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
        byte[] packed = new byte[Math.multiplyExact(blocks * ROWS_PER_BLOCK, bytesPerRow)];
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int base = rowBase(r);
            for (int t = 0; t < bytesPerRow; t++) {
                int value = 0;
                // Horner from the highest code down; missing codes of a short group stay 0.
                for (int i = groupCount[t] - 1; i >= 0; i--) {
                    value = value * levels + all[row + groupStart[t] + i];
                }
                packed[base + t * ROWS_PER_BLOCK] = (byte) value;
            }
        }
        return packed;
    }

    /** Where row {@code r}'s byte 0 is; its byte t is {@code ROWS_PER_BLOCK * t} further. */
    private int rowBase(int r) {
        return (r / ROWS_PER_BLOCK) * bytesPerRow * ROWS_PER_BLOCK + r % ROWS_PER_BLOCK;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return codes.length + 4L * scales.length + (zeroPoints == null ? 0 : 4L * zeroPoints.length);
    }

    /** The ways {@link #multiply} computes, one chosen per call by {@link #kernelFor}. */
    private enum Kernel {
        /** Tables of partial sums per column, one lookup per byte. */
        TABLE_LOOKUP,
        /** Few columns, up to 5 levels: one pass per nonzero level gathers its inputs into register sums. */
        LEVEL_SUMS_IN_REGISTERS,
        /** Few columns, more levels: a multiply-add per decoded level (8 or 16 passes would cost more). */
        DECODED_LEVELS,
        /** Many columns (a convolution's positions): each input row streamed into its level's sum in memory. */
        LEVEL_SUMS_STREAMED
    }

    /**
     * Vectors per column above which a row's level sums live in memory: with few, each level's sum stays in
     * registers and the inputs are gathered by column (no store per weight); with many (a convolution's
     * positions) the sums cannot stay in registers, and streaming each input row into its level's sum is faster.
     */
    private static final int REGISTER_VECTORS = 8;

    /**
     * The kernel for {@code n} columns held at {@code stride}: table lookup when its tables per column plus a
     * lookup per byte cost less than a vector add per weight (always at one column), else level sums.
     */
    private Kernel kernelFor(int n, int stride, Lanes lanes) {
        long tables = (long) n * bytesPerRow * (tableSize + rows);
        long sums = (long) rows * cols * (2 + stride / lanes.width());
        if (n == 1 || tables < sums) {
            return Kernel.TABLE_LOOKUP;
        }
        if (stride > REGISTER_VECTORS * lanes.width()) {
            return Kernel.LEVEL_SUMS_STREAMED;
        }
        return levels <= 5 ? Kernel.LEVEL_SUMS_IN_REGISTERS : Kernel.DECODED_LEVELS;
    }

    @Override
    public String kernel(int n) {
        Lanes lanes = Lanes.get();
        return switch (kernelFor(n, lanes.stride(n), lanes)) {
            case TABLE_LOOKUP -> "table lookup, " + perByte + " codes per byte (" + tableSize + "-entry tables)";
            case LEVEL_SUMS_IN_REGISTERS -> "level sums in registers, " + levels + " levels";
            case DECODED_LEVELS -> "multiply-add on decoded levels, " + levels + " levels";
            case LEVEL_SUMS_STREAMED -> "level sums streamed, " + levels + " levels";
        };
    }

    @Override
    public void multiply(float[] x, int n, int stride, float[] y, Lanes lanes) {
        Kernel kernel = kernelFor(n, stride, lanes);
        if (kernel == Kernel.TABLE_LOOKUP) {
            lookUp(x, n, stride, y, lanes);
        } else {
            sumLevels(kernel, x, stride, y, lanes);
        }
    }

    /**
     * Lookups above which one column's rows are split between threads: about a tenth of a millisecond of work,
     * well above what handing a share to another thread costs.
     */
    private static final long LOOKUPS_PER_THREAD = 100_000;

    private void lookUp(float[] x, int n, int stride, float[] y, Lanes lanes) {
        float[] tables = TableScratch.borrow(bytesPerRow * tableSize);
        float[] segmentSums = zeroPoints == null ? null : new float[segments];
        int threads = (int) Math.min(
                Runtime.getRuntime().availableProcessors(),
                Math.max(1, (long) rows * bytesPerRow / LOOKUPS_PER_THREAD));
        // Whole blocks of interleaved rows per thread, so each thread's eight-row sums start on a block.
        int share = ((rows + threads - 1) / threads + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK * ROWS_PER_BLOCK;
        for (int r = 0; r < n; r++) {
            buildTables(x, r, stride, tables, lanes);
            if (segmentSums != null) {
                Arrays.fill(segmentSums, 0f);
                for (int j = 0; j < cols; j++) {
                    segmentSums[j / segmentLength] += x[j * stride + r];
                }
            }
            int column = r;
            if (threads == 1) {
                lookUpRows(tables, segmentSums, 0, rows, y, stride, column);
            } else {
                // Batch 1 of a wide layer: the rows share the tables, so threads split the rows.
                IntStream.range(0, threads)
                        .parallel()
                        .forEach(t -> lookUpRows(
                                tables, segmentSums, t * share, Math.min(rows, (t + 1) * share), y, stride, column));
            }
        }
        TableScratch.giveBack(tables);
    }

    /** Rows {@code from..to} of column {@code r} from the column's tables. */
    private void lookUpRows(float[] tables, float[] segmentSums, int from, int to, float[] y, int stride, int r) {
        int o = from;
        if (segments == 1 && zeroPoints == null) {
            // Eight rows at a time: eight independent sums keep the adders busy (one sum would wait on each
            // addition's latency), and the eight entries read from one table are close together. (Blocking the
            // tables to stay in L1 was slower: each row's codes were then read in pieces, once per block.)
            for (; o + 8 <= to; o += 8) {
                int base = rowBase(o);
                float s0 = 0;
                float s1 = 0;
                float s2 = 0;
                float s3 = 0;
                float s4 = 0;
                float s5 = 0;
                float s6 = 0;
                float s7 = 0;
                for (int t = 0, table = 0, at = base; t < bytesPerRow; t++, table += tableSize, at += ROWS_PER_BLOCK) {
                    s0 += tables[table + (codes[at] & 0xFF)];
                    s1 += tables[table + (codes[at + 1] & 0xFF)];
                    s2 += tables[table + (codes[at + 2] & 0xFF)];
                    s3 += tables[table + (codes[at + 3] & 0xFF)];
                    s4 += tables[table + (codes[at + 4] & 0xFF)];
                    s5 += tables[table + (codes[at + 5] & 0xFF)];
                    s6 += tables[table + (codes[at + 6] & 0xFF)];
                    s7 += tables[table + (codes[at + 7] & 0xFF)];
                }
                int at = o * stride + r;
                y[at] = scales[o] * s0;
                y[at + stride] = scales[o + 1] * s1;
                y[at + 2 * stride] = scales[o + 2] * s2;
                y[at + 3 * stride] = scales[o + 3] * s3;
                y[at + 4 * stride] = scales[o + 4] * s4;
                y[at + 5 * stride] = scales[o + 5] * s5;
                y[at + 6 * stride] = scales[o + 6] * s6;
                y[at + 7 * stride] = scales[o + 7] * s7;
            }
        }
        for (; o < to; o++) {
            int base = rowBase(o);
            float out = 0;
            for (int s = 0; s < segments; s++) {
                float sum = 0;
                int end = Math.min(bytesPerRow, (s + 1) * groupsPerSegment);
                for (int t = s * groupsPerSegment; t < end; t++) {
                    sum += tables[t * tableSize + (codes[base + t * ROWS_PER_BLOCK] & 0xFF)];
                }
                int at = o * segments + s;
                out += scales[at] * (zeroPoints == null ? sum : sum - zeroPoints[at] * segmentSums[s]);
            }
            y[o * stride + r] = out;
        }
    }

    /** For every group t, entry v of table t: {@code sum_i level[digit_i(v)] * x[start_t + i]}, by additions. */
    private void buildTables(float[] x, int column, int stride, float[] tables, Lanes lanes) {
        for (int t = 0; t < bytesPerRow; t++) {
            int base = t * tableSize;
            int start = groupStart[t];
            float first = x[start * stride + column];
            for (int c = 0; c < levels; c++) {
                tables[base + c] = levelValues[c] * first;
            }
            int span = levels;
            // Only the group's real codes: a short group's padding digits are 0, so those entries are never read.
            for (int i = 1; i < groupCount[t]; i++) {
                float input = x[(start + i) * stride + column];
                // Highest digit first, so the block it reads (digit 0) is overwritten last.
                for (int c = levels - 1; c >= 0; c--) {
                    lanes.shifted(tables, base + c * span, tables, base, levelValues[c] * input, span);
                }
                span *= levels;
            }
        }
    }

    private void sumLevels(Kernel kernel, float[] x, int stride, float[] y, Lanes lanes) {
        float[] segmentSums = null;
        if (zeroPoints != null) {
            segmentSums = new float[segments * stride];
            for (int j = 0; j < cols; j++) {
                lanes.add(segmentSums, j / segmentLength * stride, x, j * stride, stride);
            }
        }
        float[] totals = segmentSums;
        int threads = (int) Math.min(
                Runtime.getRuntime().availableProcessors(), Math.max(1, (long) rows * cols * stride / ADDS_PER_THREAD));
        if (threads == 1) {
            sumLevelRows(kernel, 0, rows, x, stride, totals, y, lanes);
            return;
        }
        // A convolution's many positions: threads split the rows (filters), each with its own scratch.
        int share = (rows + threads - 1) / threads;
        IntStream.range(0, threads)
                .parallel()
                .forEach(t ->
                        sumLevelRows(kernel, t * share, Math.min(rows, (t + 1) * share), x, stride, totals, y, lanes));
    }

    /**
     * Additions above which level sums split the rows between threads: about a tenth of a millisecond of work.
     */
    private static final long ADDS_PER_THREAD = 1_000_000;

    private void sumLevelRows(
            Kernel kernel, int from, int to, float[] x, int stride, float[] segmentSums, float[] y, Lanes lanes) {
        boolean inRegisters = kernel == Kernel.LEVEL_SUMS_IN_REGISTERS;
        boolean multiplies = kernel == Kernel.DECODED_LEVELS;
        float[] sums = kernel == Kernel.LEVEL_SUMS_STREAMED ? new float[levels * stride] : null;
        int[] columns = inRegisters ? new int[segmentLength + perByte] : null;
        float[] rowLevels = multiplies ? new float[groupsPerSegment * perByte] : null;
        for (int o = from; o < to; o++) {
            int out = o * stride;
            Arrays.fill(y, out, out + stride, 0f);
            for (int s = 0; s < segments; s++) {
                int first = s * groupsPerSegment;
                int end = Math.min(bytesPerRow, (s + 1) * groupsPerSegment);
                float scale = scales[o * segments + s];
                if (multiplies) {
                    int count = decodeLevels(rowBase(o), first, end, rowLevels);
                    lanes.dotColumns(x, stride, groupStart[first], rowLevels, count, y, out, scale);
                } else if (inRegisters) {
                    for (int c = 0; c < levels; c++) {
                        if (!zeroLevel[c]) {
                            int count = columnsOfLevel(c, rowBase(o), first, end, columns);
                            lanes.sumColumns(x, stride, columns, 0, count, y, out, scale * levelValues[c]);
                        }
                    }
                } else {
                    Arrays.fill(sums, 0f);
                    lanes.sumCodes(
                            sums,
                            codes,
                            rowBase(o),
                            first,
                            end,
                            digits,
                            perByte,
                            groupStart,
                            groupCount,
                            zeroLevel,
                            x,
                            stride);
                    for (int c = 0; c < levels; c++) {
                        if (!zeroLevel[c]) {
                            lanes.axpy(y, out, scale * levelValues[c], sums, c * stride, stride);
                        }
                    }
                }
                if (segmentSums != null) {
                    lanes.axpy(y, out, -scale * zeroPoints[o * segments + s], segmentSums, s * stride, stride);
                }
            }
        }
    }

    /** The level values of groups {@code first..end} of a row, in column order, into {@code into}; returns how many. */
    private int decodeLevels(int rowBase, int first, int end, float[] into) {
        if (perByte == 1) {
            // A byte is a code (9 or more levels): one table read per weight.
            for (int t = first; t < end; t++) {
                into[t - first] = levelValues[codes[rowBase + t * ROWS_PER_BLOCK] & 0xFF];
            }
            return end - first;
        }
        int count = 0;
        for (int t = first; t < end; t++) {
            int value = (codes[rowBase + t * ROWS_PER_BLOCK] & 0xFF) * perByte;
            for (int i = 0; i < groupCount[t]; i++) {
                into[count++] = byteLevels[value + i];
            }
        }
        return count;
    }

    /** Entry {@code m * 8 + i}: the position of the i-th set bit of the byte m (the rest 0). */
    private static final byte[] SET_BITS = new byte[256 * 8];

    static {
        for (int m = 0; m < 256; m++) {
            for (int bit = 0, i = 0; bit < 8; bit++) {
                if ((m >> bit & 1) != 0) {
                    SET_BITS[m * 8 + i++] = (byte) bit;
                }
            }
        }
    }

    /**
     * The columns of groups {@code first..end} of a row whose code is {@code level}, into {@code columns} (which
     * needs {@code perByte} spare entries); returns how many. One pass per level through each byte's precomputed
     * mask of that level's digits, writing all {@code perByte} candidate positions and advancing by the mask's
     * bit count: no branch depends on the codes, so none is mispredicted, and the count stays in a register.
     */
    private int columnsOfLevel(int level, int rowBase, int first, int end, int[] columns) {
        int count = 0;
        for (int t = first; t < end; t++) {
            // A short group's padding digits are code 0: the group's own count of low bits only.
            int mask = levelMasks[(codes[rowBase + t * ROWS_PER_BLOCK] & 0xFF) * levels + level]
                    & ((1 << groupCount[t]) - 1);
            int start = groupStart[t];
            int bits = mask * 8;
            for (int i = 0; i < perByte; i++) {
                columns[count + i] = start + SET_BITS[bits + i];
            }
            count += Integer.bitCount(mask);
        }
        return count;
    }

    @Override
    public String toString() {
        return name + " " + rows + "x" + cols + ", " + levels + " levels";
    }
}
