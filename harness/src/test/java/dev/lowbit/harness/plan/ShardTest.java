package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.cli.CliTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardTest {

    @TempDir
    Path dir;

    private final List<RunConfig> paper = Plan.of(
            new SuiteLoader(SuiteLoaderTest.ARCHITECTURE_REGISTRY, SuiteLoaderTest.QUANTIZER_REGISTRY).load("paper"),
            s -> SuiteLoaderTest.QUANTIZER_REGISTRY.resolve(s).spec());

    @Test
    void theShardsOfAPlanAreDisjointAndTogetherAreThePlan() {
        for (int count : List.of(1, 2, 3, 7, 32, 324, 400)) {
            List<RunConfig> union = new ArrayList<>();
            Set<RunConfig> seen = new HashSet<>();
            for (int index = 1; index <= count; index++) {
                List<RunConfig> shard = Shard.parse(index + "/" + count).select(paper);
                assertThat(shard.size())
                        .as("shard %d/%d", index, count)
                        .isBetween(paper.size() / count, paper.size() / count + 1);
                for (RunConfig run : shard) {
                    assertThat(seen.add(run))
                            .as("%s in two shards of %d", run, count)
                            .isTrue();
                }
                union.addAll(shard);
            }
            assertThat(union).containsExactlyInAnyOrderElementsOf(paper);
        }
    }

    @Test
    void shardITakesEveryNthRunStartingWithRunI() {
        assertThat(new Shard(2, 3).select(List.of("a", "b", "c", "d", "e", "f", "g")))
                .containsExactly("b", "e");
        assertThat(Shard.parse(null)).isEqualTo(Shard.ALL);
        assertThat(Shard.parse("3/4")).hasToString("3/4");
    }

    @Test
    void rejectsShardsOutsideOneToNAndValuesThatAreNotIOverN() {
        assertThatThrownBy(() -> Shard.parse("0/3"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Invalid --shard '0/3': I must be from 1 to N, here 1 to 3 (shards count from 1).");
        assertThatThrownBy(() -> Shard.parse("4/3"))
                .hasMessage("Invalid --shard '4/3': I must be from 1 to N, here 1 to 3 (shards count from 1).");
        assertThatThrownBy(() -> Shard.parse("1/0")).hasMessage("Invalid --shard '1/0': N must be at least 1.");
        assertThatThrownBy(() -> Shard.parse("x/2"))
                .hasMessage(
                        "Invalid --shard 'x/2': write I/N, two whole numbers such as 2/4 (the second of four shards).");
    }

    @Test
    void runRejectsABadShardInOneLineAndExitsTwo() {
        CliTest.Result result = CliTest.lowbit("run", "--shard", "4/3", "--out", dir.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Invalid --shard '4/3': I must be from 1 to N, here 1 to 3 (shards"
                        + " count from 1)." + System.lineSeparator());
        assertThat(dir).isEmptyDirectory();
    }
}
