package dev.lowbit.api.internal;

import java.util.regex.Pattern;

/** The rule for persisted ids of quantizers and architectures. */
public final class PersistedIds {

    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9.-]*");

    private PersistedIds() {}

    /** Returns {@code id} if it matches {@code [a-z][a-z0-9.-]*}, else throws naming it. */
    public static String requireValid(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "Invalid id '" + id + "': ids are persisted in results and must match [a-z][a-z0-9.-]*");
        }
        return id;
    }
}
