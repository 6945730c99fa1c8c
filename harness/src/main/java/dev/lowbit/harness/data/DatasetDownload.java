package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@code lowbit datasets download}: fetches a dataset's official files, only when asked. Each file is
 * written to {@code NAME.part} in the target folder, checked against its pinned size and SHA-256, and
 * only then renamed (atomically) to its real name, so a reader never sees half a file. A partial
 * {@code .part} left by a dropped connection is resumed with an HTTP Range request; a file already
 * present with the right checksum is not fetched again.
 */
public final class DatasetDownload {

    /** One official file, as its publisher serves it. */
    public record PinnedFile(String name, long size, String sha256) {}

    /** A dataset's official location and files; {@code --mirror} replaces {@code officialBase}. */
    public record Source(String dataset, URI officialBase, List<PinnedFile> files) {}

    /*
     * Zalando's host http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ is an S3 website
     * endpoint, which serves only plain http; the same bucket's REST endpoint below serves the same
     * objects over https. Sizes and SHA-256 as in tensorflow/datasets,
     * tensorflow_datasets/url_checksums/fashion_mnist.txt (their MD5 are those of Zalando's README).
     * Cross-checked here: Debian's dataset-fashion-mnist ships the same compressed data, its gzip
     * headers rewritten by strip-nondeterminism (no file name, the packaging date); with the original
     * header (the name, mtime 1504176606 for train-*, 1504176627 for t10k-*) its files hash to these,
     * and to the MD5 in Zalando's README.
     */
    static final Source FASHION_MNIST = new Source(
            FashionMnist.NAME,
            URI.create("https://fashion-mnist.s3.eu-central-1.amazonaws.com/"),
            List.of(
                    new PinnedFile(
                            "train-images-idx3-ubyte.gz",
                            26_421_880,
                            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
                    new PinnedFile(
                            "train-labels-idx1-ubyte.gz",
                            29_515,
                            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
                    new PinnedFile(
                            "t10k-images-idx3-ubyte.gz",
                            4_422_102,
                            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
                    new PinnedFile(
                            "t10k-labels-idx1-ubyte.gz",
                            5_148,
                            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")));

    /*
     * The binary version from https://www.cs.toronto.edu/~kriz/cifar.html (official MD5
     * c32a1d4ab5d03f1284b67883e8d87530). Size and SHA-256 as in tensorflow/datasets,
     * tensorflow_datasets/url_checksums/cifar10.txt; not downloaded while writing this (no network).
     * The archive is read in place, so it is the only file.
     */
    static final Source CIFAR_10 = new Source(
            Cifar10.NAME,
            URI.create("https://www.cs.toronto.edu/~kriz/"),
            List.of(new PinnedFile(
                    Cifar10.ARCHIVE, 170_052_171, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")));

    /** What can be downloaded, in the order of {@link Datasets#NAMES}. */
    public static final List<Source> SOURCES = List.of(FASHION_MNIST, CIFAR_10);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            // NORMAL never follows https to http.
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    private final PrintWriter out;
    private final PrintStream terminal;

    /**
     * @param out where one line per file goes
     * @param terminal where the progress bar is drawn, or null for none
     */
    public DatasetDownload(PrintWriter out, PrintStream terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * The source of a dataset.
     *
     * @throws BadInputException for a name that cannot be downloaded
     */
    public static Source source(String dataset) {
        return SOURCES.stream()
                .filter(s -> s.dataset().equals(dataset))
                .findFirst()
                .orElseThrow(() -> new BadInputException("No dataset named '" + dataset + "' to download. Available: "
                        + SOURCES.stream().map(Source::dataset).toList() + "."));
    }

    /**
     * Fetches what {@code folder} lacks of a dataset's files, checking each.
     *
     * @param folder where the files go, created if needed
     * @param mirror replaces the official base URL (file names are appended), or null
     * @throws BadInputException for a bad mirror or folder, an unreachable server, an HTTP error, a
     *     dropped connection (the partial file kept for a resume) or a checksum mismatch (the file
     *     deleted)
     */
    public void download(Source source, Path folder, String mirror) {
        URI base = mirror == null ? source.officialBase() : mirrorBase(mirror);
        boolean created = !Files.exists(folder);
        createFolder(folder);
        out.println(source.dataset() + " from " + base + " into " + folder.toAbsolutePath());
        if ("http".equals(base.getScheme())) {
            out.println("  plain http: each file is still checked against its pinned SHA-256");
        }
        try {
            for (PinnedFile file : source.files()) {
                fetch(file, base.resolve(file.name()), folder.resolve(file.name()));
            }
        } catch (BadInputException e) {
            if (created) {
                deleteIfEmpty(folder);
            }
            throw e;
        }
    }

    private void fetch(PinnedFile file, URI url, Path target) {
        if (Files.isRegularFile(target)) {
            String present = FashionMnist.sha256(target);
            if (present.equals(file.sha256())) {
                out.println("  " + file.name() + ": already present, SHA-256 ok");
                return;
            }
            out.println("  " + file.name() + ": present but not the official file (SHA-256 " + present
                    + "); fetching it again");
        }
        Path part = target.resolveSibling(file.name() + ".part");
        long have = size(part);
        if (have > file.size()) {
            delete(part);
            have = 0;
        }
        long resumedAt = have < file.size() ? transfer(file, url, part, have) : have;
        String resumed = resumedAt > 0 ? String.format(Locale.ROOT, " (resumed at %,d bytes)", resumedAt) : "";
        String actual = FashionMnist.sha256(part);
        long size = size(part);
        if (size != file.size() || !actual.equals(file.sha256())) {
            delete(part);
            throw new BadInputException(String.format(
                    Locale.ROOT,
                    "Checksum mismatch for %s from %s: SHA-256 %s"
                            + " (%,d bytes), expected %s (%,d bytes, the official file). The download was deleted; run the"
                            + " command again, or use another --mirror.",
                    file.name(),
                    url,
                    actual,
                    size,
                    file.sha256(),
                    file.size()));
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BadInputException("Cannot rename '" + part + "' to '" + target + "': " + describe(e) + ".", e);
        }
        out.printf(Locale.ROOT, "  %s: %,d bytes%s, SHA-256 ok%n", file.name(), size, resumed);
    }

    /**
     * Appends the rest of the file to {@code part}, from byte {@code have} when the server allows it;
     * returns where it started: {@code have}, or 0 when the server sent the whole file.
     */
    private long transfer(PinnedFile file, URI url, Path part, long have) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new BadInputException(
                    "Cannot reach " + url + ": " + describe(e) + "." + kept(part)
                            + " Check the network, or pass --mirror URL of a copy.",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BadInputException("Interrupted while connecting to " + url + "." + kept(part), e);
        }
        long start = have;
        int status = response.statusCode();
        if (status == 200 && have > 0) {
            out.println("  " + file.name() + ": the server does not resume downloads; starting over");
            start = 0;
        } else if (status == 206 && !startsAt(response, have)) {
            close(response);
            throw new BadInputException("Cannot resume from " + url + ": asked for bytes " + have
                    + "- , the server sent "
                    + response.headers().firstValue("Content-Range").orElse("no Content-Range") + "." + kept(part)
                    + " Delete it to start over, or use another --mirror.");
        } else if (status != 200 && status != 206) {
            close(response);
            if (status == 416) {
                // The server's file is shorter than the partial one: that cannot be resumed.
                delete(part);
            }
            throw new BadInputException("Cannot download " + url + ": the server answered HTTP " + status + "."
                    + kept(part) + " Check --mirror (the files sit directly under it, as URL/" + file.name()
                    + "), or try again later.");
        }
        copy(file, url, response, part, start);
        return start;
    }

    private void copy(PinnedFile file, URI url, HttpResponse<InputStream> response, Path part, long start) {
        StandardOpenOption mode = start > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        long written = start;
        ProgressBar bar = terminal == null
                ? null
                : new ProgressBarBuilder()
                        .setTaskName(file.name())
                        .setInitialMax(file.size())
                        .startsFrom(start, Duration.ZERO)
                        .setUnit(" MB", 1 << 20)
                        .showSpeed()
                        .setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(terminal))
                        .setUpdateIntervalMillis(250)
                        .continuousUpdate()
                        .build();
        try (InputStream in = response.body();
                OutputStream to =
                        Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buffer = new byte[1 << 16];
            // At most one byte past the official size: more is wrong anyway, and must not fill the disk.
            while (written <= file.size()) {
                int n = read(in, buffer, (int) Math.min(buffer.length, file.size() + 1 - written), url, part, file);
                if (n < 0) {
                    break;
                }
                to.write(buffer, 0, n);
                written += n;
                if (bar != null) {
                    bar.stepTo(written);
                }
            }
        } catch (IOException e) {
            throw new BadInputException(
                    "Cannot write '" + part + "': " + describe(e) + ". Free space, or choose" + " another --to.", e);
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        // A body that ended cleanly is the server's whole file, even when short: the checksum judges it.
    }

    private static int read(InputStream in, byte[] buffer, int length, URI url, Path part, PinnedFile file) {
        try {
            return in.read(buffer, 0, length);
        } catch (IOException e) {
            throw dropped(url, part, file, e);
        }
    }

    /** The connection broke mid-file: what arrived stays in {@code part} for a resume. */
    private static BadInputException dropped(URI url, Path part, PinnedFile file, IOException cause) {
        long have = size(part);
        if (have == 0) {
            delete(part);
        }
        return new BadInputException(
                String.format(
                                Locale.ROOT,
                                "The connection to %s broke after %,d of %,d bytes" + " (%s).",
                                url,
                                have,
                                file.size(),
                                describe(cause))
                        + kept(part)
                        + (have == 0 ? " Try again." : ""),
                cause);
    }

    /** Where a resume stands, said after a failure: the partial file, when one is kept. */
    private static String kept(Path part) {
        long have = size(part);
        return have == 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        " The partial file '%s' (%,d bytes) is kept: run the same" + " command again to resume.",
                        part,
                        have);
    }

    private static boolean startsAt(HttpResponse<?> response, long have) {
        return response.headers()
                .firstValue("Content-Range")
                .map(range -> range.trim().startsWith("bytes " + have + "-"))
                .orElse(false);
    }

    private static URI mirrorBase(String mirror) {
        URI uri;
        try {
            uri = new URI(mirror.endsWith("/") ? mirror : mirror + "/");
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !List.of("http", "https").contains(uri.getScheme())) {
            throw new BadInputException("--mirror '" + mirror + "' is not an http:// or https:// URL. Give the URL of"
                    + " the folder holding the files, such as https://example.org/datasets/fashion-mnist/.");
        }
        return uri;
    }

    private static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new BadInputException(
                    "Cannot create the folder '" + folder + "' for --to: " + describe(e) + ". Choose another --to.", e);
        }
    }

    private static void deleteIfEmpty(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            if (children.findAny().isEmpty()) {
                Files.delete(folder);
            }
        } catch (IOException e) {
            // Only tidying up after a failure already being reported.
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // The answer is already known to be unusable.
        }
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BadInputException("Cannot delete '" + file + "': " + describe(e) + ".", e);
        }
    }

    /** Some network exceptions (a refused connection) carry no message; their type says it then. */
    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
