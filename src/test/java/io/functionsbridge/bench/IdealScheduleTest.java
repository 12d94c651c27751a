package io.functionsbridge.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's ceilings are computed, not measured: they had better be right. */
class IdealScheduleTest {

    private static Workload workload(int cap, String... conversations) {
        List<Workload.Event> events = new ArrayList<>();
        for (String conversation : conversations) {
            events.add(new Workload.Event(events.size(), conversation));
        }
        return new Workload("test", "test", events, Workload.LatencyModel.fixed(1000), 0, cap);
    }

    @Test
    void oneConversationRunsOneEventPerLatency() {
        Workload chain = workload(10, "a", "a", "a", "a");
        assertThat(IdealSchedule.eventsPerSecond(chain, 100, IdealSchedule.Choice.OLDEST_FIRST)).isCloseTo(1.0, within(1e-9));
        assertThat(IdealSchedule.eventsPerSecond(chain, 100, IdealSchedule.Choice.BUSIEST_FIRST)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void distinctConversationsRunCapAtATime() {
        Workload distinct = workload(2, "a", "b", "c", "d", "e", "f");
        assertThat(IdealSchedule.eventsPerSecond(distinct, 100, IdealSchedule.Choice.OLDEST_FIRST)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void busiestFirstStartsTheLongChainAtOnce() {
        // offset order: s1 s2 | x1 | x2 | x3, 4 s; busiest first: x1 s1 | x2 s2 | x3, 3 s
        Workload backlog = workload(2, "s1", "s2", "x", "x", "x");
        assertThat(IdealSchedule.eventsPerSecond(backlog, 100, IdealSchedule.Choice.OLDEST_FIRST)).isCloseTo(5 / 4.0, within(1e-9));
        assertThat(IdealSchedule.eventsPerSecond(backlog, 100, IdealSchedule.Choice.BUSIEST_FIRST)).isCloseTo(5 / 3.0, within(1e-9));
    }

    @Test
    void aChainBeyondTheReadAheadIsNotSeen() {
        // with two records read ahead, x's chain is seen one record at a time: busiest first cannot help
        Workload backlog = workload(2, "s1", "s2", "x", "x", "x");
        assertThat(IdealSchedule.eventsPerSecond(backlog, 2, IdealSchedule.Choice.BUSIEST_FIRST)).isCloseTo(5 / 4.0, within(1e-9));
    }
}
