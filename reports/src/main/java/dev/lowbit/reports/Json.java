package dev.lowbit.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration the report reads results with and embeds them with. */
final class Json {

    /**
     * Lenient where old and new writers may differ: fields added to run.json later are ignored, so
     * this reader keeps working on newer results, and a bare NaN (a diverged loss) is accepted.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Json() {
    }

    /**
     * Serialises {@code value} for a {@code <script type="application/json">} block. Script content is
     * raw text to the HTML parser, so entities are not decoded there and HTML escaping would corrupt
     * the data; instead every {@code <} is written as the JSON escape {@code \u003c}, which no string
     * can then turn into a closing {@code </script>} (or a {@code <!--}) and any JSON parser reads
     * back unchanged. Outside strings Jackson never emits {@code <}, so this touches strings only.
     */
    static String forScriptBlock(Object value) {
        try {
            return MAPPER.writeValueAsString(value).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise the results for the report: " + e.getMessage(), e);
        }
    }
}
