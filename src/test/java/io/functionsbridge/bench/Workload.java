package io.functionsbridge.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A benchmark workload: a fixed backlog of events (conversation, seq) in write order, the functions'
 * latency model and failure rate, and the in-flight cap every arm gets.
 */
record Workload(String name, String description, List<Event> events, LatencyModel latency, double failOnceRate, int cap) {

    /**
     * The measured workloads, in the order they run: (v) first, as its per-event time is the chain
     * floor of (ii)'s bound. {@code scale} divides their sizes (10 for a quick run).
     */
    static List<Workload> all(int scale) {
        return List.of(
                new Workload(Benchmark.CHAIN, "2k events of one conversation, 0 ms (the chain floor: the time each event adds between its function's replies)",
                        zipf(2_000 / scale, 1, 1.0, 6), LatencyModel.fixed(0), 0, 1000),
                new Workload("i-realistic", "50k events / 10k conversations (1-20 each), 200 ms, cap 1000",
                        realistic(50_000 / scale, 10_000 / scale, 1), LatencyModel.fixed(200), 0, 1000),
                // (i) with functions at 1 s: the same shape at a fifth of the rate, so that the 2 cores are not what limits the arms
                new Workload("i-realistic-1s", "(i) with functions at 1 s, cap 1000",
                        realistic(50_000 / scale, 10_000 / scale, 1), LatencyModel.fixed(1000), 0, 1000),
                new Workload("ii-skewed", "20k events, Zipf(s=1) over 10k conversations, 10 ms, cap 1000; bound with the arm's chain floor",
                        zipf(20_000 / scale, 10_000 / scale, 1.0, 2), LatencyModel.fixed(10), 0, 1000),
                new Workload("iii-lognormal", "50k events / 10k conversations, lognormal 50 ms-1 s, 2% fail once, cap 1000",
                        realistic(50_000 / scale, 10_000 / scale, 3), LatencyModel.lognormal(150, 0.6, 50, 1000), 0.02, 1000),
                new Workload("iv-zero-latency", "50k events / 10k conversations, 0 ms, cap 1000",
                        realistic(50_000 / scale, 10_000 / scale, 4), LatencyModel.fixed(0), 0, 1000));
    }

    /** A 200k-event backlog for the bridge alone: the heap left after collections stays bounded. */
    static Workload heap(int scale) {
        return new Workload("heap-200k", "200k-event backlog, 0 ms, cap 1000 (bridge only): peak heap",
                realistic(200_000 / scale, 40_000 / scale, 5), LatencyModel.fixed(0), 0, 1000);
    }

    /** The backlog a restarted bridge finds: 20k events, 200 ms functions, cap 1000. */
    static Workload ramp(int scale) {
        return new Workload("ramp", "20k-event backlog, 200 ms, cap 1000, from the arm's start",
                realistic(20_000 / scale, 4_000 / scale, 7), LatencyModel.fixed(200), 0, 1000);
    }

    /** One event: seq is its position in the backlog, and is echoed by the function. */
    record Event(int seq, String convId) {
    }

    /** Function latency in ms, drawn per event seq (so that every arm sees the same latencies). */
    interface LatencyModel {
        long millis(int seq);

        double meanMillis();

        String describe();

        static LatencyModel fixed(long ms) {
            return new LatencyModel() {
                public long millis(int seq) {
                    return ms;
                }

                public double meanMillis() {
                    return ms;
                }

                public String describe() {
                    return ms + " ms";
                }
            };
        }

        /** Lognormal around the median, clipped to [min, max]. */
        static LatencyModel lognormal(double medianMs, double sigma, long minMs, long maxMs) {
            return new LatencyModel() {
                public long millis(int seq) {
                    double z = new Random(seq * 7919L + 17).nextGaussian();
                    return Math.max(minMs, Math.min(maxMs, Math.round(medianMs * Math.exp(sigma * z))));
                }

                public double meanMillis() {
                    long sum = 0;
                    for (int i = 0; i < 20_000; i++) {
                        sum += millis(i);
                    }
                    return sum / 20_000.0;
                }

                public String describe() {
                    return "lognormal " + minMs + " ms - " + maxMs + " ms (median " + Math.round(medianMs) + ")";
                }
            };
        }
    }

