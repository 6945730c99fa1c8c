package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lowbit.harness.cli.CliTest.Result;
import dev.lowbit.harness.data.DatasetDownload;
import dev.lowbit.harness.data.DatasetDownload.PinnedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lowbit datasets download} against an HTTP server on 127.0.0.1 started here, serving the real
 * Fashion-MNIST files: they are rebuilt byte for byte from Debian's package (see {@link #official}).
 */
class DatasetDownloadCliTest {

    private static final List<PinnedFile> FASHION_MNIST =
            DatasetDownload.source("fashion-mnist").files();

    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    /** Files whose next request is answered with half the bytes, then the connection closed. */
    private final Set<String> dropOnce = ConcurrentHashMap.newKeySet();
    /** Each request as "NAME" or "NAME Range: bytes=N-". */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** Answer every request with the whole file, as a server without range support does. */
    private volatile boolean ignoreRange;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    @Tag("training")
    void fetchesTheOfficialFashionMnistChecksItSkipsItTheSecondTimeAndTrainsOnIt() throws Exception {
        serveOfficialFashionMnist();
        Path to = dir.resolve("fashion-mnist");

        Result download = lowbit("datasets", "download", "fashion-mnist", "--mirror", mirror(), "--to", to.toString());

        assertThat(download.exitCode()).as(download.err()).isZero();
        assertThat(download.out())
                .contains(
                        "train-images-idx3-ubyte.gz: 26,421,880 bytes, SHA-256 ok",
                        "t10k-labels-idx1-ubyte.gz: 5,148 bytes, SHA-256 ok",
                        "Train on it with --data " + to);
        assertThat(names(to))
                .containsExactlyInAnyOrder(
                        "train-images-idx3-ubyte.gz",
                        "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz");
        for (PinnedFile file : FASHION_MNIST) {
            assertThat(sha256(Files.readAllBytes(to.resolve(file.name())))).isEqualTo(file.sha256());
        }

        requests.clear();
        Result again = lowbit("datasets", "download", "fashion-mnist", "--mirror", mirror(), "--to", to.toString());

        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("train-images-idx3-ubyte.gz: already present, SHA-256 ok");
        assertThat(requests)
                .as("files present with the right checksum are not fetched again")
                .isEmpty();

        Path out = dir.resolve("results");
        Result run = lowbit(
                "run",
                "--suite",
                "quick",
                "--quantizer",
                "fp32",
                "--epochs",
                "1",
                "--train-limit",
                "2000",
                "--data",
                to.toString(),
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode record;
        try (Stream<Path> runs = Files.list(out.resolve("quick"))) {
            Path runJson = runs.map(p -> p.resolve("run.json"))
                    .filter(Files::exists)
                    .findFirst()
                    .orElseThrow();
            record = new ObjectMapper().readTree(runJson.toFile());
        }
        assertThat(record.get("status").asText()).isEqualTo("FINISHED");
        assertThat(record.get("config").get("architecture").asText()).isEqualTo("fcnn-small");
        JsonNode provenance = record.get("provenance");
        assertThat(provenance.get("dataset.directory").asText())
                .isEqualTo(to.toAbsolutePath().toString());
        assertThat(provenance.get("dataset.sha256.train-images-idx3-ubyte.gz").asText())
                .isEqualTo(FASHION_MNIST.get(0).sha256());
    }

    @Test
    void aCorruptedFileIsACheckumMismatchNamingItAndLeavesNothingBehind() throws Exception {
        serveOfficialFashionMnist();
        byte[] corrupted = served.get("train-images-idx3-ubyte.gz").clone();
        corrupted[corrupted.length / 2] ^= 0x01;
        served.put("train-images-idx3-ubyte.gz", corrupted);
        Path to = dir.resolve("fashion-mnist");

        Result result = lowbit("datasets", "download", "fashion-mnist", "--mirror", mirror(), "--to", to.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Checksum mismatch for train-images-idx3-ubyte.gz from " + mirror()
                        + "train-images-idx3-ubyte.gz: SHA-256 " + sha256(corrupted) + " (26,421,880 bytes), expected "
                        + FASHION_MNIST.get(0).sha256()
                        + " (26,421,880 bytes, the official file). The download was deleted;"
                        + " run the command again, or use another --mirror." + System.lineSeparator());
        assertThat(to).as("the folder it made, left empty, is removed too").doesNotExist();
    }

    @Test
    void aDroppedConnectionKeepsThePartialFileAndTheNextRunResumesItWithARangeRequest() throws Exception {
        serveOfficialFashionMnist();
        dropOnce.add("train-labels-idx1-ubyte.gz");
        Path to = dir.resolve("fashion-mnist");
        Path part = to.resolve("train-labels-idx1-ubyte.gz.part");

        Result first = lowbit("datasets", "download", "fashion-mnist", "--mirror", mirror(), "--to", to.toString());

        assertThat(first.exitCode()).isEqualTo(2);
        assertThat(part).exists();
        long kept = Files.size(part);
        assertThat(kept).isPositive().isLessThan(FASHION_MNIST.get(1).size());
        assertThat(first.err().lines())
                .singleElement()
                .asString()
                .startsWith("lowbit: The connection to " + mirror() + "train-labels-idx1-ubyte.gz broke after ")
                .endsWith(String.format(
                        " The partial file '%s' (%,d bytes) is kept: run the same command again to" + " resume.",
                        part, kept));
        assertThat(names(to))
                .containsExactlyInAnyOrder("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz.part");

        requests.clear();
        Result second = lowbit("datasets", "download", "fashion-mnist", "--mirror", mirror(), "--to", to.toString());

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(requests)
                .contains("train-labels-idx1-ubyte.gz Range: bytes=" + kept + "-")
                .doesNotContain("train-images-idx3-ubyte.gz");
        assertThat(second.out())
                .contains(String.format(
                        "train-labels-idx1-ubyte.gz: 29,515 bytes (resumed at %,d" + " bytes), SHA-256 ok", kept));
        assertThat(sha256(Files.readAllBytes(to.resolve("train-labels-idx1-ubyte.gz"))))
                .isEqualTo(FASHION_MNIST.get(1).sha256());
        assertThat(names(to)).hasSize(4).noneMatch(name -> name.endsWith(".part"));
    }

    @Test
    void aServerThatIgnoresTheRangeSendsTheWholeFileAndThePartialOneIsStartedOver() throws Exception {
        serveOfficialFashionMnist();
        ignoreRange = true;
        Path to = Files.createDirectories(dir.resolve("fashion-mnist"));
        Files.write(to.resolve("t10k-images-idx3-ubyte.gz.part"), new byte[1000]);
        StringWriter lines = new StringWriter();
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();

        // The API the command calls, with a terminal, so the progress bar is drawn too.
        new DatasetDownload(new PrintWriter(lines, true), new PrintStream(terminal, true, StandardCharsets.UTF_8))
                .download(DatasetDownload.source("fashion-mnist"), to, mirror());

        assertThat(requests).contains("t10k-images-idx3-ubyte.gz Range: bytes=1000-");
        assertThat(lines.toString())
                .contains(
                        "t10k-images-idx3-ubyte.gz: the server does not resume downloads;" + " starting over",
                        "t10k-images-idx3-ubyte.gz: 4,422,102 bytes, SHA-256 ok");
        assertThat(sha256(Files.readAllBytes(to.resolve("t10k-images-idx3-ubyte.gz"))))
                .isEqualTo(FASHION_MNIST.get(2).sha256());
        assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("train-images-idx3-ubyte.gz 100%");
    }

    @Test
    void aMissingFileIsOneLineNamingTheUrlAndTheStatus() throws Exception {
        Path to = dir.resolve("fashion-mnist");

        Result result = lowbit("datasets", "download", "fashion-mnist", "--mirror", mirror(), "--to", to.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot download " + mirror() + "train-images-idx3-ubyte.gz: the"
                        + " server answered HTTP 404. Check --mirror (the files sit directly under it, as"
                        + " URL/train-images-idx3-ubyte.gz), or try again later." + System.lineSeparator());
        assertThat(to).doesNotExist();
    }

    /** The real archive (170 MB) cannot be served here: only the mismatch path of CIFAR-10 is tested. */
    @Test
    void aCifarArchiveThatIsNotTheOfficialOneIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write("not the CIFAR-10 archive".getBytes(StandardCharsets.UTF_8));
        }
        served.put("cifar-10-binary.tar.gz", bytes.toByteArray());
        Path to = dir.resolve("cifar-10");

