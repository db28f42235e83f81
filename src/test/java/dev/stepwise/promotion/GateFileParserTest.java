package dev.stepwise.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.SourceFile;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GateFileParserTest {

    private final GateFileParser parser = new GateFileParser();

    private GateFileParser.Parsed parse(String path, String yaml) {
        return parser.parse(new SourceFile(path, yaml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsActionStepRevisionAndTheRolloutFromThePath() {
        GateFileParser.Parsed p = parse("promotions/production/checkout-api.yaml",
                "action: skip\nstep: 4\nrevision: 6d8f9c7b5d\nreason: on-call agreed\n");
        assertThat(p.findings()).isEmpty();
        GateRequest r = p.request().orElseThrow();
        assertThat(r.rollout()).isEqualTo(new RolloutKey("production", "checkout-api"));
        assertThat(r.action()).isEqualTo(GateAction.SKIP);
        assertThat(r.step()).contains(4);
        assertThat(r.revision()).contains("6d8f9c7b5d");
        assertThat(r.reason()).contains("on-call agreed");
        assertThat(parse("promotions/production/checkout-api.yaml", r.toYaml()).request()).contains(r);
    }

    @Test
    void anUnknownActionIsALocatedFindingNamingTheChoices() {
        GateFileParser.Parsed p = parse("promotions/shop/cart.yaml", "# promote it\naction: promte\n");
        assertThat(p.request()).isEmpty();
        assertThat(p.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("promotion.unknown-action");
            assertThat(f.location().line()).isEqualTo(2);
            assertThat(f.location().column()).isEqualTo(9);
            assertThat(f.message()).isEqualTo("unknown action 'promte'; use promote, promote-full, abort, retry or skip");
        });
    }

    @Test
    void badYamlSkipWithoutStepAndABadPathAreFindingsNotExceptions() {
        assertThat(parse("promotions/shop/cart.yaml", "action: [promote\n").findings())
                .extracting(f -> f.code()).containsExactly("yaml.syntax");
        assertThat(parse("promotions/shop/cart.yaml", "action: skip\n").findings())
                .extracting(f -> f.code()).containsExactly("promotion.skip-needs-step");
        assertThat(parse("promotions/shop/cart.yaml", "action: promote\nstep: -1\n").findings())
                .extracting(f -> f.code()).containsExactly("promotion.step");
        assertThat(parse("promotions/Shop/cart.yaml", "action: promote\n").findings())
                .extracting(f -> f.code()).containsExactly("promotion.path");
        assertThat(parse("promotions/shop/cart.yaml", "").findings())
                .extracting(f -> f.code()).containsExactly("promotion.empty");
        assertThat(parse("promotions/shop/cart.yaml", "- action: promote\n").findings())
                .extracting(f -> f.code()).containsExactly("promotion.not-a-mapping");
        GateFileParser.Parsed unknown = parse("promotions/shop/cart.yaml", "action: abort\nby: me\n");
        assertThat(unknown.request()).map(GateRequest::action).contains(GateAction.ABORT);
        assertThat(unknown.findings()).extracting(f -> f.code()).containsExactly("promotion.unknown-field");
    }

    @Test
    void onlyFilesTwoLevelsDownInTheFolderArePromotionFiles() {
        assertThat(parser.isPromotionFile("promotions/shop/cart.yaml")).isTrue();
        assertThat(parser.isPromotionFile("promotions/README.md")).isFalse();
        assertThat(parser.isPromotionFile("promotions/shop/cart/x.yaml")).isFalse();
        assertThat(parser.isPromotionFile("deploy/shop/cart.yaml")).isFalse();
        assertThat(new GateFileParser("gates").pathOf(new RolloutKey("shop", "cart"))).isEqualTo("gates/shop/cart.yaml");
        assertThat(Optional.of(GateRequest.of(new RolloutKey("a", "b"), GateAction.PROMOTE_FULL).toYaml()))
                .contains("action: promote-full\n");
    }
}
