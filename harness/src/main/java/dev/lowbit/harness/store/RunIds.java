package dev.lowbit.harness.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lowbit.api.result.RunConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable run ids: readable parts plus a hash of the whole config, so a rerun finds its run, a shard
 * owns it, and a report joins it to its fp32 twin. Example: {@code fcnn-small.ternary.s1.3f9a0c12}.
 */
public final class RunIds {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    /**
     * Characters of a run id's readable architecture or quantizer part: with the seed (at most 20) and
     * the hash, an id stays under 160 characters, well within a file name's 255 bytes.
     */
    static final int MAX_PART = 64;
    private static final String ETC = "_etc";

    private RunIds() {}

    /**
     * The quantizer's id without its scale rule, safe in a folder name: {@code levels:-2,-1,1,2@mse/tensor}
     * becomes {@code levels_-2_-1_1_2}. The hash keeps ids unique; this part is for people.
     */
    private static String readable(String quantizerSpec) {
        int at = quantizerSpec.indexOf('@');
        String id = at < 0 ? quantizerSpec : quantizerSpec.substring(0, at);
        return bounded(id.replaceAll("[^a-z0-9.-]", "_"));
    }

    /**
     * A readable part of at most {@link #MAX_PART} characters, so a run id fits a file name (255 bytes)
     * whatever the ids and alphabets: a longer one keeps its start and ends in {@code _etc}. The hash of
     * the whole config keeps the id unique, and config.json and run.json hold the full spec. Every part
     * of the ids lowbit wrote before is far shorter, so those ids stay as they were.
     */
    static String bounded(String part) {
        if (part.length() <= MAX_PART) {
            return part;
        }
        String start = part.substring(0, MAX_PART - ETC.length());
        int lastSeparator = start.lastIndexOf('_');
        // Cut between two of an alphabet's values rather than inside one, when that keeps most of the start.
        return (lastSeparator > start.length() / 2 ? start.substring(0, lastSeparator) : start) + ETC;
    }

    /** The id of the run with this config. */
    public static String of(RunConfig config) {
        try {
            byte[] canonical = CANONICAL.writeValueAsString(config).getBytes(StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return bounded(config.architecture()) + "." + readable(config.quantizer()) + ".s" + config.seed() + "."
                    + HexFormat.of().formatHex(digest, 0, 4);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot hash run config " + config, e);
        }
    }
}
