package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RevisionTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void namesBranchAndFullId() {
        Revision r = new Revision("main", SHA);
        assertThat(r.name()).isEqualTo("main@sha1:" + SHA);
        assertThat(r.shortId()).isEqualTo("0123456789ab");
        assertThat(Revision.parse(r.name())).isEqualTo(r);
        assertThat(Revision.parse("release/2024@sha1:" + SHA).branch()).isEqualTo("release/2024");
    }

    @Test
    void refusesShortOrMalformedIds() {
        assertThatThrownBy(() -> new Revision("main", "0123abc")).hasMessageContaining("full SHA-1");
        assertThatThrownBy(() -> Revision.parse("main@0123")).hasMessageContaining("<branch>@sha1:<40 hex digits>");
    }
}
