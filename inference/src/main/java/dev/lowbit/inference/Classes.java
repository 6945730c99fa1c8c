package dev.lowbit.inference;

/** The check every graph makes of its last layer. */
final class Classes {

    private Classes() {}

    /** The last layer scores the classes the model declares; its weight is named when it does not. */
    static void require(Dense last, NetworkSpec spec, String layer) {
        if (last.rows() != spec.classes()) {
            throw new IllegalArgumentException("Tensor '" + last.matrix().name() + "', " + layer + ", scores "
                    + last.rows() + " classes but the model declares " + spec.classes());
        }
    }
}
