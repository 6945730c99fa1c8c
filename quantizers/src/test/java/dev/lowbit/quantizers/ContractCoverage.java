package dev.lowbit.quantizers;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code @Nested} contract classes of a test class check: each one's subject (its
 * {@code quantizer()} or {@code estimator()}), so a test can see that every registered built-in runs the
 * contract and a new one cannot be added without it.
 */
final class ContractCoverage {

    private ContractCoverage() {}

    /**
     * The subjects of the nested classes of {@code outer} that extend {@code contract}, got by calling
     * {@code accessor} on an instance of each.
     */
    static List<Object> subjects(Class<?> outer, Class<?> contract, String accessor) {
        List<Object> subjects = new ArrayList<>();
        try {
            Object enclosing = outer.getDeclaredConstructor().newInstance();
            for (Class<?> nested : outer.getDeclaredClasses()) {
                if (!contract.isAssignableFrom(nested)) {
                    continue;
                }
                Object test = nested.getDeclaredConstructor(outer).newInstance(enclosing);
                Method method = nested.getDeclaredMethod(accessor);
                method.setAccessible(true);
                subjects.add(method.invoke(test));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot read the contract classes of " + outer.getSimpleName(), e);
        }
        return subjects;
    }
}
