package dev.lowbit.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowbit.format.result.StoreJson;
import java.util.Locale;

/** The one Jackson configuration the report reads results with and embeds them with. */
final class Json {

    /**
     * The results folder's own settings ({@link StoreJson#mapper}), which the harness writes it with; what
     * the report itself writes (the page's data) is compact.
     */
    static final ObjectMapper MAPPER = StoreJson.mapper().disable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /**
     * Serialises {@code value} for a {@code <script type="application/json">} block. Script content is
     * raw text to the HTML parser, so entities are not decoded there and HTML escaping would corrupt
     * the data; instead every {@code <} is written as the JSON escape <code>&#92;u003c</code>, which no string
     * can then turn into a closing {@code </script>} (or a {@code <!--}) and any JSON parser reads
     * back unchanged. Outside strings Jackson never emits {@code <}, so this touches strings only.
     * Characters that are not valid in an HTML page (controls, noncharacters such as U+FFFF, surrogate
     * halves) are escaped the same way, so the data stays exact and the page stays well formed.
     */
    static String forScriptBlock(Object value) {
        try {
            return SCRIPT_BLOCK.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise the results for the report: " + e.getMessage(), e);
        }
    }

    /**
     * Map entries by key: maps read from run.json (level occupancy per layer, provenance) may iterate
     * in any order from one JVM to the next, and the page must come out the same from the same files.
     */
    private static final ObjectWriter SCRIPT_BLOCK =
            MAPPER.writer().with(new ScriptBlockEscapes()).with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** See {@link #forScriptBlock}. */
    private static final class ScriptBlockEscapes extends CharacterEscapes {

        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        ScriptBlockEscapes() {
            ascii['<'] = CharacterEscapes.ESCAPE_STANDARD;
            ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return Page.invalidInHtml(ch) || Character.isSurrogate((char) ch) || ch == 0x2028 || ch == 0x2029
                    ? new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch))
                    : null;
        }
    }
}
