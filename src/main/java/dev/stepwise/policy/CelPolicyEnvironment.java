package dev.stepwise.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;

/**
 * The one CEL environment every policy rule is compiled in, built once per process (it is immutable and
 * thread-safe, and building it is the expensive part).
 *
 * <p>It follows what Kubernetes gives ValidatingAdmissionPolicy authors, so that rules read the same in both places:
 * the document under test is the variable {@code object}, a {@code map(string, dyn)} whose fields are selected with
 * dots and tested with {@code has()}; the standard macros ({@code has, all, exists, exists_one, map, filter}); and the
 * extension libraries cel-java offers of the ones Kubernetes enables: strings ({@code endsWith}, {@code split},
 * {@code lowerAscii}, …), lists, sets, regex, math, base64 encoders, optional values ({@code object.?spec.?x}),
 * {@code cel.bind} and two-variable comprehensions ({@code steps.all(i, s, …)}).
 *
 * <p>We use the standard (interpreting) runtime rather than cel-java's newer "planner" runtime: the planner converts
 * every map it reads into its own value objects on each access, which measured about seven times slower on real
 * manifests, while the interpreter reads our plain Java maps directly.
 */
final class CelPolicyEnvironment {

    /** The name the document under test is bound to, as in Kubernetes admission policies. */
    static final String OBJECT = "object";

    /**
     * Iterations all comprehensions of one evaluation may take together. Real rules iterate over a few dozen steps or
     * containers; the budget only stops a nested comprehension over a large list from stalling validation.
     */
    static final int MAX_ITERATIONS = 100_000;

    private static final class Holder {
        static final Cel CEL = build();
    }

    private CelPolicyEnvironment() {
    }

    static Cel cel() {
        return Holder.CEL;
    }

    private static Cel build() {
        CelOptions options = CelOptions.current()
                // setWeight: 5 is an int and ratio: 0.5 a double; let `object.spec.x < 10` work for both
                .enableHeterogeneousNumericComparisons(true)
                .comprehensionMaxIterations(MAX_ITERATIONS)
                .build();
        return CelFactory.standardCelBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar(OBJECT, MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addCompilerLibraries(
                        CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(options),
                        CelExtensions.regex(), CelExtensions.math(), CelExtensions.encoders(options),
                        CelExtensions.optional(), CelExtensions.bindings(), CelExtensions.comprehensions())
                .addRuntimeLibraries(
                        CelExtensions.strings(), CelExtensions.lists(), CelExtensions.sets(options),
                        CelExtensions.regex(), CelExtensions.math(), CelExtensions.encoders(options),
                        CelExtensions.optional(), CelExtensions.comprehensions())
                .build();
    }
}
