package dev.lowbit.harness.plan;

import dev.lowbit.harness.BadInputException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One thing wrong in a suite file, with the 1-based line it is on.
 *
 * @param line 1-based line in the suite file
 * @param message what is wrong, the value in quotes, what exists
 */
public record SuiteProblem(int line, String message) {

    /** The problem as {@code FILE:LINE: message}, the form editors and terminals link to. */
    public String format(String file) {
        return file + ":" + line + ": " + message;
    }

    /**
     * The exception that reports every problem at once: a first line that stands alone
     * ({@code Invalid suite 'FILE': N problems}), then one line per problem in line order.
     */
    static BadInputException toException(String file, List<SuiteProblem> problems) {
        // Stable sort: problems on one line keep the order they were found in.
        String lines = problems.stream()
                .sorted(Comparator.comparingInt(SuiteProblem::line))
                .map(p -> p.format(file))
                .collect(Collectors.joining(System.lineSeparator()));
        return new BadInputException("Invalid suite '" + file + "': " + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + System.lineSeparator() + lines);
    }
}
