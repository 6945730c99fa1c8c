package dev.lowbit.harness.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.StoreJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable run ids: readable parts plus a hash of the whole config, so a rerun finds its run, a shard
 * owns it, and a report joins it to its fp32 twin. Example: {@code fcnn-small.ternary.s1.3f9a0c12};
 * a run that names an estimator or quantizes activations says so, {@code cnn-small.binary.e-clipped.a-sign.s1.5d0e7b21}.
 */
public final class RunIds {

    private static final ObjectMapper CANONICAL = StoreJson.canonical();
    /**
     * The hash of a run without activations leaves the field out, so its config hashes to the bytes it
     * hashed to before activations existed: every earlier run keeps its id.
     */
    private static final ObjectMapper CANONICAL_WITHOUT_ACTIVATIONS =
            StoreJson.canonical().addMixIn(RunConfig.class, WithoutActivations.class);

    @JsonIgnoreProperties("activations")
    private abstract static class WithoutActivations {}

    /**
     * Characters of a run id's readable architecture or quantizer part: with the seed (at most 20), the
     * estimator's and activations' parts ({@link #MAX_SCHEME_PART} each) and the hash, an id stays at most
     * 230 characters, within a file name's 255 bytes (160 without estimator and activations).
     */
    static final int MAX_PART = 64;
    /** Characters of the estimator's and of the activations' readable parts: shorter, so the id still fits. */
    static final int MAX_SCHEME_PART = 32;

    private static final String ETC = "_etc";

    private RunIds() {}

    /**
     * The quantizer's id without its scale rule, safe in a folder name: {@code levels:-2,-1,1,2@mse/tensor}
     * becomes {@code levels_-2_-1_1_2}. The hash keeps ids unique; this part is for people.
     */
    private static String readable(String quantizerSpec) {
        return bounded(withoutRule(withoutEstimator(quantizerSpec)).replaceAll("[^a-z0-9.-]", "_"), MAX_PART);
    }

    /**
     * {@code .e-ESTIMATOR} for a spec that names an estimator other than its quantizer's own (the canonical
     * spec keeps {@code ~ESTIMATOR} only then), {@code .a-ACTIVATIONS} for activations other than
     * {@code none} (their id and {@code :} options, as for quantizers: {@code int8@absmax/token} is
     * {@code a-int8}, {@code pact:4} is {@code a-pact_4}); empty for every run made before either existed.
     */
    private static String schemeParts(RunConfig config) {
        StringBuilder parts = new StringBuilder();
        int tilde = config.quantizer().lastIndexOf('~');
        if (tilde >= 0) {
            parts.append(".e-").append(safe(config.quantizer().substring(tilde + 1)));
        }
        if (!RunConfig.NO_ACTIVATIONS.equals(config.activations())) {
            parts.append(".a-").append(safe(withoutRule(withoutEstimator(config.activations()))));
        }
        return parts.toString();
    }

    private static String safe(String part) {
        return bounded(part.replaceAll("[^a-z0-9.-]", "_"), MAX_SCHEME_PART);
    }

    private static String withoutEstimator(String spec) {
        int tilde = spec.lastIndexOf('~');
        return tilde < 0 ? spec : spec.substring(0, tilde);
    }

    private static String withoutRule(String spec) {
        int at = spec.indexOf('@');
        return at < 0 ? spec : spec.substring(0, at);
    }

    /**
     * A readable part of at most {@link #MAX_PART} characters, so a run id fits a file name (255 bytes)
     * whatever the ids and alphabets: a longer one keeps its start and ends in {@code _etc}. The hash of
     * the whole config keeps the id unique, and config.json and run.json hold the full spec. Every part
     * of the ids lowbit wrote before is far shorter, so those ids stay as they were.
     */
    static String bounded(String part) {
        return bounded(part, MAX_PART);
    }

    private static String bounded(String part, int max) {
        if (part.length() <= max) {
            return part;
        }
        String start = part.substring(0, max - ETC.length());
        int lastSeparator = start.lastIndexOf('_');
        // Cut between two of an alphabet's values rather than inside one, when that keeps most of the start.
        return (lastSeparator > start.length() / 2 ? start.substring(0, lastSeparator) : start) + ETC;
    }

    /** The id of the run with this config. */
    public static String of(RunConfig config) {
        try {
            ObjectMapper mapper =
                    RunConfig.NO_ACTIVATIONS.equals(config.activations()) ? CANONICAL_WITHOUT_ACTIVATIONS : CANONICAL;
            byte[] canonical = mapper.writeValueAsString(config).getBytes(StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return bounded(config.architecture()) + "." + readable(config.quantizer()) + schemeParts(config) + ".s"
                    + config.seed() + "." + HexFormat.of().formatHex(digest, 0, 4);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot hash run config " + config, e);
        }
    }
}
