package io.functionsbridge.bench;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * What a dispatcher without any overhead would reach on a workload: it reads the backlog in order
 * with a bounded read-ahead, runs at most cap events at once, one at a time per conversation, and
 * each event takes exactly its function's latency (retries not counted). Two ways of choosing the
 * next event when slots are scarce: in offset order (oldest first), and busiest conversation first
 * (most events waiting, then oldest), which is what {@code KeyOrderedDispatcher} does.
 *
 * <p>It shows how much of a workload's bound the order in which events arrive leaves reachable:
 * the bound assumes every slot busy until the end, but the last events of a backlog belong to few
 * long conversations, which run one event at a time.
 */
final class IdealSchedule {

    enum Choice {
        OLDEST_FIRST, BUSIEST_FIRST
    }

    /** A conversation whose next event waits for a slot. */
    private record Waiting(int waiting, int seq) {
    }

    private IdealSchedule() {
    }

    /** Events per second to drain the workload's backlog. */
    static double eventsPerSecond(Workload workload, int readAhead, Choice choice) {
        List<Workload.Event> events = workload.events();
        Comparator<Waiting> order = choice == Choice.OLDEST_FIRST
                ? Comparator.comparingInt(Waiting::seq)
                : Comparator.comparingInt(Waiting::waiting).reversed().thenComparingInt(Waiting::seq);
        Map<String, ArrayDeque<Integer>> queues = new HashMap<>();
        Map<String, Waiting> waitingByConversation = new HashMap<>();
        TreeSet<Waiting> ready = new TreeSet<>(order);
        // (finish time in seconds, event seq)
        PriorityQueue<double[]> running = new PriorityQueue<>(Comparator.comparingDouble(r -> r[0]));
        int read = 0;
        int buffered = 0;
        int finished = 0;
        double now = 0;
        while (finished < events.size()) {
            while (read < events.size() && buffered < readAhead) {
                String conversation = events.get(read).convId();
                ArrayDeque<Integer> queue = queues.computeIfAbsent(conversation, c -> new ArrayDeque<>());
                queue.add(read++);
                buffered++;
                Waiting before = waitingByConversation.remove(conversation);
                if (before != null) {
                    ready.remove(before);
                }
                if (before != null || queue.size() == 1) {
                    markReady(conversation, queue, ready, waitingByConversation);
                }
            }
            while (!ready.isEmpty() && running.size() < workload.cap()) {
                int seq = ready.pollFirst().seq();
                waitingByConversation.remove(events.get(seq).convId());
                running.add(new double[] {now + workload.latency().millis(seq) / 1000.0, seq});
            }
            double[] done = running.poll();
            now = done[0];
            buffered--;
            finished++;
            String conversation = events.get((int) done[1]).convId();
            ArrayDeque<Integer> queue = queues.get(conversation);
            queue.poll();
            if (queue.isEmpty()) {
                queues.remove(conversation);
            } else {
                markReady(conversation, queue, ready, waitingByConversation);
            }
        }
        return now == 0 ? Double.POSITIVE_INFINITY : events.size() / now;
    }

    private static void markReady(String conversation, ArrayDeque<Integer> queue, TreeSet<Waiting> ready, Map<String, Waiting> byConversation) {
        Waiting entry = new Waiting(queue.size(), queue.peek());
        ready.add(entry);
        byConversation.put(conversation, entry);
    }
}
