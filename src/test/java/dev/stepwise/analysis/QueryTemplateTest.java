package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryTemplateTest {

    @Test
    void promqlValuesAreEscapedInsideEveryKindOfQuote() {
        Map<String, String> args = Map.of("svc", "a\"b\\c", "hash", "6b9a1e");
        assertThat(QueryTemplate.render("x{svc=\"{{args.svc}}\"}", args, QueryLanguage.PROMQL).text()).isEqualTo("x{svc=\"a\\\"b\\\\c\"}");
        assertThat(QueryTemplate.render("x{svc='{{args.svc}}'}", Map.of("svc", "it's"), QueryLanguage.PROMQL).text()).isEqualTo("x{svc='it\\'s'}");
        assertThat(QueryTemplate.render("x{svc=`{{args.svc}}`}", args, QueryLanguage.PROMQL).isOk()).isTrue();
        assertThat(QueryTemplate.render("x{svc=`{{args.svc}}`}", Map.of("svc", "a`b"), QueryLanguage.PROMQL).problem()).contains("cannot be escaped");
        // a quote escaped inside a literal does not end it
        assertThat(QueryTemplate.render("x{a=\"q\\\"{{args.hash}}\"}", args, QueryLanguage.PROMQL).text()).isEqualTo("x{a=\"q\\\"6b9a1e\"}");
    }

    @Test
    void outsideQuotesOnlyPlainWordsAreAllowed() {
        assertThat(QueryTemplate.render("rate(x[{{args.w}}])", Map.of("w", "5m"), QueryLanguage.PROMQL).text()).isEqualTo("rate(x[5m])");
        QueryTemplate.Rendered r = QueryTemplate.render("rate(x[{{args.w}}])", Map.of("w", "5m]) or vector(1"), QueryLanguage.PROMQL);
        assertThat(r.isOk()).isFalse();
        assertThat(r.problem()).contains("argument 'w' is used outside quotes");
    }

    @Test
    void missingArgumentsAreProblemsNotLiteralPlaceholders() {
        QueryTemplate.Rendered r = QueryTemplate.render("x{a=\"{{args.a}}\", b=\"{{ args.b }}\"}", Map.of(), QueryLanguage.PROMQL);
        assertThat(r.problem()).isEqualTo("the query uses arguments 'a', 'b' but no value was given");
    }

    @Test
    void otherLanguagesEscapeTheirOwnWay() {
        assertThat(QueryTemplate.render("WHERE a = '{{args.v}}'", Map.of("v", "o'k"), QueryLanguage.NRQL).text()).isEqualTo("WHERE a = 'o\\'k'");
        assertThat(QueryTemplate.render("r.a == \"{{args.v}}\"", Map.of("v", "${x}\""), QueryLanguage.FLUX).text())
                .isEqualTo("r.a == \"\\${x}\\\"\"");
        assertThat(QueryTemplate.render("{\"s\": \"{{args.v}}\"}", Map.of("v", "a\"\n"), QueryLanguage.JSON).text())
                .isEqualTo("{\"s\": \"a\\\"\\n\"}");
        assertThat(QueryTemplate.render("avg:x{svc:{{args.v}}}", Map.of("v", "check-out_1"), QueryLanguage.DATADOG).isOk()).isTrue();
        assertThat(QueryTemplate.renderUrl("{{args.base}}/healthz?q={{args.q}}", Map.of("base", "http://h:8080", "q", "a b"))
                .text()).isEqualTo("http://h:8080/healthz?q=a+b");
    }
}
