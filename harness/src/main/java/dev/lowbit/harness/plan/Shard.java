package dev.lowbit.harness.plan;

import dev.lowbit.harness.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of N disjoint parts of a plan, {@code --shard I/N}: shard I owns every run whose 0-based index in
 * the full plan ({@link Plan#of} order) satisfies {@code index % N == I - 1}. Taking every N-th run rather
 * than a block spreads the expensive architectures over all shards, and the shards together are the plan.
 *
 * @param index 1-based shard number, from 1 to {@code count}
 * @param count how many shards the plan is cut into
 */
public record Shard(int index, int count) {

    /** The whole plan as one shard. */
    public static final Shard ALL = new Shard(1, 1);

    private static final Pattern FORM = Pattern.compile("([0-9]{1,9})/([0-9]{1,9})");

    public Shard {
        if (count < 1) {
            throw new BadInputException("Invalid --shard '" + index + "/" + count + "': N must be at least 1.");
        }
        if (index < 1 || index > count) {
            throw new BadInputException("Invalid --shard '" + index + "/" + count
                    + "': I must be from 1 to N, here 1 to " + count + " (shards count from 1).");
        }
    }

    /** The shard written as {@code I/N}; null means the whole plan. */
    public static Shard parse(String text) {
        if (text == null) {
            return ALL;
        }
        Matcher matcher = FORM.matcher(text.strip());
        if (!matcher.matches()) {
            throw new BadInputException("Invalid --shard '" + text + "': write I/N, two whole numbers such as 2/4"
                    + " (the second of four shards).");
        }
        return new Shard(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
    }

    /** Whether the run at {@code planIndex} (0-based, in the full plan) belongs to this shard. */
    public boolean owns(int planIndex) {
        return planIndex % count == index - 1;
    }

    /** This shard's runs of the full {@code plan}, in plan order. */
    public <T> List<T> select(List<T> plan) {
        List<T> mine = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            if (owns(i)) {
                mine.add(plan.get(i));
            }
        }
        return mine;
    }

    /** Whether this is the whole plan. */
    public boolean isAll() {
        return count == 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
