package io.functionsbridge.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyOrderedDispatcherTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService completer = Executors.newScheduledThreadPool(4);

    @AfterEach
    void stopThreads() {
        executor.shutdownNow();
        completer.shutdownNow();
    }

    /** Holds started works until the test completes them. */
    private static final class Held<T> {
        final List<KeyOrderedDispatcher.Work<T>> started = new CopyOnWriteArrayList<>();

        /** Waits until count records have started; the item of the last of them. */
        T awaitStarted(int count) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == count);
            return started.get(count - 1).item();
        }

        KeyOrderedDispatcher.Work<T> find(long offset) {
            return Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> started.stream().filter(w -> w.offset() == offset).findFirst().orElse(null), w -> w != null);
        }
    }

    @Test
    void aKeysRecordsNeverOverlapNorReorderWhileOtherKeysRunConcurrently() {
        int records = 5000;
        int maxInFlight = 32;
        Random random = new Random(42);
        Map<Object, AtomicInteger> active = new ConcurrentHashMap<>();
        Map<Object, List<Long>> order = new ConcurrentHashMap<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicReference<String> commitViolation = new AtomicReference<>();
        Set<Long> unfinished = ConcurrentHashMap.newKeySet();
        AtomicReference<KeyOrderedDispatcher<String>> ref = new AtomicReference<>();

        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(maxInFlight, executor, work -> {
            if (active.computeIfAbsent(work.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            order.computeIfAbsent(work.key(), k -> Collections.synchronizedList(new ArrayList<>())).add(work.offset());
            completer.schedule(() -> {
                active.get(work.key()).decrementAndGet();
                running.decrementAndGet();
                unfinished.remove(work.offset());
                ref.get().complete(work);
                long safe = ref.get().safeOffset(0).orElse(0);
                long lowestUnfinished = unfinished.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
                if (safe > lowestUnfinished) {
                    commitViolation.set("safe offset " + safe + " passed unfinished " + lowestUnfinished);
                }
                finished.incrementAndGet();
            }, random.nextInt(3), TimeUnit.MILLISECONDS);
        });
        ref.set(dispatcher);

        Map<Object, List<Long>> submitted = new java.util.HashMap<>();
        for (long offset = 0; offset < records; offset++) {
            String key = "conv-" + random.nextInt(200);
            submitted.computeIfAbsent(key, k -> new ArrayList<>()).add(offset);
            unfinished.add(offset);
            dispatcher.submit(0, offset, key, "event");
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> finished.get() == records);

        assertThat(overlaps.get()).as("a key's records overlapped").isZero();
        assertThat(order).as("each key's records ran in the order submitted").isEqualTo(submitted);
        assertThat(peak.get()).as("never more than maxInFlight at once").isLessThanOrEqualTo(maxInFlight);
        assertThat(peak.get()).as("different keys did run concurrently").isGreaterThan(1);
        assertThat(commitViolation.get()).isNull();
        assertThat(dispatcher.safeOffset(0)).hasValue(records);
        assertThat(dispatcher.buffered()).isZero();
    }

    @Test
    void theSafeOffsetNeverPassesAnUnfinishedRecord() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(100, executor, held.started::add);
        for (long offset = 10; offset < 16; offset++) {
            dispatcher.submit(3, offset, "k" + offset, "e");
        }
        assertThat(dispatcher.safeOffset(3)).hasValue(10);
        dispatcher.complete(held.find(12));
        dispatcher.complete(held.find(13));
        assertThat(dispatcher.safeOffset(3)).as("10 and 11 are unfinished").hasValue(10);
        dispatcher.complete(held.find(10));
        assertThat(dispatcher.safeOffset(3)).hasValue(11);
        dispatcher.complete(held.find(11));
        assertThat(dispatcher.safeOffset(3)).as("14 is the lowest unfinished").hasValue(14);
        dispatcher.complete(held.find(15));
        dispatcher.complete(held.find(14));
        assertThat(dispatcher.safeOffset(3)).hasValue(16);
        assertThat(dispatcher.safeOffset(4)).isEmpty();
    }

    @Test
    void farAboveAnOldUnfinishedRecordTheSafeOffsetAndTheFinishedAboveItStayExact() {
        // a record's work, completed as soon as it starts, except for offsets 5 and 69,990
        List<KeyOrderedDispatcher.Work<String>> held = new CopyOnWriteArrayList<>();
        KeyOrderedDispatcher<String>[] dispatcher = new KeyOrderedDispatcher[1];
        dispatcher[0] = new KeyOrderedDispatcher<>(100, Runnable::run, work -> {
            if (work.offset() == 5 || work.offset() == 69_990) {
                held.add(work);
            } else {
                dispatcher[0].complete(work);
            }
        });
        for (long offset = 0; offset < 70_000; offset++) {
            dispatcher[0].submit(0, offset, "k" + offset, "e");
        }
        assertThat(dispatcher[0].safeOffset(0)).hasValue(5);
        FinishedOffsets progress = dispatcher[0].progress().get(0);
        assertThat(progress.finished().cardinality()).isEqualTo(70_000 - 5 - 2);
        assertThat(progress.contains(69_990)).isFalse();

        dispatcher[0].complete(held.get(0));
        assertThat(dispatcher[0].safeOffset(0)).as("past more than 65,536 finished offsets").hasValue(69_990);
        progress = dispatcher[0].progress().get(0);
        assertThat(progress.base()).isEqualTo(69_990);
        assertThat(progress.finished().cardinality()).isEqualTo(9);
        dispatcher[0].complete(held.get(1));
        assertThat(dispatcher[0].safeOffset(0)).hasValue(70_000);
        dispatcher[0].submit(0, 70_000, "k", "e");
        assertThat(dispatcher[0].safeOffset(0)).hasValue(70_001);
    }

    @Test
    void atMostMaxInFlightRunAndTheNextStartsWhenOneFinishes() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(3, executor, held.started::add);
        for (long offset = 0; offset < 10; offset++) {
            dispatcher.submit(0, offset, "k" + offset, "e");
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.started.size() == 3);
        assertThat(dispatcher.running()).isEqualTo(3);
        assertThat(dispatcher.buffered()).isEqualTo(10);
        dispatcher.complete(held.find(1));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.started.size() == 4);
        assertThat(held.started).extracting(KeyOrderedDispatcher.Work::offset).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
        assertThat(dispatcher.running()).isEqualTo(3);
        assertThat(dispatcher.buffered()).isEqualTo(9);
    }

    @Test
    void aKeysNextRecordWaitsForItsPredecessorEvenWithFreeSlots() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        dispatcher.submit(0, 0, "same", "first");
        dispatcher.submit(0, 1, "same", "second");
        dispatcher.submit(0, 2, "other", "third");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.started.size() == 2);
        assertThat(held.started).extracting(KeyOrderedDispatcher.Work::item).containsExactlyInAnyOrder("first", "third");
        dispatcher.complete(held.find(0));
        assertThat(held.awaitStarted(3)).isEqualTo("second");
    }

    @Test
    void whenSlotsAreScarceTheKeyWithTheMostRecordsWaitingStartsFirst() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(1, executor, held.started::add);
        dispatcher.submit(0, 0, "first", "first-1");
        dispatcher.submit(0, 1, "short", "short-1");
        dispatcher.submit(0, 2, "long", "long-1");
        dispatcher.submit(0, 3, "long", "long-2");
        held.awaitStarted(1);
        // short-1 is older, but long has two records waiting: its chain is the longer one
        dispatcher.complete(held.find(0));
        assertThat(held.awaitStarted(2)).isEqualTo("long-1");
        // now each has one waiting: the older goes first
        dispatcher.complete(held.find(2));
        assertThat(held.awaitStarted(3)).isEqualTo("short-1");
        dispatcher.complete(held.find(1));
        assertThat(held.awaitStarted(4)).isEqualTo("long-2");
    }

    @Test
    void aRecordSubmittedBehindAWaitingKeyMovesThatKeyAhead() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(1, executor, held.started::add);
        dispatcher.submit(0, 0, "first", "first-1");
        dispatcher.submit(0, 1, "a", "a-1");
        dispatcher.submit(0, 2, "b", "b-1");
        held.awaitStarted(1);
        // b was ready with one record, behind a; a second record makes it the busier key
        dispatcher.submit(0, 3, "b", "b-2");
        dispatcher.complete(held.find(0));
        assertThat(held.awaitStarted(2)).isEqualTo("b-1");
    }

    @Test
    void amongKeysWithAsManyRecordsWaitingTheOldestStartsFirst() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(1, executor, held.started::add);
        dispatcher.submit(0, 0, "hot", "hot-1");
        dispatcher.submit(0, 1, "hot", "hot-2");
        dispatcher.submit(0, 2, "cold", "cold-1");
        held.awaitStarted(1);
        // cold-1 became ready first, but hot-2 was submitted before it
        dispatcher.complete(held.find(0));
        assertThat(held.awaitStarted(2)).isEqualTo("hot-2");
        dispatcher.complete(held.find(1));
        assertThat(held.awaitStarted(3)).isEqualTo("cold-1");
    }

    @Test
    void anOldestFirstPoolRunsWaitingRecordsOldestFirst() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, KeyOrderedDispatcher.oldestFirstQueue());
        try {
            CountDownLatch blocker = new CountDownLatch(1);
            List<Long> ran = new CopyOnWriteArrayList<>();
            List<KeyOrderedDispatcher.Work<String>> started = new CopyOnWriteArrayList<>();
            KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(100, pool, work -> {
                started.add(work);
                ran.add(work.offset());
                if (work.offset() == 0) {
                    try {
                        blocker.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            // 0 occupies the only thread; 1 (key a) waits behind it in the dispatcher, 2..5 in the pool
            dispatcher.submit(0, 0, "a", "x");
            dispatcher.submit(0, 1, "a", "x");
            for (long offset = 2; offset <= 5; offset++) {
                dispatcher.submit(0, offset, "k" + offset, "x");
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 1);
            // 0 finishes: 1 is queued after 2..5 but is older, so it runs first
            dispatcher.complete(started.get(0));
            blocker.countDown();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 6);
            assertThat(ran).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void recordsWithoutAKeyAreNotOrderedWithEachOther() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        dispatcher.submit(0, 0, null, "a");
        dispatcher.submit(0, 1, null, "b");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.started.size() == 2);
    }

    @Test
    void releasingAPartitionDropsItsWaitingRecordsAndWaitsForItsRunningOnes() throws Exception {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(1, executor, held.started::add);
        dispatcher.submit(0, 5, "a", "running");
        dispatcher.submit(0, 6, "a", "waiting behind its key");
        dispatcher.submit(0, 7, "b", "waiting for a slot");
        dispatcher.submit(1, 0, "c", "other partition");
        KeyOrderedDispatcher.Work<String> running = held.find(5);
        completer.schedule(() -> dispatcher.complete(running), 200, TimeUnit.MILLISECONDS);

        Map<Integer, FinishedOffsets> safe = dispatcher.release(Set.of(0), 5, TimeUnit.SECONDS);

        assertThat(safe.get(0).base()).as("6 and 7 were not handled: they are read again").isEqualTo(6L);
        assertThat(safe.get(0).isEmpty()).isTrue();
        assertThat(dispatcher.buffered()).isEqualTo(1);
        assertThat(held.awaitStarted(2)).isEqualTo("other partition");
    }

    @Test
    void stoppingWaitsForRunningRecordsAndStartsNoMore() throws Exception {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(1, executor, held.started::add);
        dispatcher.submit(0, 0, "a", "running");
        dispatcher.submit(0, 1, "b", "waiting");
        KeyOrderedDispatcher.Work<String> running = held.find(0);
        completer.schedule(() -> dispatcher.complete(running), 200, TimeUnit.MILLISECONDS);

        Map<Integer, FinishedOffsets> safe = dispatcher.stop(5, TimeUnit.SECONDS);

        assertThat(safe.get(0).base()).isEqualTo(1L);
        assertThat(held.started).hasSize(1);
        dispatcher.submit(0, 2, "c", "after stop");
        assertThat(dispatcher.buffered()).isEqualTo(1);
    }

    @Test
    void theCommitSaysWhichRecordsAboveTheSafeOffsetAreFinished() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        for (long offset = 10; offset < 15; offset++) {
            dispatcher.submit(0, offset, "key-" + offset, "record " + offset);
        }
        held.awaitStarted(5);
        dispatcher.complete(held.find(11));
        dispatcher.complete(held.find(13));
        dispatcher.complete(held.find(14));

        FinishedOffsets progress = dispatcher.progress().get(0);

        assertThat(progress.base()).as("10 is unfinished").isEqualTo(10);
        assertThat(progress.contains(10)).isFalse();
        assertThat(progress.contains(11)).isTrue();
        assertThat(progress.contains(12)).isFalse();
        assertThat(progress.contains(13)).isTrue();
        assertThat(progress.contains(14)).isTrue();
        assertThat(progress.contains(15)).as("not read yet").isFalse();
    }

    @Test
    void aNewOwnerSkipsWhatTheOldOneFinishedAndKeepsItInItsCommitsUntilPassed() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        java.util.BitSet finished = new java.util.BitSet();
        finished.set(1); // 11
        finished.set(3); // 13
        dispatcher.restore(0, new FinishedOffsets(10, finished));

        assertThat(dispatcher.finishedBefore(0, 10)).isFalse();
        dispatcher.submit(0, 10, "a", "10");
        assertThat(dispatcher.finishedBefore(0, 11)).as("finished by the old owner").isTrue();
        assertThat(dispatcher.progress().get(0).contains(13)).as("not read yet, still known finished").isTrue();
        assertThat(dispatcher.finishedBefore(0, 12)).isFalse();
        dispatcher.submit(0, 12, "b", "12");
        assertThat(dispatcher.finishedBefore(0, 13)).isTrue();
        dispatcher.complete(held.find(10));

        FinishedOffsets progress = dispatcher.progress().get(0);
        assertThat(progress.base()).as("12 is the lowest unfinished").isEqualTo(12);
        assertThat(progress.contains(13)).isTrue();
        assertThat(held.started).extracting(KeyOrderedDispatcher.Work::item).containsExactly("10", "12");
        dispatcher.complete(held.find(12));
        assertThat(dispatcher.safeOffsets()).containsEntry(0, 14L);
    }

    @Test
    void anOffsetBelowTheTrackedOnesIsTakenAsTheLowestUnfinished() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        dispatcher.submit(0, 100, "a", "100");
        dispatcher.submit(0, 101, "b", "101");
        dispatcher.complete(held.find(101));

        // the log was truncated, or the position moved back
        dispatcher.submit(0, 40, "c", "40");

        assertThat(dispatcher.safeOffsets()).containsEntry(0, 40L);
        dispatcher.complete(held.find(40));
        assertThat(dispatcher.safeOffsets()).as("100 is still unfinished").containsEntry(0, 100L);
        assertThat(dispatcher.progress().get(0).contains(101)).isTrue();
        dispatcher.complete(held.find(100));
        assertThat(dispatcher.safeOffsets()).containsEntry(0, 102L);
    }

    @Test
    void anAbandonedRecordFreesItsKeyForTheNext() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        dispatcher.submit(0, 0, "a", "first");
        dispatcher.submit(0, 1, "a", "second");
        dispatcher.abandon(held.find(0));

        assertThat(held.awaitStarted(2)).isEqualTo("second");
        assertThat(dispatcher.safeOffsets()).as("the abandoned record is read again").containsEntry(0, 0L);
    }

    @Test
    void aRecordOfAReleasedPartitionFinishesNothingOfItsNextOwnership() throws Exception {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        dispatcher.submit(0, 5, "a", "old owner's");
        KeyOrderedDispatcher.Work<String> stale = held.find(5);
        dispatcher.release(Set.of(0), 0, TimeUnit.MILLISECONDS);
        assertThat(dispatcher.isCurrent(stale)).isFalse();

        // the partition comes back, and its record is read again, behind the old run of its key
        dispatcher.submit(0, 5, "a", "new owner's");
        dispatcher.complete(stale);

        assertThat(held.awaitStarted(2)).isEqualTo("new owner's");
        assertThat(dispatcher.safeOffsets()).as("the new run of 5 is unfinished").containsEntry(0, 5L);
        assertThat(dispatcher.buffered()).isEqualTo(1);
        dispatcher.complete(held.started.get(1));
        assertThat(dispatcher.safeOffsets()).containsEntry(0, 6L);
        assertThat(dispatcher.buffered()).isZero();
    }

    @Test
    void theSpanAboveTheLowestUnfinishedRecordIsKnown() {
        Held<String> held = new Held<>();
        KeyOrderedDispatcher<String> dispatcher = new KeyOrderedDispatcher<>(10, executor, held.started::add);
        dispatcher.submit(0, 0, "stuck", "0");
        for (long offset = 1; offset <= 1000; offset++) {
            dispatcher.submit(0, offset, "k" + offset, String.valueOf(offset));
        }
        assertThat(dispatcher.span(0)).isEqualTo(1001);
        dispatcher.complete(held.find(0));
        assertThat(dispatcher.span(0)).isLessThan(1001);
    }
}
