package dev.stepwise.git;

/** Small spec files for tests, as people write them. */
final class Specs {

    private Specs() {
    }

    static String rollout(String name, int weight) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %s
                  namespace: shop
                spec:
                  strategy:
                    canary:
                      steps:
                        - setWeight: %d
                        - pause: {duration: 10m}
                """.formatted(name, weight);
    }
}
