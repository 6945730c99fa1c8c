package dev.lowbit.api.internal;

import java.util.regex.Pattern;

/**
 * The rule for persisted ids of quantizers and architectures: {@code [a-z][a-z0-9.-]*}. Ids are stored in every
 * result, so lowbit checks them where they enter; a plugin may call {@link #requireValid} in its constructor to
 * fail early. Stateless.
 */
public final class PersistedIds {

    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9.-]*");

    private PersistedIds() {}

    /**
     * Checks an id.
     *
     * @param id the id to check
     * @return {@code id}, when it matches {@code [a-z][a-z0-9.-]*}
     * @throws IllegalArgumentException naming the id otherwise (null included)
     */
    public static String requireValid(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "Invalid id '" + id + "': ids are persisted in results and must match [a-z][a-z0-9.-]*");
        }
        return id;
    }
}
