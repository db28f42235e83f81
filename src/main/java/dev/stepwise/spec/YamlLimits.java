package dev.stepwise.spec;

/**
 * Bounds on what one YAML file may make us do. The defaults are far above what a real manifest needs (Kubernetes
 * itself refuses objects over about 1.5 MB, and a Pod spec nests about 15 levels deep) and far below what would let
 * a hostile or broken file exhaust memory or stack.
 *
 * @param maxFileBytes     larger files are refused before parsing
 * @param maxDepth         nesting depth of mappings and sequences; snakeyaml-engine itself has no such limit
 * @param maxAliases       aliases to collections in one document (the classic "billion laughs" needs many)
 * @param maxNodes         nodes in one document after aliases are expanded; an alias counts as the size of what it names
 */
public record YamlLimits(int maxFileBytes, int maxDepth, int maxAliases, int maxNodes) {

    public static final YamlLimits DEFAULT = new YamlLimits(3 * 1024 * 1024, 64, 50, 250_000);
}
