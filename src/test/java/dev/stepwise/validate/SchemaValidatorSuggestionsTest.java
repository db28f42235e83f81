package dev.stepwise.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaValidatorSuggestionsTest {
    private static final List<String> ANALYSIS = List.of("interval", "threshold", "iterations", "maxWeight",
            "stepWeight", "stepWeights", "stepWeightPromotion", "mirror", "mirrorWeight", "metrics", "webhooks");

    @Test
    void swappedLettersAreOneEditAway() {
        assertThat(Suggestions.nearest("stepWieght", ANALYSIS)).contains("stepWeight");
        assertThat(Suggestions.distance("stepwieght", "stepweight")).isEqualTo(1);
    }

    @Test
    void caseMistakesAreFoundAndExactNamesAreNotSuggestedBack() {
        assertThat(Suggestions.nearest("MaxWeight", ANALYSIS)).contains("maxWeight");
        assertThat(Suggestions.nearest("maxWeight", ANALYSIS)).isEmpty();
    }

    @Test
    void farAwayNamesGetNoSuggestion() {
        assertThat(Suggestions.nearest("canary", ANALYSIS)).isEmpty();
        assertThat(Suggestions.nearest("ab", List.of("a", "abc"))).isEmpty();
    }

    @Test
    void aShorthandContainedInExactlyOneNameIsSuggested() {
        assertThat(Suggestions.nearest("promotion", ANALYSIS)).contains("stepWeightPromotion");
        // "weight" is part of several names: no guess
        assertThat(Suggestions.nearest("weight", ANALYSIS)).isEmpty();
    }
}
