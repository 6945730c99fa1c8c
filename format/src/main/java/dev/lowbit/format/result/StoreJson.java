package dev.lowbit.format.result;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one Jackson configuration of the JSON files in a results folder ({@link StoreLayout}), shared by
 * the harness that writes them and the report that reads them.
 *
 * <p>run.json and config.json carry a {@value #VERSION_FIELD}: the version of their schema
 * ({@link RunRecord#SCHEMA_VERSION}, {@link RunConfig#SCHEMA_VERSION}). A version is raised only when an
 * older lowbit would misread the file (a field changes meaning or a required one is added); a new
 * optional field does not raise it, since readers ignore fields they do not know. A file without the
 * field was written before versions existed and is version 1. A file newer than this lowbit knows is
 * refused with {@link NewerVersionException}, never read as if it were an old one.
 */
public final class StoreJson {

    /** The field of run.json and config.json that holds their schema version. */
    public static final String VERSION_FIELD = "schemaVersion";
    /** The version of a file written before versions existed. */
    public static final int UNVERSIONED = 1;

    private StoreJson() {}

    /**
     * A mapper for run.json, config.json and plugin-code.json. It writes indented; it reads leniently where
     * writers of different versions may differ: fields it does not know are ignored (a newer lowbit's
     * optional fields), and a bare NaN (a diverged loss) is accepted.
     */
    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
    }

    /** Writes one line of epochs.jsonl: {@link #mapper()}'s settings on one line. */
    public static ObjectWriter lineWriter() {
        return mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * A mapper that writes properties in alphabetical order, so the same value always gives the same
     * bytes (what a run id hashes); add mix-ins to it before its first use.
     */
    public static ObjectMapper canonical() {
        return JsonMapper.builder()
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .build();
    }

    /** {@code value} as stored with {@code version}: {@value #VERSION_FIELD} first, then its fields. */
    public static byte[] writeVersioned(ObjectMapper mapper, Object value, int version) throws IOException {
        ObjectNode stored = mapper.createObjectNode();
        stored.put(VERSION_FIELD, version);
        stored.setAll((ObjectNode) mapper.valueToTree(value));
        return mapper.writeValueAsBytes(stored);
    }

    /**
     * Checks the schema version of a stored file before it is read as its record. Bytes that are not a
     * JSON object pass: reading them as the record then says what is wrong, as it did before versions.
     *
     * @param newest the newest version this lowbit reads
     * @return the file's version ({@link #UNVERSIONED} when it has none)
     * @throws NewerVersionException if the file is newer than {@code newest}
     * @throws IOException if its version is not a whole number from 1
     */
    public static int requireKnownVersion(ObjectMapper mapper, byte[] json, Path file, int newest) throws IOException {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (IOException e) {
            return UNVERSIONED;
        }
        JsonNode version = tree == null || !tree.isObject() ? null : tree.get(VERSION_FIELD);
        if (version == null) {
            return UNVERSIONED;
        }
        if (!version.canConvertToInt() || !version.isIntegralNumber() || version.intValue() < 1) {
            throw new IOException(
                    file.getFileName() + " has " + VERSION_FIELD + " " + version + ", not a whole number from 1");
        }
        if (version.intValue() > newest) {
            throw new NewerVersionException(file, version.intValue(), newest);
        }
        return version.intValue();
    }

    /** A stored file written by a newer lowbit, in a schema version this one does not know. */
    public static final class NewerVersionException extends IOException {

        private static final long serialVersionUID = 1L;

        private final Path file;

        public NewerVersionException(Path file, int version, int newest) {
            super(message("'" + file + "'", "schema", version, newest));
            this.file = file;
        }

        /** The file that is too new. */
        public Path file() {
            return file;
        }

        /**
         * The one wording for a file too new to read, here and for a packed model: {@code what} (quoted
         * path first) has {@code kind} version {@code version}, newer than {@code newest}; upgrade lowbit.
         */
        public static String message(String what, String kind, int version, int newest) {
            return what + " has " + kind + " version " + version + ", newer than this lowbit knows (it reads up to "
                    + kind + " version " + newest + "): upgrade lowbit to read it.";
        }
    }
}