        Result result = lowbit("datasets", "download", "cifar-10", "--mirror", mirror(), "--to", to.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("lowbit: Checksum mismatch for cifar-10-binary.tar.gz from " + mirror()
                        + "cifar-10-binary.tar.gz: SHA-256 " + sha256(bytes.toByteArray()))
                .contains(
                        "expected c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd (170,052,171 bytes");
        assertThat(to).doesNotExist();
    }

    @Test
    void anUnknownDatasetOrABadMirrorIsOneLine() {
        assertThat(lowbit("datasets", "download", "mnist").err())
                .isEqualTo("lowbit: No dataset named 'mnist' to" + " download. Available: [fashion-mnist, cifar-10]."
                        + System.lineSeparator());
        Result ftp = lowbit(
                "datasets",
                "download",
                "fashion-mnist",
                "--mirror",
                "ftp://example.org/",
                "--to",
                dir.resolve("x").toString());
        assertThat(ftp.exitCode()).isEqualTo(2);
        assertThat(ftp.err()).startsWith("lowbit: --mirror 'ftp://example.org/' is not an http:// or https:// URL.");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    /**
     * Zalando's files as its host serves them. Debian's copies hold the same compressed data, their
     * gzip header rewritten (no file name, the packaging date); the original header is put back.
     */
    static byte[] official(String name) throws IOException {
        byte[] debian = Files.readAllBytes(CliTest.FASHION_MNIST.resolve(name));
        assertThat(Arrays.copyOf(debian, 4))
                .as("Debian's header: gzip, deflate, no flags")
                .containsExactly(0x1f, 0x8b, 8, 0);
        int mtime = name.startsWith("train-") ? 1504176606 : 1504176627;
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[] {
            0x1f,
            (byte) 0x8b,
            8,
            8 /* FNAME */,
            (byte) mtime,
            (byte) (mtime >> 8),
            (byte) (mtime >> 16),
            (byte) (mtime >> 24),
            0,
            3 /* Unix */
        });
        file.write(name.substring(0, name.length() - ".gz".length()).getBytes(StandardCharsets.ISO_8859_1));
        file.write(0);
        file.write(debian, 10, debian.length - 10);
        return file.toByteArray();
    }

    private void serveOfficialFashionMnist() throws IOException {
        assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        for (PinnedFile file : FASHION_MNIST) {
            served.put(file.name(), official(file.name()));
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring(1);
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(range == null ? name : name + " Range: " + range);
        byte[] body = served.get(name);
        if (body == null) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        int from = 0;
        if (range != null && !ignoreRange && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            exchange.getResponseHeaders()
                    .set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        exchange.sendResponseHeaders(from > 0 ? 206 : 200, body.length - from);
        OutputStream out = exchange.getResponseBody();
        if (dropOnce.remove(name)) {
            out.write(body, from, (body.length - from) / 2);
            out.flush();
            // Fewer bytes than announced: closing now drops the connection.
            exchange.close();
            return;
        }
        out.write(body, from, body.length - from);
        exchange.close();
    }

    private String mirror() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
