package dev.stepwise.engine.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MetricConditionTest {

    private static MetricCondition ok(String source) {
        MetricCondition.Compiled compiled = MetricCondition.compile(source);
        assertThat(compiled).as(source).isInstanceOf(MetricCondition.Ok.class);
        return ((MetricCondition.Ok) compiled).condition();
    }

    @Test
    void acceptsArgoPrometheusVectorForm() {
        MetricCondition c = ok("result[0] >= 0.99");
        assertThat(c.evaluate(List.of(0.995)).verdict()).contains(true);
        assertThat(c.evaluate(List.of(0.95)).verdict()).contains(false);
    }

    @Test
    void comparesIntegersWithDoublesAsArgoDoes() {
        MetricCondition c = ok("result <= 500");
        assertThat(c.evaluate(480.0).verdict()).contains(true);
        assertThat(c.evaluate(520L).verdict()).contains(false);
        assertThat(c.evaluate(500).verdict()).contains(true);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "result[0] > 1 and result[0] < 5 | true",
            "result[0] < 1 or result[0] > 5  | false",
            "not (result[0] > 5)              | true",
            "len(result) == 1                 | true",
            "asInt(result[0]) == 3            | true",
            "!isNaN(result[0])                | true",
    })
    void acceptsTheExprWordsArgoUsersWrite(String condition, boolean expected) {
        assertThat(ok(condition).evaluate(List.of(3.0)).verdict()).contains(expected);
    }

    @Test
    void leavesStringLiteralsAlone() {
        MetricCondition c = ok("result == 'not and or'");
        assertThat(c.evaluate("not and or").verdict()).contains(true);
    }

    @Test
    void nanIsDetectableAndNeverSilentlyPasses() {
        MetricCondition c = ok("result[0] >= 0.99");
        assertThat(c.evaluate(List.of(Double.NaN)).verdict()).contains(false);
        assertThat(ok("isNaN(result[0])").evaluate(List.of(Double.NaN)).verdict()).contains(true);
    }

    @Test
    void anEmptyResultIsAnEvaluationErrorNotAVerdict() {
        MetricCondition.Evaluation e = ok("result[0] >= 0.99").evaluate(List.of());
        assertThat(e.isError()).isTrue();
        assertThat(e.verdict()).isEqualTo(Optional.empty());
        assertThat(e.error()).isNotBlank();
    }

    @Test
    void reportsSyntaxErrorsWithTheColumnInsideTheExpression() {
        MetricCondition.Compiled compiled = MetricCondition.compile("result[0] >= ");
        assertThat(compiled).isInstanceOfSatisfying(MetricCondition.Invalid.class, invalid -> {
            assertThat(invalid.message()).isNotBlank();
            assertThat(invalid.column()).isGreaterThan(0);
        });
    }

    @Test
    void refusesConditionsThatAreNotTrueOrFalse() {
        assertThat(MetricCondition.compile("result[0] + 1")).isInstanceOf(MetricCondition.Invalid.class);
        assertThat(MetricCondition.compile("unknownVar > 1")).isInstanceOfSatisfying(MetricCondition.Invalid.class,
                invalid -> assertThat(invalid.message()).contains("unknownVar"));
    }

    @Test
    void acceptsExprPredicateClosuresFromTheArgoDocumentation() {
        assertThat(ok("all(result[0].Values, {# <= 0.01})").evaluate(List.of(java.util.Map.of("Values", List.of(0.001, 0.009))))
                .verdict()).contains(true);
        assertThat(ok("all(result[0].Values, {# <= 0.01})").evaluate(List.of(java.util.Map.of("Values", List.of(0.001, 0.2))))
                .verdict()).contains(false);
        assertThat(ok("any(result, {.value > 5})").evaluate(List.of(java.util.Map.of("value", 3L), java.util.Map.of("value", 7L)))
                .verdict()).contains(true);
        assertThat(ok("none(result, {# == 'down'})").evaluate(List.of("up", "up")).verdict()).contains(true);
        assertThat(ok("count(result, {# > 1}) == 2").evaluate(List.of(1.0, 2.0, 3.0)).verdict()).contains(true);
        assertThat(ok("all(result, {any(#, {# > 2})})").evaluate(List.of(List.of(1L, 3L), List.of(5L))).verdict()).contains(true);
    }

    @Test
    void rewritesClosuresIntoCelMacros() {
        assertThat(MetricCondition.fromArgoSyntax("all(result.values, {asFloat(.value) >= 9900})"))
                .isEqualTo("(result.values).all(it0, asFloat(it0.value) >= 9900)");
        assertThat(MetricCondition.fromArgoSyntax("result == 'all(x, {#})'")).isEqualTo("result == 'all(x, {#})'");
    }
}
