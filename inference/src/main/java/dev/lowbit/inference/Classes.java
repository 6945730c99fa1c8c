package dev.lowbit.inference;

/** The check every graph makes of its last layer. */
final class Classes {

    private Classes() {}

    static void require(int outputs, NetworkSpec spec, String layer) {
        if (outputs != spec.classes()) {
            throw new IllegalArgumentException(
                    layer + " scores " + outputs + " classes but the model declares " + spec.classes());
        }
    }
}
