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

    private RunIds() {}

    /**
     * The quantizer's id without its scale rule, safe in a folder name: {@code levels:-2,-1,1,2@mse/tensor}
     * becomes {@code levels_-2_-1_1_2}. The hash keeps ids unique; this part is for people.
     */
    private static String readable(String quantizerSpec) {
        int at = quantizerSpec.indexOf('@');
        String id = at < 0 ? quantizerSpec : quantizerSpec.substring(0, at);
        return id.replaceAll("[^a-z0-9.-]", "_");
    }

    /** The id of the run with this config. */
    public static String of(RunConfig config) {
        try {
            byte[] canonical = CANONICAL.writeValueAsString(config).getBytes(StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return config.architecture() + "." + readable(config.quantizer()) + ".s" + config.seed() + "."
                    + HexFormat.of().formatHex(digest, 0, 4);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot hash run config " + config, e);
        }
    }
}
