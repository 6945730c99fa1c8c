package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads CIFAR-10 straight from {@code cifar-10-binary.tar.gz}, so the download need not be unpacked.
 * The JDK has gzip but no tar; tar's 512-byte headers are simple enough to read here rather than
 * add a dependency. Two passes: the first learns the entry sizes, checks them and the gzip checksum
 * and hashes the archive before 180 MB are allocated; the second decodes.
 */
final class CifarArchive {

    private static final int BLOCK = 512;

    private CifarArchive() {}

    /** What to do with one regular file of the archive; returns how many of its bytes it read. */
    private interface EntryVisitor {
        long visit(String name, long size, InputStream in) throws IOException;
    }

    static LabeledImages load(Path archive, int recordsPerFile) {
        Map<String, Long> sizes = new HashMap<>();
        String sha256;
        try (DigestInputStream digest = new DigestInputStream(Files.newInputStream(archive), sha256())) {
            InputStream in = gunzip(digest);
            forEachFile(archive, in, (name, size, data) -> {
                sizes.putIfAbsent(baseName(name), size);
                return 0;
            });
            // Read to the very end: gzip verifies its CRC there, and the hash must cover the whole file.
            in.transferTo(OutputStream.nullOutputStream());
            digest.transferTo(OutputStream.nullOutputStream());
            sha256 = HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (IOException e) {
            throw failure(archive, e);
        }
        List<String> missing =
                Cifar10.ALL_FILES.stream().filter(n -> !sizes.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new BadInputException("CIFAR-10 archive '" + archive + "' lacks " + String.join(", ", missing)
                    + "; it is not the binary version. Download the CIFAR-10 binary version and pass --data DIR.");
        }
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Integer> firsts = new HashMap<>();
        int trainTotal = place(archive, Cifar10.TRAIN_FILES, sizes, recordsPerFile, counts, firsts);
        int testTotal = place(archive, Cifar10.TEST_FILES, sizes, recordsPerFile, counts, firsts);
        CifarRecords train = new CifarRecords(trainTotal);
        CifarRecords test = new CifarRecords(testTotal);
        Set<String> done = new HashSet<>();
        try (InputStream in = gunzip(Files.newInputStream(archive))) {
            forEachFile(archive, in, (name, size, data) -> {
                String base = baseName(name);
                if (!counts.containsKey(base) || !done.add(base)) {
                    return 0;
                }
                CifarRecords target = Cifar10.TRAIN_FILES.contains(base) ? train : test;
                target.read(archive + "!/" + base, data, counts.get(base), firsts.get(base));
                return size;
            });
        } catch (IOException e) {
            throw failure(archive, e);
        }
        return new LabeledImages(
                Cifar10.NAME,
                CifarRecords.CLASSES,
                train.images(),
                test.images(),
                archive,
                Map.of(archive.getFileName().toString(), sha256));
    }

    /** Checks each file's size and gives it its place among the images of its split. */
    private static int place(
            Path archive,
            List<String> names,
            Map<String, Long> sizes,
            int recordsPerFile,
            Map<String, Integer> counts,
            Map<String, Integer> firsts) {
        int total = 0;
        for (String name : names) {
            int count = CifarRecords.count(archive + "!/" + name, sizes.get(name), recordsPerFile);
            counts.put(name, count);
            firsts.put(name, total);
            total = CifarRecords.addImages(archive + "!/" + name, total, count);
        }
        return total;
    }

    /** Calls {@code visitor} for each regular file of the tar stream {@code in}, up to its end marker. */
    private static void forEachFile(Path archive, InputStream in, EntryVisitor visitor) throws IOException {
        byte[] header = new byte[BLOCK];
        while (true) {
            if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                throw notTar(archive, "it ends without tar's end marker");
            }
            if (isZero(header)) {
                return;
            }
            if (octal(header, 148, 8) != checksum(header)) {
                throw notTar(archive, "a tar header has a wrong checksum");
            }
            if ((header[124] & 0x80) != 0) {
                throw notTar(archive, "an entry is larger than 8 GB");
            }
            long size = octal(header, 124, 12);
            String name = text(header, 0, 100);
            // POSIX ustar ("ustar\0") may split a long name into a prefix; GNU tar ("ustar  ") uses that field
            // otherwise.
            if ("ustar".equals(text(header, 257, 6)) && header[345] != 0) {
                name = text(header, 345, 155) + "/" + name;
            }
            byte type = header[156];
            long read = type == '0' || type == 0 ? visitor.visit(name, size, in) : 0;
            in.skipNBytes((size + BLOCK - 1) / BLOCK * BLOCK - read);
        }
    }

    private static InputStream gunzip(InputStream raw) throws IOException {
        return new BufferedInputStream(new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16), 1 << 16);
    }

    private static String baseName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Tar's checksum: the sum of the header's bytes, the checksum field counted as spaces. */
    private static long checksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
        }
        return sum;
    }

    /** An octal number padded with spaces or NULs; -1 if it holds anything else. */
    private static long octal(byte[] header, int offset, int length) {
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b >= '0' && b <= '7') {
                value = value * 8 + (b - '0');
                digits = true;
            } else if (b == 0 || b == ' ') {
                if (digits) {
                    break;
                }
            } else {
                return -1;
            }
        }
        return value;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static BadInputException notTar(Path archive, String problem) {
        return new BadInputException("Corrupt CIFAR-10 archive '" + archive + "': " + problem
                + ". Download the CIFAR-10 binary version again, or unpack it and pass --data DIR.");
    }

    private static BadInputException failure(Path archive, IOException e) {
        if (e instanceof EOFException || e instanceof ZipException) {
            return notTar(archive, "truncated or not gzip (" + e.getMessage() + ")");
        }
        return CifarRecords.unreadable(archive.toString(), e);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
