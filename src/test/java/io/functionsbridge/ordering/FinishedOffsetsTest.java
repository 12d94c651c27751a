package io.functionsbridge.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FinishedOffsetsTest {

    @Test
    void whatIsWrittenInTheCommitIsReadBack() {
        BitSet finished = new BitSet();
        Random random = new Random(3);
        for (int i = 1; i < 20_000; i++) {
            if (random.nextInt(10) > 0) {
                finished.set(i);
            }
        }
        String metadata = new FinishedOffsets(500, finished).encode(100_000);

        FinishedOffsets read = FinishedOffsets.decode(500, metadata);

        assertThat(read.finished()).isEqualTo(finished);
        assertThat(read.contains(501)).isEqualTo(finished.get(1));
        assertThat(read.contains(499)).isFalse();
    }

    @Test
    void anEncodingTooLongIsCutToTheRecordsItCanHoldNeverToMore() {
        BitSet finished = new BitSet();
        Random random = new Random(5);
        for (int i = 1; i < 200_000; i++) {
            if (random.nextBoolean()) {
                finished.set(i);
            }
        }
        String metadata = new FinishedOffsets(0, finished).encode(4096);
        FinishedOffsets read = FinishedOffsets.decode(0, metadata);

        assertThat(metadata.length()).isLessThanOrEqualTo(4096);
        assertThat(read.isEmpty()).isFalse();
        assertThat(read.end()).isLessThan(200_000);
        BitSet extra = (BitSet) read.finished().clone();
        extra.andNot(finished);
        assertThat(extra.isEmpty()).as("nothing unfinished is read as finished").isTrue();
    }

    @Test
    void nothingFinishedIsAPlainCommitAndAnyOtherMetadataKnowsNothing() {
        assertThat(FinishedOffsets.none(7).encode(4096)).isEmpty();
        assertThat(FinishedOffsets.decode(7, "").isEmpty()).isTrue();
        assertThat(FinishedOffsets.decode(7, null).isEmpty()).isTrue();
        assertThat(FinishedOffsets.decode(7, "written by another tool").isEmpty()).isTrue();
        assertThat(FinishedOffsets.decode(7, "ofb1:not base64 !").isEmpty()).isTrue();
        assertThat(FinishedOffsets.decode(7, "ofb1:AAAA").isEmpty()).isTrue();
    }
}