    /** Conversations of 1-20 events (mean about 5), interleaved as they would arrive. */
    static List<Event> realistic(int events, int conversations, long seed) {
        Random random = new Random(seed);
        int[] sizes = new int[conversations];
        int total = 0;
        for (int c = 0; c < conversations; c++) {
            sizes[c] = 1 + Math.min(19, (int) (-Math.log(1 - random.nextDouble()) * 4));
            total += sizes[c];
        }
        while (total != events) {
            int c = random.nextInt(conversations);
            if (total > events && sizes[c] > 1) {
                sizes[c]--;
                total--;
            } else if (total < events && sizes[c] < 20) {
                sizes[c]++;
                total++;
            }
        }
        // each conversation starts at a random time and its events follow at random gaps
        List<double[]> arrivals = new ArrayList<>(events);
        for (int c = 0; c < conversations; c++) {
            double t = random.nextDouble() * 1000;
            for (int i = 0; i < sizes[c]; i++) {
                arrivals.add(new double[] {t, c});
                t += 5 + random.nextDouble() * 60;
            }
        }
        arrivals.sort(Comparator.comparingDouble(a -> a[0]));
        List<Event> list = new ArrayList<>(events);
        for (double[] arrival : arrivals) {
            list.add(new Event(list.size(), "conv-" + (int) arrival[1]));
        }
        return list;
    }

    /** Conversation ids drawn from Zipf(s) over the conversations: a few very hot ones. */
    static List<Event> zipf(int events, int conversations, double s, long seed) {
        double[] cumulative = new double[conversations];
        double sum = 0;
        for (int k = 1; k <= conversations; k++) {
            sum += 1 / Math.pow(k, s);
            cumulative[k - 1] = sum;
        }
        Random random = new Random(seed);
        List<Event> list = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            double u = random.nextDouble() * sum;
            int index = Arrays.binarySearch(cumulative, u);
            int rank = index >= 0 ? index : -index - 1;
            list.add(new Event(i, "conv-" + rank));
        }
        return list;
    }

    Map<String, Integer> eventsPerConversation() {
        Map<String, Integer> counts = new HashMap<>();
        events.forEach(e -> counts.merge(e.convId(), 1, Integer::sum));
        return counts;
    }

    int busiestConversation() {
        return eventsPerConversation().values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Expected time of one event at the function, in seconds, counting the retry of a failed-once call. */
    double secondsPerEvent(long retryBackoffMs) {
        double seconds = latency.meanMillis() / 1000.0;
        return seconds + failOnceRate * (seconds + retryBackoffMs / 1000.0);
    }

    /**
     * What no arm can beat: min(cap / latency, events / (busiest conversation's events x latency)),
     * with the latency of a retried call counted. Infinite without latency.
     */
    double bound(long retryBackoffMs) {
        double perEvent = secondsPerEvent(retryBackoffMs);
        if (perEvent <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.min(cap / perEvent, events.size() / (busiestConversation() * perEvent));
    }

    /**
     * The bound counting the chain floor, the time each event of one conversation adds besides its
     * function's latency (its Kafka write and the round trips): min(cap / latency, events / (busiest
     * conversation's events x (latency + floor))).
     */
    double chainBound(long retryBackoffMs, double floorSeconds) {
        double perEvent = secondsPerEvent(retryBackoffMs);
        double byCap = perEvent <= 0 ? Double.POSITIVE_INFINITY : cap / perEvent;
        return Math.min(byCap, events.size() / (busiestConversation() * (perEvent + floorSeconds)));
    }
}
